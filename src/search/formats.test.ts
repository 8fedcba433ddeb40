import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import type { StoredRecord } from '../core/record.js';
import { csvCell, csvLine, UTF8_BOM } from './csv.js';
import { recordChunks, RECORD_CSV_HEADER, toRecordView, type RecordFormat } from './formats.js';
import { tableCell } from './table.js';

function record(over: Partial<StoredRecord> = {}): StoredRecord {
  const raw = JSON.stringify({
    Id: 'a1',
    Operation: 'FileAccessed',
    ObjectId: 'https://contoso.sharepoint.com/a, "b".docx',
    Note: 'line1\r\nline2',
  });
  return {
    tenant: 't1',
    id: 'a1',
    creationTime: Date.UTC(2026, 10, 1, 8, 30, 5, 120),
    recordType: 6,
    operation: 'FileAccessed',
    workload: 'SharePoint',
    userId: 'Alice@Contoso.com',
    userKey: 'alice@contoso.com',
    userType: 0,
    clientIp: '203.0.113.7',
    clientPort: 443,
    objectId: 'https://contoso.sharepoint.com/a, "b".docx',
    resultStatus: 'Succeeded',
    outcome: 'success',
    organizationId: 't1',
    source: 'import',
    contentType: null,
    userAgent: null,
    appId: null,
    logonType: null,
    raw,
    ingestedAt: 0,
    ...over,
  };
}

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}

async function render(
  format: RecordFormat,
  rows: StoredRecord[],
  count?: number,
): Promise<{ text: string; written: number }> {
  const gen = recordChunks(format, from(rows), count === undefined ? {} : { count });
  let text = '';
  for (;;) {
    const next = await gen.next();
    if (next.done) return { text, written: next.value };
    text += next.value;
  }
}

test('CSV cells: RFC 4180 quoting, formula starts neutralized, numbers untouched', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  for (const bad of ['=1+2', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
    assert.ok(csvCell(bad).replace(/^"/, '').startsWith("'"), bad);
  assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  assert.equal(csvCell(-5), '-5');
  assert.equal(csvCell(null), '');
  assert.equal(csvLine(['a', 1, null]), 'a,1,\r\n');
});

test('record CSV: BOM, header, ISO UTC time, AuditData whole in one column; a CSV parser reads it back', async () => {
  const evil = record({ id: 'a2', userId: '=cmd|" /C calc"!A0', operation: '@SUM(1)' });
  const { text, written } = await render('csv', [record(), evil]);
  assert.equal(written, 2);
  assert.ok(text.startsWith(UTF8_BOM));
  const rows = parse<Record<string, string>>(text.slice(1), { columns: true, relax_column_count: false });
  assert.deepEqual(Object.keys(rows[0]!), RECORD_CSV_HEADER);
  assert.equal(rows.length, 2);
  assert.equal(rows[0]!.CreationTime, '2026-11-01T08:30:05.120Z');
  assert.equal(rows[0]!.AuditData, record().raw, 'the raw record survives byte for byte, CRLF and quotes included');
  assert.equal(rows[0]!.RecordTypeName, 'SharePointFileOperation');
  assert.equal(rows[1]!.UserId, `'=cmd|" /C calc"!A0`);
  assert.equal(rows[1]!.Operation, `'@SUM(1)`);
});

test('record view carries the derived fields and the parsed AuditData', () => {
  const v = toRecordView(record());
  assert.equal(v.creationTime, '2026-11-01T08:30:05.120Z');
  assert.equal(v.recordTypeName, 'SharePointFileOperation');
  assert.equal((v.auditData as { Note: string }).Note, 'line1\r\nline2');
  assert.equal(toRecordView(record({ recordType: 9999 })).recordTypeName, 'RecordType_9999');
  assert.equal(toRecordView(record({ raw: 'not json' })).auditData, 'not json', 'unparseable raw is kept as text');
});

test('json is {"count": N, "records": [...]} with the count of all matches; jsonl one object per line', async () => {
  const rows = [record(), record({ id: 'a2' })];
  const json = await render('json', rows, 57);
  const parsed = JSON.parse(json.text) as { count: number; records: { id: string }[] };
  assert.equal(parsed.count, 57);
  assert.deepEqual(
    parsed.records.map((r) => r.id),
    ['a1', 'a2'],
  );
  assert.deepEqual(JSON.parse((await render('json', [], 0)).text), { count: 0, records: [] });
  const lines = (await render('jsonl', rows)).text.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.equal((JSON.parse(lines[1]!) as { id: string }).id, 'a2');
});

test('table: aligned columns, wide cells cut, control characters blanked, footer with the count', async () => {
  const wide = record({
    objectId: 'https://contoso.sharepoint.com/' + 'x'.repeat(200),
    userId: 'bob\u001b[31m@x.com\nnext',
  });
  const { text } = await render('table', [record(), wide], 12_345);
  const lines = text.trimEnd().split('\n');
  assert.match(lines[0]!, /^TIME \(UTC\)\s+USER\s+OPERATION/);
  assert.equal(lines[2]!.indexOf('FileAccessed'), lines[0]!.indexOf('OPERATION'), 'columns line up');
  assert.equal(lines[3]!.indexOf('FileAccessed'), lines[0]!.indexOf('OPERATION'));
  assert.ok(lines[3]!.includes('…'), 'a wide cell is truncated');
  assert.ok(!text.includes('\u001b'), 'no escape sequence reaches the terminal');
  assert.equal(lines.at(-1), '2 shown of 12,345 matching records');
  assert.equal((await render('table', [record()])).text.trimEnd().split('\n').at(-1), '1 matching record');
  assert.equal(tableCell('a\tb'), 'a b');
});
