import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { tempDir } from '../../../test/support/paths.js';
import { importFiles, memoryRejects, type ImportSummary } from './index.js';
import { chooseWorker } from './import-files.js';
import { recordKeys } from '../../store/columns.js';
import { memorySink } from './testing/memory-sink.js';

const ORG = 'b7c3a9e2-1111-4222-8333-944455566677';

/** A realistic Exchange admin record with embedded quotes; tests vary the index. */
function record(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    CreationTime: `2024-05-23T15:10:${String(i % 60).padStart(2, '0')}`,
    Id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    Operation: 'New-InboxRule',
    OrganizationId: ORG,
    RecordType: 1,
    ResultStatus: 'True',
    UserKey: 'NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)',
    UserType: 2,
    Version: 1,
    Workload: 'Exchange',
    ClientIP: '203.0.113.9:63070',
    ObjectId: `Rule "Forward, all"\nline ${i}`,
    UserId: 'Admin@Contoso.com',
    Parameters: [{ Name: 'ForwardTo', Value: 'x@evil.example' }],
    ...overrides,
  };
}

function csvCell(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

async function run(files: Record<string, string | Buffer>, options: { tenant?: string; batchSize?: number } = {}) {
  const { dir, cleanup } = tempDir();
  try {
    const paths = Object.entries(files).map(([name, content]) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    });
    const store = memorySink();
    const rejects = memoryRejects();
    const summary = await importFiles(paths, { sink: store.sink, rejects, ...options });
    return { summary, store, rejects: rejects.rejects, dir };
  } finally {
    cleanup();
  }
}

function totals(summary: ImportSummary) {
  return {
    read: summary.read,
    imported: summary.imported,
    duplicates: summary.duplicates,
    rejected: summary.rejected,
    failedFiles: summary.failedFiles,
  };
}

const recs = [1, 2, 3].map((i) => record(i));

test('NDJSON with CRLF and blank lines', async () => {
  const text = recs.map((r) => JSON.stringify(r)).join('\r\n\r\n') + '\r\n';
  const { summary, store } = await run({ 'a.log': text });
  assert.deepEqual(totals(summary), { read: 3, imported: 3, duplicates: 0, rejected: 0, failedFiles: 0 });
  assert.equal(summary.files[0]!.format, 'ndjson');
  const first = [...store.records.values()][0]!;
  assert.equal(first.raw, JSON.stringify(recs[0]), 'raw is the line without its CR');
  assert.equal(first.clientIp, '203.0.113.9');
  assert.equal(first.clientPort, 63070);
});

test('JSON arrays: pretty-printed, and several content blobs one after another', async () => {
  const pretty = JSON.stringify(recs, null, 2);
  const blobs = JSON.stringify(recs.slice(0, 2)) + '\n' + JSON.stringify([record(4)]);
  const { summary, store } = await run({ 'pretty.txt': pretty, 'blobs.json': blobs });
  assert.deepEqual(totals(summary), { read: 6, imported: 4, duplicates: 2, rejected: 0, failedFiles: 0 });
  const raw = store.records.get(`${ORG}\u0000${recs[0]!.Id as string}`)!.raw;
  assert.equal(raw, JSON.stringify(recs[0], null, 2).replace(/\n/g, '\n  '), 'raw is the element text exactly');
});

test('Graph records page, pretty and on one line', async () => {
  const page = {
    '@odata.context': 'x',
    value: recs.map((r) => ({
      id: r.Id,
      createdDateTime: `${r.CreationTime as string}Z`,
      auditLogRecordType: 'exchangeAdmin',
      operation: r.Operation,
      auditData: r,
    })),
    '@odata.nextLink': 'https://graph.microsoft.com/next',
  };
  const { summary, store } = await run(
    { 'page.json': JSON.stringify(page, null, 1), 'page2.json': JSON.stringify(page) },
    { tenant: 'contoso' },
  );
  assert.deepEqual(totals(summary), { read: 6, imported: 3, duplicates: 3, rejected: 0, failedFiles: 0 });
  assert.equal([...store.records.values()][0]!.tenant, 'contoso');
  assert.equal([...store.records.values()][0]!.raw, JSON.stringify(recs[0]));
});

