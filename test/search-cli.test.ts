import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { normalizeRecord } from '../src/ingest/normalize.js';
import { parseSearchFilters } from '../src/search/filters.js';
import { referenceSearch } from '../src/search/reference.js';
import { rawRecords } from '../src/search/testing/generate.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/paths.js';

/**
 * `tenantwatch search` end to end, as a person runs it: import a file, then search it in every
 * format. Expected rows come from the brute-force oracle over the same file.
 */
const END = Date.UTC(2026, 10, 1);
const lines = [...rawRecords(400, { seed: 7, end: END, days: 10 })];
const evil = JSON.stringify({
  CreationTime: '2026-10-31T12:00:00',
  Id: 'evil-1',
  Operation: 'FileAccessed',
  OrganizationId: 'c3f0a7de-77b1-4f3e-a0c4-2a9e51f6b8d0',
  RecordType: 6,
  UserId: '=HYPERLINK("http://x","click")',
  ClientIP: '203.0.113.9',
  Workload: 'SharePoint',
  ObjectId: '@SUM(1+1)',
  Note: 'a, "quoted"\r\nline',
});
lines.push(evil);
const records = lines.map((l) => {
  const r = normalizeRecord(l, { source: 'import' });
  if (!r.ok) throw new Error(r.reason);
  return { ...r.record, ingestedAt: 0 };
});

let dir: { dir: string; cleanup: () => void };
const search = (args: string[]) =>
  runCli(['search', '--start', '2026-10-22', '--end', '2026-11-01', ...args], { dataDir: dir.dir });

before(async () => {
  dir = tempDir('tw-search-cli-');
  const file = join(dir.dir, 'records.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  const res = await runCli(['import', file], { dataDir: dir.dir });
  assert.equal(res.code, 0, res.stderr);
});

after(() => dir?.cleanup());

test('json: every match, newest first, with the count; filters as people type them', async () => {
  const res = await search(['--workload', 'sharepoint', '--operation', 'Accessed file', '--format', 'json']);
  assert.equal(res.code, 0, res.stderr);
  const body = JSON.parse(res.stdout) as {
    count: number;
    records: { id: string; creationTime: string; auditData: { Id: string } }[];
  };
  const want = referenceSearch(
    records,
    parseSearchFilters(
      { start: '2026-10-22', end: '2026-11-01', workload: ['sharepoint'], operation: ['Accessed file'] },
      END,
    ),
  );
  assert.ok(want.length > 20);
  assert.equal(body.count, want.length);
  assert.deepEqual(
    body.records.map((r) => r.id),
    want.map((r) => r.id),
  );
  assert.match(body.records[0]!.creationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(body.records[0]!.auditData.Id, body.records[0]!.id, 'the raw record comes along, parsed');
});

test('csv opens safely in Excel; the count goes to stderr', async () => {
  const res = await search(['--ip', '203.0.113.9', '--format', 'csv']);
  assert.equal(res.code, 0, res.stderr);
  assert.ok(res.stdout.startsWith('\uFEFF'));
  const rows = parse<Record<string, string>>(res.stdout.slice(1), { columns: true });
  const row = rows.find((r) => r.Id === 'evil-1')!;
  assert.equal(row.UserId, `'=HYPERLINK("http://x","click")`);
  assert.equal(row.ObjectId, "'@SUM(1+1)");
  assert.equal(row.AuditData, evil, 'AuditData whole, in one column');
  assert.equal(res.stderr.trim(), `${rows.length} matching record${rows.length === 1 ? '' : 's'}`);
});

test('jsonl with --limit: the newest N, and stderr says how many matched in all', async () => {
  const res = await search(['--user', records[0]!.userId!.toUpperCase(), '--limit', '2', '--format', 'jsonl']);
  assert.equal(res.code, 0, res.stderr);
  const want = referenceSearch(
    records,
    parseSearchFilters({ start: '2026-10-22', end: '2026-11-01', user: [records[0]!.userId!] }, END),
  );
  const got = res.stdout
    .trimEnd()
    .split('\n')
    .map((l) => (JSON.parse(l) as { id: string }).id);
  assert.deepEqual(
    got,
    want.slice(0, 2).map((r) => r.id),
  );
  assert.match(res.stderr, new RegExp(`^${want.length} matching records \\(2 written: --limit 2\\)`));
});

test('table: aligned, with the exact count in the footer', async () => {
  const res = await search([
    '--record-type',
    'AzureActiveDirectoryStsLogon',
    '--tenant',
    'c3f0a7de-77b1-4f3e-a0c4-2a9e51f6b8d0',
  ]);
  assert.equal(res.code, 0, res.stderr);
  const want = referenceSearch(
    records,
    parseSearchFilters(
      { start: '2026-10-22', end: '2026-11-01', recordType: ['15'], tenant: ['c3f0a7de-77b1-4f3e-a0c4-2a9e51f6b8d0'] },
      END,
    ),
  );
  const out = res.stdout.trimEnd().split('\n');
  assert.match(out[0]!, /^TIME \(UTC\)\s+USER\s+OPERATION\s+WORKLOAD\s+CLIENT IP\s+OBJECT\s+TENANT$/);
  assert.equal(out.length, want.length + 3);
  assert.equal(out.at(-1), `${want.length} matching records`);
});

test('bad input: a clear one-line error and exit 2; an unknown tenant exit 1', async () => {
  const noStart = await runCli(['search', '--end', 'now'], { dataDir: dir.dir });
  assert.equal(noStart.code, 2);
  assert.match(noStart.stderr, /^tenantwatch: A search needs a start time\. Give --start/);
  const badType = await search(['--record-type', 'SharePointFileOp']);
  assert.equal(badType.code, 2);
  assert.match(badType.stderr, /record type "SharePointFileOp".*Did you mean .*SharePointFileOperation/);
  const tenant = await search(['--tenant', 'nosuchtenant']);
  assert.equal(tenant.code, 1);
  assert.match(tenant.stderr, /No tenant is named "nosuchtenant"/);
});

test('a typo in an operation, workload or user is said with what was meant, not a silent zero', async () => {
  const res = await search(['--operation', 'FileAccesed', '--workload', 'Sharepont', '--format', 'jsonl']);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /^0 matching records$/m);
  assert.match(res.stderr, /no stored record has the operation "FileAccesed".*did you mean "FileAccessed"/);
  assert.match(res.stderr, /"Sharepont" is not a workload Microsoft 365 records.*did you mean "SharePoint"/);
  const user = await search(['--user', 'nobody-at-all@contoso.com', '--format', 'jsonl']);
  assert.match(user.stderr, /no stored record names the user "nobody-at-all@contoso\.com"/);
});

test('--end defaults to now, as in the console', async () => {
  const res = await runCli(['search', '--start', '3650d', '--format', 'json', '--limit', '1'], { dataDir: dir.dir });
  assert.equal(res.code, 0, res.stderr);
  assert.equal((JSON.parse(res.stdout) as { count: number }).count, records.length);
});
