import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CoverageWindow } from '../store/contract.js';
import { summarizeCoverage } from './coverage.js';

const H = 3_600_000;
function w(
  start: number,
  end: number,
  state: CoverageWindow['state'],
  over: Partial<CoverageWindow> = {},
): CoverageWindow {
  return {
    tenant: 't1',
    stream: 'Audit.Exchange',
    start: start * H,
    end: end * H,
    state,
    queriedStart: null,
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

test('failed and expired windows and uncovered holes are gaps; adjoining gaps of one reason merge', () => {
  const [s] = summarizeCoverage([
    w(0, 24, 'fetched'),
    w(24, 48, 'failed', { lastError: 'AF50000' }),
    w(48, 72, 'failed'),
    w(80, 96, 'fetched'),
    w(96, 120, 'expired'),
  ]);
  assert.ok(s);
  assert.deepEqual(
    s.gaps.map((g) => [g.start / H, g.end / H, g.reason]),
    [
      [24, 72, 'failed'],
      [72, 80, 'hole'],
      [96, 120, 'expired'],
    ],
  );
  assert.equal(s.gaps[0]!.lastError, 'AF50000');
  assert.equal(s.windows, 5);
  assert.equal(s.fetched, 2);
  assert.equal(s.failed, 3);
  assert.equal(s.records, 50);
  assert.equal(s.from, 0);
  assert.equal(s.to, 120 * H);
});

test('a stream fully fetched has no gap; streams are listed per tenant and stream, with their checkpoint', () => {
  const out = summarizeCoverage(
    [w(24, 48, 'fetched'), w(0, 24, 'fetched'), w(0, 24, 'fetched', { tenant: 't0', stream: 'Audit.SharePoint' })],
    [{ tenant: 't1', stream: 'Audit.Exchange', position: 48 * H, updatedAt: 0 }],
  );
  assert.deepEqual(
    out.map((s) => [s.tenant, s.stream, s.gaps.length, s.checkpoint]),
    [
      ['t0', 'Audit.SharePoint', 0, null],
      ['t1', 'Audit.Exchange', 0, 48 * H],
    ],
  );
});