test('Graph pages saved as an array of responses, or on a line with spaces, give their records', async () => {
  const graph = (i: number) => ({
    id: record(i).Id,
    createdDateTime: '2024-05-23T15:10:00Z',
    auditLogRecordType: 'exchangeAdmin',
    auditData: record(i),
  });
  const pages = [{ '@odata.context': 'x', value: [graph(1), graph(2)], '@odata.nextLink': 'n' }, { value: [graph(3)] }];
  const deep = `{"Id":"deep","CreationTime":"2024-05-23T15:10:00","RecordType":1,"X":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  const { summary, rejects } = await run({
    'responses.json': JSON.stringify(pages, null, 2),
    'pages.ndjson': `{ "value": [${JSON.stringify(graph(4))}, ${JSON.stringify(graph(5))}] }\n{"value":[${deep}]}\n`,
  });
  assert.deepEqual(totals(summary), { read: 6, imported: 5, duplicates: 0, rejected: 1, failedFiles: 0 });
  assert.match(rejects[0]!.reason, /64 levels/);
});

test('Purview CSV, both layouts; AuditData with quotes and newlines; time from AuditData', async () => {
  const classic = [
    'CreationDate,UserIds,Operations,AuditData',
    ...recs.map((r) => `5/23/2024 3:10 PM,admin@contoso.com,New-InboxRule,${csvCell(JSON.stringify(r, null, 1))}`),
  ].join('\r\n');
  const modern = [
    'RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames',
    ...[4, 5].map(
      (i) =>
        `${record(i).Id as string},2024-05-23T15:10:00.0000000Z,1,New-InboxRule,admin@contoso.com,${csvCell(JSON.stringify(record(i)))},,`,
    ),
  ].join('\n');
  const { summary, store, rejects } = await run({ 'classic.csv': classic, 'modern.csv': modern });
  assert.deepEqual(rejects, []);
  assert.deepEqual(totals(summary), { read: 5, imported: 5, duplicates: 0, rejected: 0, failedFiles: 0 });
  const r = store.records.get(`${ORG}\u0000${recs[1]!.Id as string}`)!;
  assert.equal(r.creationTime, Date.UTC(2024, 4, 23, 15, 10, 2));
  assert.equal(r.raw, JSON.stringify(recs[1], null, 1), 'raw is the cell text untouched');
  assert.equal(r.objectId, 'Rule "Forward, all"\nline 2');
});

test('exports joined into one file (cat a b), each with its BOM and header, give every record once', async () => {
  const bom = '\ufeff';
  const line = (i: number) => JSON.stringify(record(i));
  const page = (from: number, to: number) =>
    JSON.stringify({
      '@odata.context': 'x',
      value: [from, to].map((i) => ({ id: record(i).Id, auditData: record(i) })),
    });
  const classic = (i: number) =>
    `CreationDate,UserIds,Operations,AuditData\r\n5/23/2024 3:10 PM,admin,New-InboxRule,${csvCell(line(i))}\r\n`;
  const quoted = (csv: string) =>
    csv.replace('CreationDate,UserIds,Operations,AuditData', '"CreationDate","UserIds","Operations","AuditData"');
  const modern = (i: number) =>
    `RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits\r\n${record(i).Id as string},x,1,New-InboxRule,admin,${csvCell(line(i))},\r\n`;
  const { summary, rejects } = await run({
    'joined.ndjson': `${bom}${line(1)}\n${line(2)}\n${bom}${line(3)}\n`,
    'joined.json': `${bom}[${line(4)}]\r\n${bom}[${line(5)},${line(6)}]\r\n`,
    'pages.json': `${bom}${JSON.stringify(JSON.parse(page(7, 8)), null, 2)}\r\n${bom}${page(9, 10)}\r\n`,
    'joined.csv': `${bom}${classic(11)}${bom}${modern(12)}${bom}#TYPE Deserialized.AuditLogRecord\r\n${quoted(classic(13))}`,
  });
  assert.deepEqual(rejects, []);
  assert.deepEqual(totals(summary), { read: 13, imported: 13, duplicates: 0, rejected: 0, failedFiles: 0 });
});

