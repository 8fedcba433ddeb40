import type { CoverageWindow, LedgerStream, WindowCause } from '../store/contract.js';

/**
 * The window planner. Windows lie on a fixed grid of `windowMs` (≤ 24 h, the API's limit, §2.5) over
 * contentCreated, start inclusive and end exclusive, so the same window always has the same ledger
 * key (tenant, stream, start) across runs and processes. The last window ends just after now (windows
 * reaching into the future are accepted, §2.5). Look-back stops at the API's 7-day horizon less a
 * margin (Elastic uses 167h55m); a window partly behind it is queried from the horizon (its
 * `queriedStart`), and windows wholly behind it are 'expired' gaps — listed, never silent.
 */
export const SEVEN_DAYS = 7 * 24 * 3_600_000;

/**
 * A collector that runs again within a day of the end of a wait for first content was not away: what passed
 * the horizon since its last listing is put down to the wait (a schedule, however sparse, not an outage).
 * Later than that, what passed the horizon after the wait ended is lost: Microsoft listed it by then, and no
 * run asked before it was gone (a collector down for days).
 */
export const AWAY_AFTER_MS = 24 * 3_600_000;

/** The ledger's words for time behind the horizon, by cause (coverage/gaps.ts words its gaps the same way). */
const LOST = "passed the API's 7-day horizon before it was fetched";
const SLICE_LOST = "planned, but passed the API's 7-day horizon before it was fetched";
export const NOT_COLLECTABLE =
  'not collectable before the subscription started: passed the 7-day horizon while the new subscription awaited its first content';

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
  /**
   * Until when the stream's new subscription waits for its first content: the first-content lease's term,
   * passed or not (first-content.ts); null when no wait is on record (none, or its content came).
   */
  firstContentUntil: number | null;
}

export interface Plan {
  /** Windows to list and fetch, oldest first. */
  windows: CoverageWindow[];
  /** Rows to write as expired: windows wholly behind the 7-day horizon and horizon slices, new or extended. */
  expired: CoverageWindow[];
  /**
   * The expired rows that are news, to be said once: those that continue no expired row of the same cause
   * the ledger holds (a slice extended run after run, the window holding it then expiring whole, the next
   * window of the same outage are said with the first).
   */
  news: CoverageWindow[];
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
    cause: null,
    queriedStart: null,
    fetchedTo: null,
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
  const byStart = new Map(input.existing.filter((w) => w.kind === 'window').map((w) => [w.start, w]));
  const slices = new Slices(input);
  const windows: CoverageWindow[] = [];
  const expired: CoverageWindow[] = [];
  for (let start = Math.floor(input.from / windowMs) * windowMs; start < end; start += windowMs) {
    const cellEnd = Math.min(start + windowMs, end);
    const known = byStart.get(start);
    const behind = cellEnd <= edge;
    // A fetched window lost nothing; an expired one is in the ledger already, and was said when it expired.
    const unfinished = known?.state !== 'fetched' && known?.state !== 'expired';
    const queriedStart = behind ? start + windowMs : Math.max(start, edge, known?.queriedStart ?? start);
    if (known && unfinished) slices.passed(known, queriedStart);
    // A window fetched up to an earlier run's now: what followed it in its day and passed the horizon unlisted is lost.
    if (known?.state === 'fetched' && known.end < cellEnd) slices.passed(known, Math.min(cellEnd, edge), known.end);
    if (behind) {
      if (unfinished) expired.push(expiredWhole(known ?? emptyWindow(tenant, stream, start, 0, now), windowMs, input));
      continue;
    }
    windows.push({
      ...(known ?? emptyWindow(tenant, stream, start, cellEnd, now)),
      end: cellEnd,
      queriedStart,
      fetchedTo: fetchedHead(known, queriedStart),
      updatedAt: now,
    });
  }
  const rows = [...expired, ...slices.written()];
  const news = rows.filter((w) => !slices.extended(w) && !continues(w, input.existing));
  // Not a window fetched before (its head was fetched, fetchedTo says how far), nor one that waited for first
  // content (its cause is the wait's).
  const unfetched = (w: CoverageWindow): boolean => {
    const k = byStart.get(w.start);
    return !k || (k.state !== 'fetched' && k.cause === null && k.fetchedTo === null);
  };
  return { windows, expired: rows, news: [...news, ...lostHeads(windows, news, unfetched)] };
}

/**
 * The part of a window listed from the horizon that no run fetched and that continues a loss said now (the day
 * after the last expired one): coverage shows it with that loss, so the warning's span reaches it too.
 * Said, not written: the window's own row holds it (its queriedStart), and a row of its own would take its key.
 */
function lostHeads(
  windows: readonly CoverageWindow[],
  news: readonly CoverageWindow[],
  unfetched: (w: CoverageWindow) => boolean,
): CoverageWindow[] {
  const out: CoverageWindow[] = [];
  for (const w of windows) {
    const to = w.queriedStart ?? w.start;
    const said = [...news, ...out].some((n) => n.cause === null && n.end === w.start);
    const overlaps = news.some((n) => n.start < to && w.start < n.end);
    if (to > w.start && said && !overlaps && unfetched(w)) out.push(horizonSlice({ ...w, end: to }));
  }
  return out;
}

/**
 * How far `known` was fetched from its start, when it is listed again from a later start (the horizon): the last
 * day fetched before an outage was fetched up to that run's now, and that head stays collected though it is not
 * listed again — only [fetchedTo, queriedStart) was lost (the slice `passed` writes). A window fetched from its
 * start reaches its end; one not finished since (its listing from the horizon failed) keeps what it had. Null
 * when the listing starts at the window's start (queriedStart says all) or nothing was fetched from there.
 */
