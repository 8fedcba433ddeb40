import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { exchangeAdmin, spFile } from '../src/reports/testing/builders.js';
import type { AuditRecord } from '../src/core/record.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/paths.js';

/**
 * Live detections as a person meets them (issue 14 §2 and §6): `import` runs the pack and the rule
 * folders of alerting.yaml on what it stored, says how many alerts it raised, and sends them where the
 * routes say (here a file sink that takes alerts); `--no-detect` and `live: false` switch it off, and
 * the records skipped then are evaluated by the next run, each once; `detect` over the same records
 * finds the same alerts.
 */
const UAL_OFF = '5d0d1a3e-6f0b-4c55-9a8e-1b7c2e4f6a08';
const MINE = '7b0e4c1a-0000-4000-8000-00000000cafe';
const MY_RULE = `title: A file of the board was deleted
id: ${MINE}
level: high
logsource: {product: m365, service: audit}
detection:
  sel: {Operation: FileDeleted, ObjectId|contains: /board/}
  condition: sel
`;

interface Detections {
  rules: number;
  records: number;
  raised: number;
  counted: number;
  delivered: number;
  failures: string[];
}

const ndjson = (records: AuditRecord[]): string => records.map((r) => r.raw).join('\n') + '\n';
const boardFile = () => spFile('FileDeleted', { ObjectId: 'https://contoso.sharepoint.com/sites/board/q3.xlsx' });

test('import runs the rules live, reports and routes the alerts; switched off, the next run catches up', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = join(dir, 'data');
    mkdirSync(join(data, 'rules'), { recursive: true });
    writeFileSync(join(data, 'rules', 'board.yml'), MY_RULE);
    // A bad rule beside it: named with file and line, and the other rules still run.
    writeFileSync(
      join(data, 'rules', 'broken.yml'),
      MY_RULE.replace(MINE, '7b0e4c1a-0000-4000-8000-00000000dead').replace(
        'condition: sel',
        'condition: sel and other',
      ),
    );
    const alertsFile = join(dir, 'alerts.ndjson');
    const alerting = (live: boolean) =>
      writeFileSync(
        join(data, 'alerting.yaml'),
        `live: ${live}\nruleFolders: [rules]\nroutes:\n  - channel: alerts-file\n    minSeverity: high\n`,
      );
    alerting(true);
    const cli = (...args: string[]) => runCli(args, { dataDir: data, timeoutMs: 120_000 });
    const added = await cli(
      'sink',
      'add',
      'alerts-file',
      '--type',
      'file',
      '--url',
      pathToFileURL(alertsFile).href,
      '--takes',
      'alerts',
    );
    assert.equal(added.code, 0, added.stderr);

    const write = (name: string, records: AuditRecord[]) => {
      writeFileSync(join(dir, name), ndjson(records));
      return join(dir, name);
    };
    const first = await cli(
      'import',
      write('1.ndjson', [
        exchangeAdmin('Set-AdminAuditLogConfig', { UnifiedAuditLogIngestionEnabled: 'False' }),
        boardFile(),
        spFile('FileAccessed'),
      ]),
      '--tenant',
      'contoso',
      '--format',
      'json',
    );
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /error: .*broken\.yml:\d+ .*"other" is not a selection/);
    const d1 = (JSON.parse(first.stdout) as { detections: Detections }).detections;
    assert.ok(d1.rules > 30, 'the pack and the folder of alerting.yaml');
    assert.deepEqual([d1.records, d1.raised, d1.delivered, d1.failures], [3, 2, 2, []]);
    const sent = readFileSync(alertsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(sent.length, 2);
    assert.match(JSON.stringify(sent), new RegExp(UAL_OFF));
    assert.match(JSON.stringify(sent), new RegExp(MINE));

    const table = await cli('import', write('2.ndjson', [boardFile()]), '--tenant', 'contoso', '--no-detect');
    assert.equal(table.code, 0, table.stderr);
    assert.doesNotMatch(table.stdout, /detections:/, '--no-detect: no rules ran');

    const third = await cli('import', write('3.ndjson', [spFile('FileAccessed')]), '--tenant', 'contoso');
    assert.equal(third.code, 0, third.stderr);
    assert.match(
      third.stdout,
      /detections: 2 new records evaluated: 0 alerts raised, 1 hit counted on existing alerts/,
      'the record skipped by --no-detect is evaluated now, once',
    );

    alerting(false);
    const off = await cli('import', write('4.ndjson', [boardFile()]), '--tenant', 'contoso', '--format', 'json');
    assert.equal((JSON.parse(off.stdout) as { detections: unknown }).detections, null, 'live: false');
    alerting(true);

    const listed = await cli('alerts', 'list', '--format', 'json');
    const alerts = (JSON.parse(listed.stdout) as { alerts: { ruleId: string; recordIds: string[] }[] }).alerts;
    assert.deepEqual(
      alerts.map((a) => [a.ruleId, a.recordIds.length]).sort(),
      [
        [UAL_OFF, 1],
        [MINE, 2],
      ].sort(),
    );
    // The same records over history: the same alerts, nothing new (the fourth file's record is new to it).
    const retro = await cli('detect', '--start', '2026-03-01', '--end', '2026-04-01', '--format', 'json');
    assert.equal(retro.code, 0, retro.stderr);
    const r = JSON.parse(retro.stdout) as { alerts: { id: string }[]; summary: { raised: number; duplicates: number } };
    assert.deepEqual([r.summary.raised, r.summary.duplicates], [0, 3]);
    assert.ok(existsSync(alertsFile));
  } finally {
    cleanup();
  }
});