test('Export-Csv output in UTF-16LE with BOM, #TYPE line and extra columns', async () => {
  const header =
    '"RunspaceId","RecordType","CreationDate","UserIds","Operations","AuditData","ResultIndex","ResultCount","Identity","IsValid","ObjectState"';
  const rows = recs.map(
    (r, i) =>
      `"f00","ExchangeAdmin","23.05.2024 15:10:0${i}","admin@contoso.com","New-InboxRule",${csvCell(JSON.stringify(r))},"${i + 1}","3","${r.Id as string}","True","Unchanged"`,
  );
  const text =
    [
      '#TYPE Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.UnifiedAuditLogEvent',
      header,
      ...rows,
    ].join('\r\n') + '\r\n';
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')]);
  const utf8bom = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(text.replace('New-InboxRule', 'Set-Mailbox')),
  ]);
  const { summary } = await run({ 'export.csv': utf16, 'bom.csv': utf8bom });
  assert.equal(summary.files[0]!.encoding, 'utf-16le');
  assert.equal(summary.files[0]!.format, 'csv');
  assert.equal(summary.files[1]!.encoding, 'utf-8');
  assert.deepEqual(totals(summary), { read: 6, imported: 3, duplicates: 3, rejected: 0, failedFiles: 0 });
});

test('gzipped exports are read as they are: NDJSON, a UTF-16LE CSV, by content whatever the name', async () => {
  const ndjson = recs.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const csv = [
    'CreationDate,UserIds,Operations,AuditData',
    ...[4, 5].map((i) => `2024-05-23T15:10:00,admin@contoso.com,New-InboxRule,${csvCell(JSON.stringify(record(i)))}`),
  ].join('\r\n');
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(csv, 'utf16le')]);
  // Large enough that the inflated text arrives in several chunks.
  const many = Array.from({ length: 3_000 }, (_, i) => JSON.stringify(record(100 + i))).join('\n');
  const { summary, store } = await run({
    'audit.ndjson.gz': gzipSync(ndjson),
    'export.csv.gz': gzipSync(utf16),
    'many.dat': gzipSync(many),
  });
  assert.deepEqual(
    summary.files.map((f) => [f.format, f.encoding, f.error]),
    [
      ['ndjson', 'utf-8', null],
      ['csv', 'utf-16le', null],
      ['ndjson', 'utf-8', null],
    ],
  );
  assert.deepEqual(totals(summary), { read: 3_005, imported: 3_005, duplicates: 0, rejected: 0, failedFiles: 0 });
  assert.equal(store.records.get(`${ORG}\u0000${recs[1]!.Id as string}`)!.raw, JSON.stringify(recs[1]));
});

test('a gzip file cut short: the records before the cut are imported, the file is named damaged', async () => {
  const many = Array.from({ length: 3_000 }, (_, i) => JSON.stringify(record(i))).join('\n');
  const gz = gzipSync(many);
  const { summary } = await run({ 'cut.ndjson.gz': gz.subarray(0, Math.floor(gz.length * 0.6)) });
  const file = summary.files[0]!;
  assert.equal(file.error?.code, 'FILE_FORMAT');
  assert.match(
    file.error.message,
    /cut\.ndjson\.gz is gzip data that is damaged or cut short \(.+\); the [\d,]+ records before the damage were read/,
  );
  assert.match(file.error.hint, /gzip -t/);
  assert.ok(summary.imported > 0 && summary.imported < 3_000, `imported ${summary.imported}`);
});