export function fetchedHead(known: CoverageWindow | undefined, queriedStart: number): number | null {
  if (!known || queriedStart <= known.start) return null;
  return fetchedReach(known);
}

/**
 * How far the stored row `known` says its window was fetched from its start, or null when nothing was: the end of
 * a window fetched from there (today's window: up to that run's now), or the head it kept (fetchedTo).
 */
export function fetchedReach(known: CoverageWindow | undefined): number | null {
  if (!known) return null;
  const head = known.fetchedTo ?? known.start;
  const fromHead = known.state === 'fetched' && (known.queriedStart ?? known.start) <= head;
  const reach = fromHead ? Math.max(head, known.end) : head;
  return reach > known.start ? reach : null;
}

/** A window wholly behind the horizon, not fetched: lost, or not collectable when it passed during a wait. */
function expiredWhole(w: CoverageWindow, windowMs: number, input: PlanInput): CoverageWindow {
  const end = w.start + windowMs;
  const cause = end <= (notCollectableBefore(w, input) ?? -Infinity) ? WAITED : null;
  return { ...w, end, state: 'expired', cause, lastError: cause ? NOT_COLLECTABLE : LOST, updatedAt: input.now };
}

/**
 * The horizon slices of one plan: what passed the horizon since each unfinished window was last listed, split
 * by cause. A run every minute while the first content is awaited extends one slice rather than adding one
 * each, across the windows it passes through (so the next window's share continues it, and is no news).
 */
class Slices {
  private readonly open: Map<number, CoverageWindow>;
  private readonly before: ReadonlySet<number>;
  private readonly changed = new Set<number>();

  constructor(private readonly input: PlanInput) {
    this.open = new Map(input.existing.filter((w) => w.kind === 'horizon-slice').map((w) => [w.start, w]));
    this.before = new Set(this.open.keys());
  }

  /**
   * Window `w` was last listed from its queriedStart; time from there to `to` has passed the horizon since. For a
   * window fetched up to its end, `from` is that end: the rest of its grid cell was never listed.
   */
  passed(w: CoverageWindow, to: number, from = w.queriedStart): void {
    if (from === null || from < w.start || from >= to) return;
    for (const piece of passedPieces(w, from, to, this.input)) {
      const prior = [...this.open.values()].find((s) => s.end === piece.start && s.cause === piece.cause);
      const { tenant, stream, now } = this.input;
      // A new slice starts off the grid (never a window's key); one on it is said by its window's own row.
      const slice = prior
        ? { ...prior, end: piece.end, updatedAt: now }
        : piece.start > w.start
          ? horizonSlice(emptyWindow(tenant, stream, piece.start, piece.end, now), piece.cause)
          : null;
      if (!slice) continue;
      this.open.set(slice.start, slice);
      this.changed.add(slice.start);
    }
  }

  written(): CoverageWindow[] {
    return [...this.changed].map((start) => this.open.get(start)!);
  }

  /** Whether `w` is a slice the ledger held before this plan (extended, not new). */
  extended(w: CoverageWindow): boolean {
    return w.kind === 'horizon-slice' && this.before.has(w.start);
  }
}

const WAITED: WindowCause = 'awaiting-first-content';

/**
 * The instant before which time of window `w` that passed the horizon was not collectable, or null when `w`
 * was not waiting. `w` was last listed while its new subscription awaited its first content, so that listing
 * proved nothing; what passed the horizon before the wait ended never could be listed (it is from before the
 * subscription started, and Microsoft lists such content only once the first content comes, if at all). The
 * wait ends at the first-content lease's term, or when the content came (the window's last listing, once the
 * lease is gone). A collector back within AWAY_AFTER_MS of that end was not away: all up to the horizon now
 * is put down to the wait.
 */
function notCollectableBefore(w: CoverageWindow, input: PlanInput): number | null {
  if (w.cause !== WAITED) return null;
  const ended = input.firstContentUntil ?? w.updatedAt;
  return horizon(input.now - ended <= AWAY_AFTER_MS ? input.now : ended, input.horizonMarginMs);
}

/** [from, to), passed behind the horizon since `w` was last listed, split into the part not collectable and the part lost. */
function passedPieces(
  w: CoverageWindow,
  from: number,
  to: number,
  input: PlanInput,
): { start: number; end: number; cause: WindowCause | null }[] {
  const until = Math.min(to, Math.max(from, notCollectableBefore(w, input) ?? from));
  const pieces = [
    { start: from, end: until, cause: WAITED },
    { start: until, end: to, cause: null },
  ];
  return pieces.filter((p) => p.end > p.start);
}

/** Whether an expired row continues one of the same cause the ledger holds (overlapping or touching it). */
function continues(w: CoverageWindow, existing: readonly CoverageWindow[]): boolean {
  return existing.some((e) => e.state === 'expired' && e.cause === w.cause && e.start <= w.end && w.start <= e.end);
}

/**
 * The slice of a window an earlier run planned from `start` (its queriedStart then) and did not finish, now
 * behind the horizon: the window is listed from the horizon this time, and its stored queriedStart moves
 * there. For a stream's first window that erased the slice from coverage (which begins at the first
 * window's queriedStart), so it is kept as an `expired` row of its own, of kind 'horizon-slice'
 * (coverage/gaps.ts reads it as where coverage began, not as a window), with its cause: lost, or not
 * collectable (it passed the horizon while the subscription awaited its first content). Its start lies off
 * the grid, so it never takes a window's key.
 */
export function horizonSlice(w: CoverageWindow, cause: WindowCause | null = null): CoverageWindow {
  return {
    ...w,
    kind: 'horizon-slice',
    state: 'expired',
    cause,
    queriedStart: w.start,
    lastError: cause ? NOT_COLLECTABLE : SLICE_LOST,
  };
}
