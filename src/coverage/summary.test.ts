import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BlobRow, CoverageWindow, LedgerStream } from '../store/contract.js';
import { summarizeLedger } from './summary.js';
import type { StreamSummary } from './types.js';

const H = 3_600_000;
const T = { tenantId: 't1', name: 'one' };

function w(
  start: number,
  end: number,
  state: CoverageWindow['state'],
  over: Partial<CoverageWindow> = {},
): CoverageWindow {
  return {
    tenant: T.tenantId,
    stream: 'Audit.Exchange',
    start: start * H,
    end: end * H,
    kind: 'window',
    state,
    cause: null,
    queriedStart: null,
    fetchedTo: null,
    blobsListed: 1,
    blobsFetched: 1,
    blobsFailed: 0,
    records: 10,
    newRecords: 8,
    attempts: 1,
    lastError: null,
    updatedAt: 0,
    ...over,
  };
}

function blob(at: number, status: BlobRow['status'], over: Partial<BlobRow> = {}): BlobRow {
  return {
    tenant: T.tenantId,
    contentType: 'Audit.Exchange',
    contentId: `blob-${at}-${status}`,
    contentUri: 'https://manage.office.com/x',
    contentCreated: at * H,
    contentExpiration: null,
    fetchedAt: 0,
    records: status === 'fetched' ? 7 : 0,
    newRecords: status === 'fetched' ? 5 : 0,
    sha256: status === 'fetched' ? 'a'.repeat(64) : null,
    status,
    reason: status === 'fetched' ? null : `${status} by the API`,
    windowStart: Math.floor(at / 24) * 24 * H,
    ...over,
  };
}

function summary(windows: CoverageWindow[], blobs: BlobRow[] = []): StreamSummary[] {
  return summarizeLedger({ tenants: [T], windows, blobs, checkpoints: [] }).streams;
}

const spans = (s: StreamSummary, which: 'gaps' | 'filled' = 'gaps') =>
  s[which].map((g) => [g.start / H, g.end / H, g.state, ...(which === 'filled' ? [g.filledBy] : [])]);

test('holes between windows, windows not fetched and a later horizon slice are gaps, oldest first', () => {
  const [s] = summary([
    w(0, 24, 'fetched'),
    w(24, 48, 'failed', { lastError: 'AF50000' }),
    w(48, 72, 'partial', { lastError: '1 blob could not be fetched' }),
    w(80, 96, 'fetched', { queriedStart: 84 * H }),
    w(96, 120, 'expired'),
    w(120, 144, 'listed'),
  ]);
  assert.deepEqual(spans(s!), [
    [24, 48, 'failed'],
    [48, 72, 'partial'],
    [72, 80, 'hole'],
    [80, 84, 'expired'],
    [96, 120, 'expired'],
    [120, 144, 'listed'],
  ]);
  assert.match(s!.gaps[0]!.reason, /listing failed: AF50000/);
  assert.equal(s!.gaps[0]!.lastError, 'AF50000');
  assert.deepEqual(
    [s!.windows, s!.fetched, s!.listed, s!.failed, s!.expired, s!.from, s!.to],
    [6, 2, 1, 2, 2, 0, 144 * H],
  );
});

test('the first window listed from the horizon is where coverage begins, not a loss; the same slice later is', () => {
  const [fresh] = summary([w(0, 24, 'fetched', { queriedStart: 12 * H }), w(24, 48, 'fetched')]);
  assert.deepEqual(spans(fresh!), []);
  assert.equal(fresh!.from, 12 * H);
  assert.equal(fresh!.expired, 0);
  const [late] = summary([w(0, 24, 'expired'), w(24, 48, 'fetched', { queriedStart: 30 * H })]);
  assert.deepEqual(spans(late!), [
    [0, 24, 'expired'],
    [24, 30, 'expired'],
  ]);
  assert.equal(late!.expired, 2, 'the table counts both expired stretches the gap list shows');
});

test('a horizon slice is known by its kind: where coverage began, a gap of the window holding it, not a window', () => {
  const slice = w(6, 8, 'expired', {
    kind: 'horizon-slice',
    queriedStart: 6 * H,
    lastError: "planned, but passed the API's 7-day horizon before it was fetched",
  });
  const [s] = summary([slice, w(0, 24, 'fetched', { queriedStart: 8 * H }), w(24, 48, 'fetched')]);
  assert.equal(s!.from, 6 * H);
  assert.deepEqual(spans(s!), [[6, 8, 'expired']]);
  assert.deepEqual([s!.windows, s!.expired], [2, 1]);
});