test('a truncated JSON array: complete records import, the cut one is rejected', async () => {
  const text = JSON.stringify(recs, null, 2);
  const { summary, rejects } = await run({ 'cut.json': text.slice(0, text.length - 40) });
  assert.deepEqual(totals(summary), { read: 3, imported: 2, duplicates: 0, rejected: 1, failedFiles: 0 });
  assert.match(rejects[0]!.reason, /ends inside this record/);
  assert.ok(rejects[0]!.line > 1);
});

test('a truncated NDJSON file: the last line is rejected as invalid JSON', async () => {
  const text = recs.map((r) => JSON.stringify(r)).join('\n');
  const { summary, rejects } = await run({ 'cut.ndjson': text.slice(0, -25) });
  assert.deepEqual(totals(summary), { read: 3, imported: 2, duplicates: 0, rejected: 1, failedFiles: 0 });
  assert.equal(rejects[0]!.line, 3);
  assert.match(rejects[0]!.reason, /not valid JSON/);
});

test('CSV with a broken quote and a row whose AuditData is not JSON: every good row still imports', async () => {
  const good = (i: number) => `5/23/2024,admin,New-InboxRule,${csvCell(JSON.stringify(record(i)))}`;
  const lines = [
    'CreationDate,UserIds,Operations,AuditData',
    good(1),
    `5/23/2024,admin,New-InboxRule,"{"Id":"broken"}"`,
    good(2),
    '5/23/2024,admin,New-InboxRule,"not json at all"',
    good(3),
    '5/23/2024,admin,New-InboxRule,',
  ];
  const { summary, rejects } = await run({ 'bad.csv': lines.join('\n') + '\n' });
  assert.deepEqual(totals(summary), { read: 6, imported: 3, duplicates: 0, rejected: 3, failedFiles: 0 });
  const byLine = new Map(rejects.map((r) => [r.line, r]));
  assert.match(byLine.get(3)!.reason, /broken CSV quoting/);
  assert.match(byLine.get(5)!.reason, /not valid JSON/);
  assert.equal(byLine.get(5)!.raw, 'not json at all');
  assert.match(byLine.get(7)!.reason, /AuditData cell is empty/);
  assert.ok(rejects.every((r) => r.file.endsWith('bad.csv')));
});

test("rows of separators only (Excel's formatted rows below the data) are skipped as empty lines, not rejected", async () => {
  const good = (i: number) => `5/23/2024;admin;New-InboxRule;${csvCell(JSON.stringify(record(i)))}`;
  const lines = ['CreationDate;UserIds;Operations;AuditData', good(1), ';;;', good(2), ';;;', ' ; ;;', ''];
  const { summary, rejects } = await run({ 'excel.csv': lines.join('\r\n') });
  assert.deepEqual(totals(summary), { read: 2, imported: 2, duplicates: 0, rejected: 0, failedFiles: 0 });
  assert.deepEqual(rejects, []);
});

test('a CSV resaved by Excel, its AuditData cut at 32,767 characters, names Excel as the reason', async () => {
  const long = JSON.stringify(record(1, { Parameters: [{ Name: 'Body', Value: 'x'.repeat(40_000) }] }));
  const exact = JSON.stringify(record(3, { Pad: '' }));
  const fits = JSON.stringify(record(3, { Pad: 'y'.repeat(32_767 - exact.length) }));
  assert.equal(fits.length, 32_767);
  const lines = ['CreationDate,UserIds,Operations,AuditData', long.slice(0, 32_767), JSON.stringify(record(2)), fits];
  const { summary, rejects } = await run({
    'excel.csv': lines.map((c, i) => (i ? `5/23/2024,admin,New-InboxRule,${csvCell(c)}` : c)).join('\r\n'),
  });
  assert.deepEqual(totals(summary), { read: 3, imported: 2, duplicates: 0, rejected: 1, failedFiles: 0 });
  assert.equal(rejects[0]!.line, 2);
  assert.match(rejects[0]!.reason, /Excel cuts cells at that length/);
});

