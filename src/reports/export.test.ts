import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportColumns, reportCsvChunks, reportJsonText } from './export.js';
import { REPORTS } from './registry.js';
import type { ReportResult, ReportRow } from './types.js';

function result(report: string, rows: ReportRow[]): ReportResult {
  return {
    report,
    parameters: { start: '2026-03-05T00:00:00Z', end: '2026-03-12T00:00:00Z' },
    summary: {
      records: 0,
      rows: rows.length,
      byUser: [],
      byOperation: [],
      byWorkload: [],
      byDay: [],
      byTenant: [],
      totals: {},
    },
    rows,
  };
}

async function csv(r: ReportResult): Promise<string> {
  let text = '';
  for await (const chunk of reportCsvChunks(r)) text += chunk;
  return text;
}

test("every report's CSV has its header with no rows (it was a bare BOM: the columns came from the rows)", async () => {
  for (const def of REPORTS) {
    const text = await csv(result(def.id, []));
    const header = ['tenant', 'tenantName', ...def.columns.filter((c) => c !== 'tenant')].join(',');
    assert.equal(text, `\uFEFF${header}\r\n`, def.id);
    assert.ok(def.columns.includes('tenant') && new Set(def.columns).size === def.columns.length, def.id);
  }
  // json stays the whole result, with no rows.
  assert.deepEqual(JSON.parse(reportJsonText(result('sign-ins', []))).rows, []);
});

test('the header is the same whichever kinds of rows a run found; a row lacking a column leaves it empty', async () => {
  const burst = {
    tenant: 't',
    kind: 'failure-burst',
    user: 'a@x',
    failures: 12,
    clientIp: '203.0.113.7',
    first: 'f',
    last: 'l',
  };
  const mfa = { tenant: 't', id: 'r1', time: 'f', user: 'a@x', kind: 'mfa', change: 'Disable Strong Authentication' };
  const header = (await csv(result('sign-ins', []))).split('\r\n')[0];
  const one = (await csv(result('sign-ins', [burst]))).split('\r\n');
  const two = (await csv(result('sign-ins', [mfa, burst]))).split('\r\n');
  assert.equal(one[0], header);
  assert.equal(two[0], header);
  assert.equal(one[1], 't,,failure-burst,a@x,203.0.113.7,,,12,,f,l,,,,,,');
});

test("a field no column declares is kept, after the declared ones; a result of no known report has its rows' fields", () => {
  const row = { tenant: 't', id: 'r1', surprise: 1 };
  assert.deepEqual(reportColumns(result('audit-tampering', [row])).slice(-3), ['target', 'findings', 'surprise']);
  assert.deepEqual(reportColumns(result('not-a-report', [row])), ['tenant', 'id', 'surprise']);
});
