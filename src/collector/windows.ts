import type { CoverageWindow, LedgerStream } from '../store/contract.js';

/**
 * The window planner. Windows lie on a fixed grid of `windowMs` (≤ 24 h, the API's limit, §2.5) over
 * contentCreated, start inclusive and end exclusive, so the same window always has the same ledger
 * key (tenant, stream, start) across runs and processes. The last window ends just after now (windows
 * reaching into the future are accepted, §2.5). Look-back stops at the API's 7-day horizon less a
 * margin (Elastic uses 167h55m); a window partly behind it is queried from the horizon (its
 * `queriedStart`), and windows wholly behind it are 'expired' gaps — listed, never silent.
 */
export const SEVEN_DAYS = 7 * 24 * 3_600_000;

export interface PlanInput {
  tenant: string;
  stream: LedgerStream;
  now: number;
  /** Collect from here: the checkpoint, or now − since on a first run. */
  from: number;
  windowMs: number;
  horizonMarginMs: number;
  /** Windows already in the ledger from `from` on (to re-use queriedStart and counts). */
  existing: readonly CoverageWindow[];
}

export interface Plan {
  /** Windows to list and fetch, oldest first. */
  windows: CoverageWindow[];
  /** Windows lost behind the 7-day horizon. */
  expired: CoverageWindow[];
}

export function horizon(now: number, marginMs: number): number {
  return Math.ceil((now - SEVEN_DAYS + marginMs) / 1000) * 1000;
}

export function emptyWindow(
  tenant: string,
  stream: LedgerStream,
  start: number,
  end: number,
  now: number,
): CoverageWindow {
  return {
    tenant,
    stream,
    start,
    end,
    kind: 'window',
    state: 'planned',
    queriedStart: null,
    blobsListed: 0,
    blobsFetched: 0,
    blobsFailed: 0,
    records: 0,
    newRecords: 0,
    attempts: 0,
    lastError: null,
    updatedAt: now,
  };
}

export function planWindows(input: PlanInput): Plan {
  const { tenant, stream, now, windowMs } = input;
  const edge = horizon(now, input.horizonMarginMs);
  const end = Math.ceil((now + 1) / 1000) * 1000;
  const byStart = new Map(input.existing.map((w) => [w.start, w]));
  const windows: CoverageWindow[] = [];
  const expired: CoverageWindow[] = [];
  for (let start = Math.floor(input.from / windowMs) * windowMs; start < end; start += windowMs) {
    const cellEnd = Math.min(start + windowMs, end);
    const known = byStart.get(start);
    if (cellEnd <= edge) {
      if (known?.state !== 'fetched')
        expired.push({
          ...(known ?? emptyWindow(tenant, stream, start, start + windowMs, now)),
          end: start + windowMs,
          state: 'expired',
          lastError: "passed the API's 7-day horizon before it was fetched",
          updatedAt: now,
        });
      continue;
    }
    const queriedStart = Math.max(start, edge, known?.queriedStart ?? start);
    const lostFrom = known && known.state !== 'fetched' ? known.queriedStart : null;
    if (lostFrom !== null && lostFrom > start && lostFrom < queriedStart) {
      // A run every minute while the first content is awaited extends one slice rather than adding one each.
      const before = input.existing.find((w) => w.end === lostFrom && w.kind === 'horizon-slice');
      const slice = before ? { ...before, end: queriedStart, updatedAt: now } : null;
      expired.push(slice ?? horizonSlice(emptyWindow(tenant, stream, lostFrom, queriedStart, now)));
    }
    windows.push({
      ...(known ?? emptyWindow(tenant, stream, start, cellEnd, now)),
      end: cellEnd,
      queriedStart,
      updatedAt: now,
    });
  }
  return { windows, expired };
}

/**
 * The slice of a window an earlier run planned from `start` (its queriedStart then) and did not finish, now
 * behind the horizon: the window is listed from the horizon this time, and its stored queriedStart moves
 * there. For a stream's first window that erased the slice from coverage (which begins at the first
 * window's queriedStart), so it is kept as an `expired` row of its own, of kind 'horizon-slice'
 * (coverage/gaps.ts reads it as where coverage began, not as a window). Its start lies off the grid, so it
 * never takes a window's key.
 */
export function horizonSlice(w: CoverageWindow): CoverageWindow {
  return {
    ...w,
    kind: 'horizon-slice',
    state: 'expired',
    queriedStart: w.start,
    lastError: "planned, but passed the API's 7-day horizon before it was fetched",
  };
}
