import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CoverageWindow } from '../store/contract.js';
import {
  emptyWindow,
  horizon,
  NOT_COLLECTABLE,
  planWindows,
  SEVEN_DAYS,
  type Plan,
  type PlanInput,
} from './windows.js';

const H = 3_600_000;
const DAY = 24 * H;
const now = Date.UTC(2026, 2, 10, 12, 0, 0, 500);
const MARGIN = 5 * 60_000;

/** The planner's input of the horizon tests: one Audit.Exchange stream, daily windows, no wait for first content. */
function planInput(from: number, existing: CoverageWindow[], at = now): PlanInput {
  return {
    tenant: 't',
    stream: 'Audit.Exchange',
    now: at,
    from,
    windowMs: DAY,
    horizonMarginMs: MARGIN,
    existing,
    firstContentUntil: null,
  };
}

test('first run over 7 days: ≤ 24 h grid windows, oldest first, the last ends just after now, look-back capped at the horizon', () => {
  const plan = planWindows({
    tenant: 't',
    stream: 'Audit.Exchange',
    now,
    from: now - SEVEN_DAYS,
    windowMs: DAY,
    horizonMarginMs: 5 * 60_000,
    existing: [],
    firstContentUntil: null,
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
    firstContentUntil: null,
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
    firstContentUntil: null,
  });
  assert.equal(plan.windows.length, 1);
  assert.equal(plan.windows[0]!.start, start);
  assert.equal(plan.windows[0]!.queriedStart, start + 60_000);
  assert.equal(plan.windows[0]!.blobsListed, 4);
});

test('the slice of an unfinished window that passed the horizon since it was planned is kept, and later ones extend it', () => {
  const edge = horizon(now, MARGIN);
  const cell = Math.floor(edge / DAY) * DAY;
  const planned = { ...emptyWindow('t', 'Audit.Exchange', cell, cell + DAY, now - H), queriedStart: edge - H };
  const from = now - SEVEN_DAYS;
  const plan = planWindows(planInput(from, [planned]));
  assert.equal(plan.windows[0]!.queriedStart, edge, 'listed from the horizon now');
  assert.equal(plan.expired.length, 1);
  const slice = plan.expired[0]!;
  assert.deepEqual([slice.start, slice.end, slice.state], [edge - H, edge, 'expired']);
  assert.equal(slice.kind, 'horizon-slice', 'a row of its own kind, not a window');
  assert.equal(slice.lastError, "planned, but passed the API's 7-day horizon before it was fetched");
  assert.deepEqual(plan.news, [slice], 'lost, and said');
  const later = planWindows(planInput(from, [plan.windows[0]!, slice], now + 60_000));
  assert.deepEqual(
    later.expired.map((w) => [w.start, w.end, w.cause]),
    [[edge - H, edge + 60_000, null]],
    'one slice, extended',
  );
  assert.deepEqual(later.news, [], 'the same loss going on is not said again');
  const fetched = planWindows(planInput(from, [{ ...planned, state: 'fetched' as const }]));
  assert.equal(fetched.expired.length, 0, 'a fetched window lost nothing');
});

test('the rest of a day fetched up to an earlier run, passed the horizon unlisted, is a lost slice, said', () => {
  const edge = horizon(now, MARGIN);
  const cell = Math.floor(edge / DAY) * DAY;
  const fetchedTo = (start: number, end: number): CoverageWindow => ({
    ...emptyWindow('t', 'Audit.Exchange', start, end, now - 7 * DAY),
    state: 'fetched',
    queriedStart: start,
  });
  // The day the horizon is in, fetched up to an hour before the horizon: that hour is lost.
  const partly = planWindows(planInput(cell, [fetchedTo(cell, edge - H)]));
  assert.deepEqual(
    partly.expired.map((w) => [w.kind, w.start, w.end, w.cause]),
    [['horizon-slice', edge - H, edge, null]],
  );
  assert.deepEqual(partly.news, partly.expired);
  // The day before it, fetched to its noon: the afternoon is lost, with the day after (listed from the horizon).
  const whole = planWindows(planInput(cell - DAY, [fetchedTo(cell - DAY, cell - 12 * H)]));
  assert.deepEqual(
    whole.expired.map((w) => [w.kind, w.start, w.end]),
    [['horizon-slice', cell - 12 * H, cell]],
  );
  assert.deepEqual(
    whole.news.map((w) => [w.start, w.end]),
    [
      [cell - 12 * H, cell],
      [cell, edge],
    ],
    'said as one loss, to the horizon',
  );
  const later = planWindows(planInput(cell - DAY, [...whole.expired], now + H));
  assert.deepEqual(later.news, [], 'not said again');
});

