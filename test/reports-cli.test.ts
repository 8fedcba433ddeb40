import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { AppError } from '../src/core/errors.js';
import { parseFlags, writeResult } from '../src/cli/commands/report.js';
import type { ListingFormat } from '../src/cli/output.js';
import type { ReportResult } from '../src/reports/types.js';

test('report flags: repeated flags become lists, kebab-case becomes camelCase, --format is taken out', () => {
  const { params, format } = parseFlags(['--tenant', 'a', '--tenant=b', '--burst-threshold', '5', '--format', 'json']);
  assert.deepEqual(params, { tenant: ['a', 'b'], burstThreshold: '5' });
  assert.equal(format, 'json');
  assert.equal(parseFlags(['--format', 'JSONL']).format, 'jsonl');
  assert.throws(
    () => parseFlags(['--user']),
    (e: AppError) => e.code === 'USAGE',
  );
  assert.throws(
    () => parseFlags(['--format', 'xml']),
    (e: AppError) => e.code === 'USAGE',
  );
  assert.throws(
    () => parseFlags(['stray']),
    (e: AppError) => e.code === 'USAGE',
  );
});

const result: ReportResult = {
  report: 'inbox-rules',
  parameters: { start: '2026-03-05T00:00:00Z', end: '2026-03-12T00:00:00Z' },
  summary: {
    records: 1,
    rows: 1,
    byUser: [],
    byOperation: [],
    byWorkload: [],
    byDay: [],
    byTenant: [],
    totals: { flagged: 1 },
  },
  rows: [{ tenant: 't', id: 'r1', rule: '=HYPERLINK("x")', findings: 'deletes messages, marks read' }],
};

async function printed(format: ListingFormat): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString('utf8')));
  await writeResult({ out }, result, format);
  return text;
}

test('--format json prints report, parameters, summary and rows', async () => {
  const parsed = JSON.parse(await printed('json'));
  assert.deepEqual(Object.keys(parsed), ['report', 'parameters', 'summary', 'rows']);
  assert.equal(parsed.rows[0].id, 'r1');
});

test('--format csv is the search CSV: BOM, header, quoting and defused formulas; jsonl is one row per line', async () => {
  const csv = await printed('csv');
  assert.equal(csv.split('\r\n')[0], '\uFEFFtenant,id,rule,findings');
  assert.ok(csv.includes(`"'=HYPERLINK(""x"")"`));
  assert.ok(csv.includes('"deletes messages, marks read"'));
  assert.deepEqual(
    (await printed('jsonl'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id),
    ['r1'],
  );
});

test('--format table shows the period and totals, then the rows with a count', async () => {
  assert.match(await printed('table'), /inbox-rules: 1 rows[\s\S]*flagged: 1[\s\S]*tenant\s+id\s+rule[\s\S]*1 row\n$/);
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString('utf8')));
  await writeResult({ out }, { ...result, rows: [] }, 'table');
  assert.match(text, /flagged: 1\n\nNo findings\.\n$/);
});
