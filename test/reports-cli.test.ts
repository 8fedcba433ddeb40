import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppError } from '../src/core/errors.js';
import { parseFlags, render } from '../src/cli/commands/report.js';
import type { ReportResult } from '../src/reports/types.js';

test('report flags: repeated flags become lists, kebab-case becomes camelCase, --format is taken out', () => {
  const { params, format } = parseFlags(['--tenant', 'a', '--tenant=b', '--burst-threshold', '5', '--format', 'json']);
  assert.deepEqual(params, { tenant: ['a', 'b'], burstThreshold: '5' });
  assert.equal(format, 'json');
  assert.throws(() => parseFlags(['--user']), (e: AppError) => e.code === 'USAGE');
  assert.throws(() => parseFlags(['--format', 'xml']), (e: AppError) => e.code === 'USAGE');
});

const result: ReportResult = {
  report: 'inbox-rules',
  parameters: { start: '2026-03-05T00:00:00Z', end: '2026-03-12T00:00:00Z' },
  summary: { records: 1, rows: 1, byUser: [], byOperation: [], byWorkload: [], byDay: [], byTenant: [], totals: { flagged: 1 } },
  rows: [{ tenant: 't', id: 'r1', rule: '=HYPERLINK("x")', findings: 'deletes messages, marks read' }],
};

test('--format json prints report, parameters, summary and rows', () => {
  const parsed = JSON.parse(render(result, 'json'));
  assert.deepEqual(Object.keys(parsed), ['report', 'parameters', 'summary', 'rows']);
  assert.equal(parsed.rows[0].id, 'r1');
});

test('--format csv quotes and defuses formulas; table shows totals and columns', () => {
  const csv = render(result, 'csv');
  assert.equal(csv.split('\r\n')[0], 'tenant,id,rule,findings');
  assert.ok(csv.includes(`"'=HYPERLINK(""x"")"`));
  assert.ok(csv.includes('"deletes messages, marks read"'));
  assert.match(render(result, 'table'), /flagged: 1[\s\S]*tenant\s+id\s+rule/);
});