test('a day fetched up to an earlier run, listed again from the horizon, keeps how far it was fetched', () => {
  const edge = horizon(now, MARGIN);
  const cell = Math.floor(edge / DAY) * DAY;
  const fetchedTo = (end: number): CoverageWindow => ({
    ...emptyWindow('t', 'Audit.Exchange', cell, end, now - 7 * DAY),
    state: 'fetched',
    queriedStart: cell,
  });
  const listed = (existing: CoverageWindow[]) => planWindows(planInput(cell, existing)).windows[0]!;
  // Fetched up to an hour before the horizon: listed from the horizon, the head stays collected.
  const behind = listed([fetchedTo(edge - H)]);
  assert.deepEqual([behind.queriedStart, behind.fetchedTo], [edge, edge - H]);
  // Fetched past the horizon: nothing between was lost.
  assert.equal(listed([fetchedTo(edge + H)]).fetchedTo, edge + H);
  // That listing failed: the next run still knows the head, not the failed listing's start.
  assert.equal(listed([{ ...behind, state: 'failed', queriedStart: edge - 30 * 60_000 }]).fetchedTo, edge - H);
  // Listed from its start (no outage), or never fetched: queriedStart says all.
  const today = planWindows(planInput(now, [])).windows[0]!;
  assert.equal(today.fetchedTo, null);
  const current = { ...today, state: 'fetched' as const, end: now - H };
  assert.equal(planWindows(planInput(now, [current])).windows[0]!.fetchedTo, null);
  assert.equal(listed([{ ...fetchedTo(edge - H), state: 'planned' }]).fetchedTo, null);
});

const WAITING = 'awaiting-first-content' as const;

/** A first run's windows at `at`: from the horizon then, every one listed while the subscription awaited its first content. */
function firstRun(at: number, cause: CoverageWindow['cause'] = WAITING): CoverageWindow[] {
  const plan = planWindows(input(at, []));
  return plan.windows.map((w) => ({ ...w, cause, updatedAt: at }));
}

function input(at: number, existing: CoverageWindow[], firstContentUntil: number | null = null): PlanInput {
  return {
    tenant: 't',
    stream: 'DLP.All',
    now: at,
    from: Math.min(at - SEVEN_DAYS, ...existing.filter((w) => w.state !== 'expired').map((w) => w.start)),
    windowMs: DAY,
    horizonMarginMs: MARGIN,
    existing,
    firstContentUntil,
  };
}

/**
 * The ledger after a run of `plan`: its expired rows written, and its windows either as they were (the run
 * listed none) or, with `listed`, as the collector writes them when a listing awaits the first content.
 */
function after(ledger: CoverageWindow[], plan: Plan, listed?: number): CoverageWindow[] {
  const key = (w: CoverageWindow) => `${w.kind}:${w.start}`;
  const rows = new Map(ledger.map((w) => [key(w), w]));
  for (const w of plan.expired) rows.set(key(w), w);
  if (listed !== undefined) for (const w of plan.windows) rows.set(key(w), { ...w, cause: WAITING, updatedAt: listed });
  return [...rows.values()];
}