test('an unclosed quote costs its own row only: the rows it ran into are read again', async () => {
  const good = (i: number) => `5/23/2024,admin,New-InboxRule,${csvCell(JSON.stringify(record(i)))}`;
  const broken = '5/23/2024,admin,New-InboxRule,"{""Id"":""cut';
  const lines = [
    'CreationDate,UserIds,Operations,AuditData',
    good(1),
    broken,
    good(2),
    good(3),
    `5/23/2024,adm"in,x,${csvCell('{}')}`,
    good(4),
  ];
  const { summary, store, rejects } = await run({ 'open.csv': lines.join('\r\n') });
  assert.deepEqual(
    [...store.records.values()].map((r) => r.id),
    [1, 2, 3, 4].map((i) => record(i).Id),
  );
  assert.deepEqual(
    rejects.map((r) => [r.line, r.raw]),
    [
      [3, broken],
      [6, lines[5]],
    ],
  );
  assert.match(rejects[0]!.reason, /^broken CSV quoting: .*never closed.*read again/);
  assert.match(rejects[1]!.reason, /holds a quote but is not quoted/);
  assert.equal(summary.rejected, 2);
});

test('empty, binary, missing and unrecognised files give clear messages and do not stop the others', async () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
  const { summary, dir } = await run({
    'empty.json': '',
    'pic.png': png,
    'notes.txt': 'hello world\nthis is not an export\n',
    'good.ndjson': JSON.stringify(record(9)),
  });
  const [empty, bin, text, good] = summary.files;
  assert.equal(empty!.error, null);
  assert.match(empty!.note!, /empty/);
  assert.equal(bin!.error?.code, 'FILE_FORMAT');
  assert.match(bin!.error.message, /not a text file/);
  assert.equal(text!.error?.code, 'FILE_FORMAT');
  assert.match(text!.error.message, /starts with "hello world"/);
  assert.equal(good!.imported, 1);
  assert.equal(summary.failedFiles, 2);
  // A JSON array cut off between two records: the records before the cut are imported, and the file is noted.
  const cut = await run({ 'cut.json': `[${JSON.stringify(record(1))},\n${JSON.stringify(record(2))},` });
  assert.equal(cut.summary.files[0]!.imported, 2);
  assert.equal(cut.summary.files[0]!.error, null);
  assert.match(cut.summary.files[0]!.note!, /^the file ends before its JSON is closed .*cut off/);
  const missing = await importFiles([join(dir, 'nope.csv')], { sink: memorySink().sink, rejects: memoryRejects() });
  assert.equal(missing.files[0]!.error?.code, 'FILE_NOT_FOUND');
  assert.match(missing.files[0]!.error.message, /nope\.csv does not exist/);
  // Only blank lines (any newline style, spaces, tabs): said so, like an empty file, not 'it starts with ""'.
  const blank = await run({ 'blank.ndjson': '\n\r\n  \t\n\n' });
  assert.equal(blank.summary.files[0]!.error, null);
  assert.equal(blank.summary.files[0]!.note, 'the file holds only blank lines: nothing to import');
});

test('records are sent to the sink in batches, and progress is reported', async () => {
  const many = Array.from({ length: 25 }, (_, i) => JSON.stringify(record(i))).join('\n');
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'many.ndjson');
    writeFileSync(path, many);
    const store = memorySink();
    const seen: number[] = [];
    const summary = await importFiles([path], {
      sink: store.sink,
      rejects: memoryRejects(),
      batchSize: 10,
      onProgress: (p) => seen.push(p.records),
    });
    assert.equal(summary.imported, 25);
    assert.equal(store.calls, 3);
    assert.equal(seen.at(-1), 25);
  } finally {
    cleanup();
  }
});