test('time that passed the horizon while a new subscription awaited its first content reads as not collectable, not lost', () => {
  const waited = {
    cause: 'awaiting-first-content' as const,
    lastError: 'not collectable before the subscription started',
  };
  const slice = (start: number, end: number, over: Partial<CoverageWindow> = {}) =>
    w(start, end, 'expired', { kind: 'horizon-slice', queriedStart: start * H, ...over });
  const [s] = summary([
    slice(6, 20, waited),
    w(0, 24, 'expired', { ...waited, queriedStart: 6 * H }),
    slice(24, 26, waited),
    slice(26, 27),
    w(24, 48, 'fetched', { queriedStart: 27 * H }),
  ]);
  assert.equal(s!.from, 6 * H, 'coverage begins where the first run began');
  assert.deepEqual(spans(s!), [
    [6, 24, 'not collectable'],
    [24, 26, 'not collectable'],
    [26, 27, 'expired'],
  ]);
  assert.match(s!.gaps[0]!.reason, /^not collectable before the subscription started: .*first content/);
  assert.match(s!.gaps[2]!.reason, /behind the 7-day horizon when this window was listed/);
  assert.deepEqual([s!.expired, s!.failed, s!.windows], [1, 0, 2], 'only the lost hour counts as expired');

  const graph = w(0, 30, 'fetched', { stream: 'graph' as LedgerStream, queriedStart: 0 });
  const [filled] = summary([
    slice(6, 20, waited),
    w(0, 24, 'expired', { ...waited, queriedStart: 6 * H }),
    w(24, 48, 'fetched'),
    graph,
  ]);
  assert.deepEqual(spans(filled!), [], 'a history fill covers it like any gap');
  assert.deepEqual(spans(filled!, 'filled'), [[6, 24, 'not collectable', 'graph']]);
});

test('blobs not fetched are gaps at their time, counted as blob issues; expired ones exactly once', () => {
  const [s] = summary(
    [w(0, 24, 'fetched'), w(24, 48, 'partial')],
    [blob(2, 'fetched'), blob(3, 'expired'), blob(30, 'refused'), blob(31, 'fetched')],
  );
  assert.deepEqual(spans(s!), [
    [3, 3, 'blob expired'],
    [24, 48, 'partial'],
    [30, 30, 'blob refused'],
  ]);
  assert.equal(s!.blobIssues, 2);
  assert.equal(s!.expired, 0, "an expired blob is a blob issue, listed as 'blob expired', not an expired window");
  assert.equal(s!.gaps.filter((g) => g.state.startsWith('blob ')).length, s!.blobIssues);
  assert.deepEqual([s!.blobs, s!.records, s!.newRecords], [2, 20, 16], "the windows' counts of their fetched blobs");
});

test('a later history fill covers what it spans: whole gaps are filled, partly covered ones split', () => {
  const graph = (start: number, end: number, state: CoverageWindow['state'] = 'fetched') =>
    w(start, end, state, { stream: 'graph' as LedgerStream, queriedStart: start * H, records: 40, newRecords: 3 });
  const [exchange, history] = summary(
    [w(0, 24, 'expired'), w(24, 48, 'failed'), w(48, 72, 'fetched'), graph(-12, 36)],
    [blob(50, 'expired')],
  );
  assert.equal(exchange!.stream, 'Audit.Exchange');
  assert.deepEqual(spans(exchange!), [
    [36, 48, 'failed'],
    [50, 50, 'blob expired'],
  ]);
  assert.deepEqual(spans(exchange!, 'filled'), [
    [0, 24, 'expired', 'graph'],
    [24, 36, 'failed', 'graph'],
  ]);
  assert.deepEqual([exchange!.expired, exchange!.failed, exchange!.blobIssues], [0, 1, 1]);
  assert.equal(history!.kind, 'history');
  assert.deepEqual([history!.records, history!.newRecords, history!.gaps.length], [40, 3, 0]);

  const [, again] = summary([w(0, 24, 'fetched'), graph(-48, -24, 'failed'), graph(-60, 0, 'fetched')]);
  assert.deepEqual(spans(again!), [], 'a failed history window is filled by a later one over the same range');
  assert.deepEqual(spans(again!, 'filled'), [[-48, -24, 'failed', 'graph']]);
});

