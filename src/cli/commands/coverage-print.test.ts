import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { CoverageSummary, Gap } from '../../coverage/types.js';
import { renderCoverage } from './coverage-print.js';

const T0 = Date.UTC(2026, 10, 1);
const HOUR = 3_600_000;

function text(stream: PassThrough): string {
  return (stream.read() as Buffer | null)?.toString() ?? '';
}

/** One tenant with one stream and one failed window whose reason (and the tenant's note) is `evil`. */
function oneGap(evil: string): CoverageSummary {
  const gap: Gap = {
    tenant: 't1',
    name: 'contoso',
    stream: 'Audit.General',
    start: T0,
    end: T0 + HOUR,
    state: 'failed',
    reason: evil,
    lastError: evil,
    filledBy: null,
  };
  return {
    streams: [
      {
        tenant: 't1',
        name: 'contoso',
        stream: 'Audit.General',
        kind: 'live',
        from: T0,
        to: T0 + HOUR,
        windows: 1,
        planned: 0,
        listed: 0,
        fetched: 0,
        failed: 1,
        expired: 0,
        blobs: 0,
        blobIssues: 0,
        records: 0,
        newRecords: 0,
        checkpoint: null,
        gaps: [gap],
        filled: [],
      },
    ],
    tenants: [
      {
        tenant: 't1',
        name: 'contoso',
        removed: null,
        streams: 1,
        gaps: 1,
        filled: 0,
        auditing: {
          checkedAt: T0,
          unifiedAuditLog: 'on',
          mailboxAuditing: 'on',
          recordsNothing: false,
          requested: null,
          note: evil,
        },
      },
    ],
  };
}

test('the coverage table never sends a control character from a stored reason or note to the terminal', async () => {
  const evil = 'Throttled\u001b]0;owned\u0007\r\nfake line\u202e';
  const summary = oneGap(evil);
  for (const gapsOnly of [false, true]) {
    const out = new PassThrough();
    const err = new PassThrough();
    await renderCoverage(summary, { format: 'table', gapsOnly }, out, err);
    const shown = text(out);
    assert.match(shown, /Throttled/);
    assert.doesNotMatch(shown, /[\u001b\u0007\r\u202e]/);
    assert.ok(!shown.includes('\nfake line'), 'a newline in a reason does not start a line of its own');
  }
  // JSON keeps the reason exactly as stored.
  const out = new PassThrough();
  await renderCoverage(summary, { format: 'json', gapsOnly: true }, out, new PassThrough());
  assert.equal((JSON.parse(text(out)) as { gaps: { reason: string }[] }).gaps[0]!.reason, evil);
});

test('coverage csv opens safely in Excel: a byte order mark first, a cell starting with = neutralized', async () => {
  for (const gapsOnly of [false, true]) {
    const out = new PassThrough();
    await renderCoverage(oneGap('=HYPERLINK("http://x")'), { format: 'csv', gapsOnly }, out, new PassThrough());
    const csv = text(out);
    assert.ok(
      csv.startsWith(gapsOnly ? '\uFEFFtenant,stream,start,end,state,reason\r\n' : '\uFEFFtenant,stream,from,'),
    );
    if (gapsOnly) assert.match(csv, /,failed,"'=HYPERLINK\(""http:\/\/x""\)"\r\n$/);
  }
});

test('coverage json and jsonl say a missing time as null, as every listing does; the table leaves it blank', async () => {
  const summary = oneGap('Throttled');
  const json = new PassThrough();
  await renderCoverage(summary, { format: 'json', gapsOnly: false }, json, new PassThrough());
  const body = JSON.parse(text(json)) as { rows: { checkpoint: unknown }[]; tenants: { auditing: object }[] };
  // It said "" where the stream had no checkpoint yet, beside null for an absent filledBy.
  assert.equal(body.rows[0]!.checkpoint, null);
  const jsonl = new PassThrough();
  await renderCoverage(summary, { format: 'jsonl', gapsOnly: false }, jsonl, new PassThrough());
  assert.equal((JSON.parse(text(jsonl)) as { checkpoint: unknown }).checkpoint, null);
  const table = new PassThrough();
  await renderCoverage(summary, { format: 'table', gapsOnly: false }, table, new PassThrough());
  assert.doesNotMatch(text(table), /null/);
});

test('the coverage table aligns its counts right, so a stream of 12,345 records lines up under one of 7', async () => {
  const summary = oneGap('Throttled');
  const second = { ...summary.streams[0]!, stream: 'Audit.Exchange' as const, records: 12345, blobs: 120, gaps: [] };
  summary.streams[0] = { ...summary.streams[0]!, records: 7 };
  summary.streams.push(second);
  const out = new PassThrough();
  await renderCoverage(summary, { format: 'table', gapsOnly: false }, out, new PassThrough());
  const [head, first, next] = text(out).split('\n');
  const end = head!.indexOf('records') + 'records'.length;
  assert.equal(first!.slice(0, end).trimEnd().endsWith(' 7'), true, first);
  assert.equal(next!.slice(0, end).endsWith('12345'), true, next);
  // Text columns stay left: the stream names start where their header does.
  assert.equal(first!.indexOf('Audit.General'), head!.indexOf('stream'));
});

test("the coverage table shows Microsoft's delivered records and those stored apart: re-delivered copies are not new", async () => {
  const summary = oneGap('');
  summary.streams[0] = { ...summary.streams[0]!, records: 120, newRecords: 100 };
  for (const format of ['table', 'csv'] as const) {
    const out = new PassThrough();
    await renderCoverage(summary, { format, gapsOnly: false }, out, new PassThrough());
    const lines = text(out)
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/);
    const head = lines[0]!.split(format === 'csv' ? ',' : /\s{2,}/);
    const row = lines[1]!.split(format === 'csv' ? ',' : /\s{2,}/);
    assert.equal(row[head.indexOf('records')], '120', format);
    assert.equal(row[head.indexOf('stored')], '100', format);
  }
});