test('a sink storing several batches at once: results, rejects, conflicts and progress stay in file order', async () => {
  // 40 records in batches of 4 with bad rows among them; records 5 and 27 come again with other content
  // (conflicts), 12 again the same (a duplicate).
  const lines = Array.from({ length: 40 }, (_, i) => (i % 9 === 4 ? '{"cut' : JSON.stringify(record(i))));
  lines.push(JSON.stringify(record(5, { ResultStatus: 'False' })), JSON.stringify(record(12)));
  lines.push(JSON.stringify(record(27, { ResultStatus: 'False' })));
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'many.ndjson');
    writeFileSync(path, lines.join('\n'));
    const outcomes = [];
    for (const concurrency of [1, 3]) {
      const store = memorySink();
      let open = 0;
      let most = 0;
      let call = 0;
      // Each batch answers after a number of turns of its own, so later batches finish before earlier ones.
      const sink = async (records: Parameters<typeof store.sink>[0]) => {
        const turns = [5, 0, 2][call++ % 3]!;
        most = Math.max(most, ++open);
        for (let t = 0; t < turns; t++) await Promise.resolve();
        open--;
        const result = await store.sink(records);
        const conflicts = records
          .map((r, i) => (r.raw.includes('"ResultStatus":"False"') ? i : -1))
          .filter((i) => i >= 0);
        return conflicts.length ? { ...result, duplicates: result.duplicates - conflicts.length, conflicts } : result;
      };
      const rejects = memoryRejects();
      const progress: number[] = [];
      const summary = await importFiles([path], {
        sink,
        sinkConcurrency: concurrency,
        rejects,
        batchSize: 4,
        onProgress: (p) => progress.push(p.records),
      });
      assert.ok(most <= concurrency, `at most ${concurrency} batches stored at once (${most})`);
      if (concurrency > 1) assert.ok(most > 1, 'batches were stored side by side');
      outcomes.push({ summary, rejects: rejects.rejects, progress });
    }
    assert.deepEqual(outcomes[1], outcomes[0]);
    const [sequential] = outcomes;
    assert.equal(sequential!.summary.conflicts, 2);
    assert.equal(sequential!.summary.duplicates, 1);
    assert.deepEqual(
      sequential!.rejects.map((r) => r.line),
      [5, 14, 23, 32, 41, 43],
      'cut rows and conflicts by line, in file order',
    );
  } finally {
    cleanup();
  }
});

test('an aborted import stops with CANCELLED after storing what it read', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    importFiles(['/nonexistent'], { sink: memorySink().sink, rejects: memoryRejects(), signal: controller.signal }),
    { code: 'CANCELLED' },
  );
});