test('streams per tenant in the order asked, alphabetical within; tenants without windows are still listed', () => {
  const out = summarizeLedger({
    tenants: [T, { tenantId: 't0', name: 'zero' }],
    windows: [
      w(0, 24, 'fetched', { stream: 'Audit.SharePoint' }),
      w(0, 24, 'failed'),
      w(0, 24, 'fetched', { tenant: 'x' }),
    ],
    blobs: [],
    checkpoints: [{ tenant: T.tenantId, stream: 'Audit.SharePoint', position: 24 * H, updatedAt: 0 }],
  });
  assert.deepEqual(
    out.streams.map((s) => [s.name, s.stream, s.checkpoint, s.gaps.length]),
    [
      ['one', 'Audit.Exchange', null, 1],
      ['one', 'Audit.SharePoint', 24 * H, 0],
    ],
  );
  assert.deepEqual(
    out.tenants.map((t) => [t.name, t.streams, t.gaps, t.auditing.unifiedAuditLog]),
    [
      ['one', 2, 1, 'unknown'],
      ['zero', 0, 0, 'unknown'],
    ],
  );
});

test('history older than the tenant keeps (cause beyond-retention) is no gap; an expired history window otherwise is', () => {
  const cmdlet = (start: number, end: number, state: CoverageWindow['state'], over: Partial<CoverageWindow> = {}) =>
    w(start, end, state, { stream: 'search-unified-audit-log' as LedgerStream, queriedStart: start * H, ...over });
  const [, history] = summary([
    w(0, 24, 'fetched'),
    cmdlet(-400, -200, 'expired', {
      cause: 'beyond-retention',
      lastError: "older than the tenant's retention (180 days); Microsoft no longer keeps these records",
    }),
    // The words decide nothing: a history window that only says so is still a gap.
    cmdlet(-200, -150, 'expired', { lastError: 'UNAVAILABLE: the session expired' }),
    cmdlet(-150, 0, 'fetched'),
  ]);
  assert.deepEqual(spans(history!), [[-200, -150, 'expired']]);
});

test('the rest of a day fetched up to an earlier run that passed the horizon unlisted is expired, not a hole', () => {
  const slice = w(12, 24, 'expired', { kind: 'horizon-slice', queriedStart: 12 * H });
  const [s] = summary([
    w(0, 12, 'fetched'),
    slice,
    w(24, 48, 'expired'),
    w(48, 72, 'fetched', { queriedStart: 60 * H }),
  ]);
  assert.deepEqual(spans(s!), [
    [12, 24, 'expired'],
    [24, 48, 'expired'],
    [48, 60, 'expired'],
  ]);
  assert.equal(s!.from, 0, 'coverage began with the first window');
  const [tail] = summary([w(0, 12, 'fetched'), slice]);
  assert.deepEqual(spans(tail!), [[12, 24, 'expired']], 'also after the last window');
});

test('a window listed again from the horizon after its head was fetched (fetchedTo): only the rest is lost', () => {
  // Day 1 fetched to its noon by a run before an outage, listed again from 18:00 (the horizon) after it.
  const slice = w(36, 42, 'expired', { kind: 'horizon-slice', queriedStart: 36 * H });
  const [s] = summary([w(0, 24, 'fetched'), w(24, 48, 'fetched', { queriedStart: 42 * H, fetchedTo: 36 * H }), slice]);
  assert.deepEqual(spans(s!), [[36, 42, 'expired']]);
  assert.equal(s!.expired, 1);
  // The horizon inside the head: nothing lost.
  const [inside] = summary([w(0, 24, 'fetched'), w(24, 48, 'fetched', { queriedStart: 30 * H, fetchedTo: 36 * H })]);
  assert.deepEqual(spans(inside!), []);
  // The stream's first window: coverage began at its start, where its head was listed from.
  const [first] = summary([w(24, 48, 'fetched', { queriedStart: 42 * H, fetchedTo: 36 * H }), slice]);
  assert.equal(first!.from, 24 * H);
  assert.deepEqual(spans(first!), [[36, 42, 'expired']]);
  // Listing it from the horizon failed: the head is still no gap, the rest is.
  const [failed] = summary([
    w(0, 24, 'fetched'),
    w(24, 48, 'failed', { queriedStart: 42 * H, fetchedTo: 36 * H, lastError: 'AF50000' }),
    slice,
  ]);
  assert.deepEqual(spans(failed!), [
    [36, 42, 'expired'],
    [42, 48, 'failed'],
  ]);
});
