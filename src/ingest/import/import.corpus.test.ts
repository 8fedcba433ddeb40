import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir, corpusSkip } from '../../../test/support/paths.js';
import { normalizeRecord } from '../normalize.js';
import { importFiles, memoryRejects } from './index.js';
import { memorySink } from './testing/memory-sink.js';

/**
 * Every audit record in ../shared/corpus imports without a reject, except the ones that are really
 * malformed JSON, which are rejected with a reason. Record files go through importFiles exactly as
 * `tenantwatch import` reads them; records wrapped in a test harness (Sekoia pairs, Elastic pipeline
 * `{"events":[{"o365audit":…}]}`, PowerShell Format-List output) are unwrapped here and normalized.
 * A tenant is given because several fixtures carry no OrganizationId (as `--tenant` would).
 */
const TENANT = 'corpus';

function recordFiles(): string[] {
  const picked: string[] = [];
  for (const entry of readdirSync(corpusDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.includes('-expected')) continue;
    const beatsLog = entry.parentPath.endsWith('elastic-beats-o365-edgecases') && entry.name.endsWith('.log');
    if (/\.(ndjson|jsonl)$/.test(entry.name) || beatsLog) picked.push(join(entry.parentPath, entry.name));
  }
  return picked.sort();
}

test('every record file in the corpus imports with no reject', { skip: corpusSkip }, async () => {
  const files = recordFiles();
  assert.equal(files.length, 16, files.join('\n'));
  const store = memorySink();
  const rejects = memoryRejects();
  const summary = await importFiles(files, { tenant: TENANT, sink: store.sink, rejects });
  assert.deepEqual(rejects.rejects, []);
  assert.equal(summary.failedFiles, 0);
  for (const file of summary.files) assert.ok(file.read > 0, `${file.file} gave no records`);
  assert.equal(summary.imported + summary.duplicates, summary.read);
  assert.equal(summary.read, 72);
  const again = await importFiles(files, { tenant: TENANT, sink: store.sink, rejects });
  assert.equal(again.imported, 0, 'importing the same files twice adds nothing');
});

test('Elastic pipeline fixtures with malformed addresses normalize', { skip: corpusSkip }, () => {
  const fixture = JSON.parse(
    readFileSync(join(corpusDir, 'elastic-integrations-o365-edgecases', 'test-bad-ips.json'), 'utf8'),
  ) as { events: { o365audit: object }[] };
  assert.equal(fixture.events.length, 4);
  const addresses = fixture.events.map((event) => {
    const result = normalizeRecord(event.o365audit, { tenant: TENANT, source: 'import' });
    if (!result.ok) assert.fail(result.reason);
    return [result.record.clientIp, result.record.clientPort];
  });
  // ClientIP wins over a malformed ClientIPAddress; the last record has only an OriginatingServer (a server, not the client).
  assert.deepEqual(addresses, [
    ['67.43.156.13', 12345],
    ['67.43.156.13', 12345],
    ['67.43.156.13', 12345],
    [null, null],
  ]);
});

test('Sekoia inputs all normalize', { skip: corpusSkip }, () => {
  const dir = join(corpusDir, 'sekoia-intake-formats-o365');
  const names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  for (const name of names) {
    const pair = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { input: { message: string } };
    const result = normalizeRecord(pair.input.message, { source: 'import' });
    assert.ok(result.ok, `${name}: ${result.ok ? '' : result.reason}`);
  }
});

test(
  'Search-UnifiedAuditLog Format-List examples: all normalize except the malformed AipFileDeleted one',
  { skip: corpusSkip },
  () => {
    const text = readFileSync(
      join(corpusDir, 'microsoft-docs-o365-mgmt-api', 'powershell-format-list-examples.log'),
      'utf8',
    );
    const blocks = text.split(/^### source: /m).filter((b) => b.trim());
    assert.equal(blocks.length, 8);
    const outcomes = blocks.map((block) => {
      const start = block.indexOf('{', block.indexOf('AuditData'));
      const json = block.slice(start, block.lastIndexOf('}') + 1);
      const result = normalizeRecord(json, { source: 'search-unified-audit-log' });
      return { source: block.split('\n', 1)[0]!.trim(), ok: result.ok, reason: result.ok ? null : result.reason };
    });
    const failed = outcomes.filter((o) => !o.ok);
    assert.deepEqual(
      failed.map((o) => o.source),
      ['AipFileDeleted.md'],
      JSON.stringify(outcomes),
    );
    assert.match(failed[0]!.reason!, /not valid JSON/);
  },
);