test('parallel (a worker thread reads and normalizes) gives the same records, rejects and summary', async () => {
  // Two records that are not pure ASCII (one in the middle of a batch), the rest are: each record's raw is
  // the text it was given, whichever way it crossed.
  const many = Array.from({ length: 23 }, (_, i) =>
    i === 7 ? '{"cut' : JSON.stringify(record(i, i % 9 === 3 ? { UserId: `Zoë${i}@Contoso.com` } : {})),
  ).join('\n');
  const csv = [
    'CreationDate,UserIds,Operations,AuditData',
    ...[30, 31].map((i) => `d,u,o,${csvCell(JSON.stringify(record(i)))}`),
    'd,u,o,"{"bad"}"',
  ].join('\r\n');
  const { dir, cleanup } = tempDir();
  try {
    const paths = [join(dir, 'many.ndjson'), join(dir, 'rows.csv'), join(dir, 'missing.json')];
    writeFileSync(paths[0]!, many);
    writeFileSync(paths[1]!, iconv.encode(csv, 'utf16le'));
    const outcomes = [];
    for (const parallel of [false, true]) {
      const store = memorySink();
      const rejects = memoryRejects();
      const summary = await importFiles(paths, { sink: store.sink, rejects, batchSize: 5, parallel });
      assert.deepEqual(
        summary.files.map((f) => f.worker),
        paths.map(() => parallel),
        'each file says how it was read',
      );
      assert.equal(store.keyed, parallel ? store.calls : 0, "the worker sends each batch's store keys");
      for (const { record: r, keys } of store.keys) {
        const { rawBytes, ...derived } = keys;
        assert.deepEqual(derived, recordKeys(r), 'as the store derives them');
        // raw's UTF-8 bytes come along (packed-records.test.ts: a raw UTF-8 cannot carry stays text).
        assert.deepEqual(Buffer.from(rawBytes!), Buffer.from(r.raw, 'utf8'), `raw's bytes: ${r.raw.slice(0, 60)}`);
      }
      const files = summary.files.map((f) => ({ ...f, worker: false }));
      outcomes.push({ summary: { ...summary, files }, records: [...store.records.values()], rejects: rejects.rejects });
    }
    assert.deepEqual(outcomes[1], outcomes[0]);
    assert.deepEqual(totals(outcomes[0]!.summary), {
      read: 26,
      imported: 24,
      duplicates: 0,
      rejected: 2,
      failedFiles: 1,
    });
  } finally {
    cleanup();
  }
});

test('an OrganizationId or Id in upper case in one file and lower case in another: one tenant, each record once', async () => {
  const upper = (i: number) => record(i, { OrganizationId: ORG.toUpperCase(), Id: String(record(i).Id).toUpperCase() });
  const ndjson = [1, 2, 3].map((i) => JSON.stringify(upper(i))).join('\n');
  const csv = [
    'CreationDate,UserIds,Operations,AuditData',
    ...[2, 3, 4].map((i) => `d,u,o,${csvCell(JSON.stringify(record(i)))}`),
  ];
  for (const parallel of [false, true]) {
    const { dir, cleanup } = tempDir();
    try {
      const paths = [join(dir, 'upper.ndjson'), join(dir, 'lower.csv')];
      writeFileSync(paths[0]!, ndjson);
      writeFileSync(paths[1]!, csv.join('\r\n'));
      const store = memorySink();
      const summary = await importFiles(paths, { sink: store.sink, rejects: memoryRejects(), parallel });
      assert.deepEqual([summary.imported, summary.duplicates], [4, 2], `parallel: ${parallel}`);
      assert.deepEqual(new Set([...store.records.values()].map((r) => r.tenant)), new Set([ORG]), 'one tenant key');
      const first = store.records.get(`${ORG}\u0000${String(record(1).Id)}`);
      assert.deepEqual(first?.receivedKey, { tenant: ORG.toUpperCase(), id: String(record(1).Id).toUpperCase() });
      assert.equal(first?.raw, JSON.stringify(upper(1)), 'raw as the file wrote it');
    } finally {
      cleanup();
    }
  }
});

test("parallel: 'auto' samples the machine for a mid-sized file only; a large one gets the worker on any second core", async () => {
  const MB = 1 << 20;
  let sampled = 0;
  const idle = (cores: number) => async () => {
    sampled++;
    return cores;
  };
  assert.equal(await chooseWorker(10 * MB, 2, idle(2)), false, 'a small file is parsed on the importing thread');
  assert.equal(await chooseWorker(64 * MB, 2, idle(2)), true, 'a free second core: the worker');
  assert.equal(await chooseWorker(64 * MB, 2, idle(0.4)), false, 'a busy machine at the sample: no worker');
  assert.equal(sampled, 2, 'only the mid-sized file was sampled');
  assert.equal(
    await chooseWorker(2_000 * MB, 2, idle(0.4)),
    true,
    'busy for a moment, but the import runs for minutes',
  );
  assert.equal(await chooseWorker(2_000 * MB, 1, idle(0.4)), false, 'one core: nothing to overlap with');
  assert.equal(sampled, 2);
});