test('while a new subscription awaits its first content, what passes the horizon is not collectable, said once', () => {
  const until = now + 12 * H;
  let ledger = firstRun(now);
  const spans: [number, number, string | null, string | null][] = [];
  const said: CoverageWindow[] = [];
  // A run every 10 minutes for the 12 hours of the wait, the first window expiring whole on the way.
  for (let at = now + 10 * 60_000; at <= until; at += 10 * 60_000) {
    const plan = planWindows(input(at, ledger, until));
    said.push(...plan.news);
    ledger = after(ledger, plan, at);
  }
  for (const w of ledger.filter((x) => x.state === 'expired').sort((a, b) => a.start - b.start))
    spans.push([w.start, w.end, w.kind, w.cause]);
  const edge = horizon(now, MARGIN);
  const first = Math.floor(edge / DAY) * DAY;
  // One slice, grown run by run, through the end of the first window (expired whole on the way) into the next.
  assert.deepEqual(spans, [
    [first, first + DAY, 'window', WAITING],
    [edge, horizon(until, MARGIN), 'horizon-slice', WAITING],
  ]);
  assert.ok(
    ledger.filter((w) => w.state === 'expired').every((w) => w.lastError === NOT_COLLECTABLE),
    'worded by its cause, not as lost',
  );
  assert.deepEqual(
    said.map((w) => [w.kind, w.start, w.cause]),
    [['horizon-slice', edge, WAITING]],
    'said when it first became true, not on every run',
  );
  const again = planWindows(input(until + 60_000, ledger, until));
  assert.deepEqual(
    again.expired.map((w) => [w.kind, w.start, w.cause]),
    [['horizon-slice', edge, WAITING]],
    'a minute after the wait: the slice extended (the expired window is not planned again)',
  );
  assert.deepEqual(again.news, [], 'and not said again');
});

test('the wait ending is no loss: a run soon after the lease ran out, or after the content came, puts it down to the wait', () => {
  const started = Date.UTC(2026, 2, 10, 1); // early in the day: the first window is not behind the horizon whole 12 h later
  const at = started + 12 * H + 60_000;
  const ledger = firstRun(started).map((w) => ({ ...w, updatedAt: at - 2 * 60_000 }));
  for (const until of [started + 12 * H, null]) {
    const plan = planWindows(
      input(
        at,
        ledger.map((w, i) => (i ? w : { ...w, queriedStart: horizon(at - 2 * 60_000, MARGIN) })),
        until,
      ),
    );
    assert.deepEqual(
      plan.expired.map((w) => [w.kind, w.cause]),
      [['horizon-slice', WAITING]],
      `the wait ended ${until === null ? 'with its content' : 'at its term'}`,
    );
  }
});

test('a collector away for days after the wait: what passed the horizon after the wait ended is lost and said', () => {
  const until = now + 12 * H;
  const at = now + 8 * DAY;
  const plan = planWindows(input(at, firstRun(now), until));
  const edgeThen = horizon(until, MARGIN);
  assert.deepEqual(
    plan.expired.map((w) => [w.start, w.cause]),
    plan.expired.map((w) => [w.start, w.end <= edgeThen ? WAITING : null]),
  );
  assert.deepEqual(
    [...new Set(plan.expired.map((w) => w.cause))],
    [WAITING, null],
    'the first day passed during the wait; the rest was lost while the collector was away',
  );
  assert.deepEqual(plan.news.slice(0, plan.expired.length), plan.expired, 'both said, each by its cause');
  const edge = horizon(at, MARGIN);
  const day = Math.floor(edge / DAY) * DAY;
  assert.deepEqual(
    plan.news.slice(plan.expired.length).map((w) => [w.start, w.end, w.cause]),
    [[day, edge, null]],
    'with the head of the day the horizon is in, listed from the horizon: the loss reaches it',
  );
  const back = planWindows(input(at + 60_000, after(firstRun(now), plan), until));
  assert.deepEqual(back.news, [], 'and not again on the next run');
});

test('a window not waiting (its listing failed, the run stopped) that passes the horizon whole is lost', () => {
  const at = now + 8 * DAY;
  const plan = planWindows(input(at, firstRun(now, null), now + 12 * H));
  const whole = plan.expired.filter((w) => w.kind === 'window');
  assert.ok(whole.length >= 7);
  assert.ok(
    whole.every((w) => w.cause === null && w.lastError === "passed the API's 7-day horizon before it was fetched"),
  );
  assert.ok(plan.expired.every((w) => w.cause === null));
});
