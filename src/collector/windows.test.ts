import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyWindow, horizon, planWindows, SEVEN_DAYS } from './windows.js';

const H = 3_600_000;
const DAY = 24 * H;
const now = Date.UTC(2026, 2, 10, 12, 0, 0, 500);

test('first run over 7 days: ≤ 24 h grid windows, oldest first, the last ends just after now, look-back capped at the horizon', () => {
  const plan = planWindows({
    tenant: 't',
    stream: 'Audit.Exchange',
    now,
    from: now - SEVEN_DAYS,
    windowMs: DAY,
    horizonMarginMs: 5 * 60_000,
    existing: [],
  });
  assert.equal(plan.expired.length, 0);
  assert.equal(plan.windows.length, 8);
  for (const w of plan.windows) assert.ok(w.end - w.start <= DAY && w.end > w.start);
  assert.ok(plan.windows.every((w, i) => i === 0 || w.start === plan.windows[i - 1]!.end));
  assert.equal(plan.windows[0]!.queriedStart, horizon(now, 5 * 60_000));
  assert.ok(plan.windows[0]!.queriedStart >= now - SEVEN_DAYS + 5 * 60_000);
  assert.equal(plan.windows.at(-1)!.end, Date.UTC(2026, 2, 10, 12, 0, 1));
});

test('windows already lost behind the 7-day horizon become expired gaps; a fetched one is not reported again', () => {
  const old = now - 9 * DAY;
  const fetched = {
    ...emptyWindow('t', 'Audit.General', Math.floor(old / DAY) * DAY + DAY, 0, 0),
    state: 'fetched' as const,
  };
  const plan = planWindows({
    tenant: 't',
    stream: 'Audit.General',
    now,
    from: old,
    windowMs: DAY,
    horizonMarginMs: 0,
    existing: [fetched],
  });
  assert.equal(plan.expired.length, 1);
  assert.equal(plan.expired[0]!.state, 'expired');
  assert.ok(plan.windows[0]!.queriedStart! > plan.windows[0]!.start);
});

test('resumption re-uses the window key and its stored queriedStart', () => {
  const start = Math.floor(now / (6 * H)) * 6 * H;
  const known = {
    ...emptyWindow('t', 'DLP.All', start, start + 3 * H, 0),
    state: 'listed' as const,
    queriedStart: start + 60_000,
    blobsListed: 4,
  };
  const plan = planWindows({
    tenant: 't',
    stream: 'DLP.All',
    now,
    from: start + H,
    windowMs: 6 * H,
    horizonMarginMs: 0,
    existing: [known],
  });
  assert.equal(plan.windows.length, 1);
  assert.equal(plan.windows[0]!.start, start);
  assert.equal(plan.windows[0]!.queriedStart, start + 60_000);
  assert.equal(plan.windows[0]!.blobsListed, 4);
});

test('the slice of an unfinished window that passed the horizon since it was planned is kept, and later ones extend it', () => {
  const edge = horizon(now, 5 * 60_000);
  const cell = Math.floor(edge / DAY) * DAY;
  const planned = { ...emptyWindow('t', 'Audit.Exchange', cell, cell + DAY, now - H), queriedStart: edge - H };
  const input = {
    tenant: 't',
    stream: 'Audit.Exchange' as const,
    now,
    from: now - SEVEN_DAYS,
    windowMs: DAY,
    horizonMarginMs: 5 * 60_000,
  };
  const plan = planWindows({ ...input, existing: [planned] });
  assert.equal(plan.windows[0]!.queriedStart, edge, 'listed from the horizon now');
  assert.equal(plan.expired.length, 1);
  const slice = plan.expired[0]!;
  assert.deepEqual([slice.start, slice.end, slice.state], [edge - H, edge, 'expired']);
  assert.equal(slice.kind, 'horizon-slice', 'a row of its own kind, not a window');
  assert.equal(slice.lastError, "planned, but passed the API's 7-day horizon before it was fetched");
  const later = planWindows({ ...input, now: now + 60_000, existing: [plan.windows[0]!, slice] });
  assert.deepEqual(
    later.expired.map((w) => [w.start, w.end]),
    [[edge - H, edge + 60_000]],
    'one slice, extended',
  );
  const fetched = planWindows({ ...input, existing: [{ ...planned, state: 'fetched' as const }] });
  assert.equal(fetched.expired.length, 0, 'a fetched window lost nothing');
});
