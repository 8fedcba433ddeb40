/**
 * The one definition of a gap (glossary: gap). Every stretch of time the ledger cannot prove collected is
 * a gap — whatever part of the program asks. A later history fill (a fetched window of a history stream:
 * Graph audit query, Search-UnifiedAuditLog, import) covers every record type of its tenant, so the part
 * of a gap it covers is reported as filled, not open.
 */
import type { BlobRow, CoverageWindow, LedgerStream } from '../store/contract.js';
import { isHistoryStream, type Gap, type HistoryStream } from './types.js';

type Base = Pick<Gap, 'tenant' | 'name' | 'stream'>;

/**
 * Time that passed the 7-day horizon while a new subscription awaited its first content (store/contract.ts
 * WindowCause): listed, but Microsoft lists nothing for a subscription until then, and by then this time was
 * gone. Not lost — a gap of its own state, not counted as expired; a history fill covers it like any gap.
 */
const NOT_COLLECTABLE_STATE = 'not collectable';
const NOT_COLLECTABLE_REASON =
  'not collectable before the subscription started: it passed the 7-day horizon while the new subscription awaited its first content (tenantwatch collect --history can still fill it)';

/** Why a window that did not end 'fetched' is a gap, in plain words. */
function windowReason(w: CoverageWindow): string {
  switch (w.state) {
    case 'expired':
      return w.cause === 'awaiting-first-content'
        ? NOT_COLLECTABLE_REASON
        : 'passed the 7-day horizon before it was fetched';
    case 'failed':
      return `listing failed: ${w.lastError ?? 'unknown error'}`;
    case 'partial':
      return w.lastError ?? 'some blobs could not be fetched';
    default:
      // A window left planned says why when the collector knew (awaiting a new subscription's first content).
      return w.lastError ?? 'collection did not finish this window';
  }
}

/**
 * Where a stream's coverage begins: its first window's start, or the instant that window was first
 * queried from when it was already partly behind the 7-day horizon. The planner lays windows on a fixed
 * day grid, so a first run's first window starts up to a day before the look-back asked for and is listed
 * from the horizon: the slice before that was never part of what was collected, and reporting it as lost
 * made a fresh demo show one "expired" gap per stream. Time before this instant is history, which a fill
 * (`collect --history`, import) covers and the summary shows as such.
 */
export function coverageStart(windows: readonly CoverageWindow[]): number | null {
  const grid = windows.filter((w) => !isHorizonSlice(w));
  if (!grid.length) return null;
  const first = grid.reduce((a, b) => (b.start < a.start ? b : a));
  // A first window fetched from its start before it was listed again from the horizon (fetchedTo) began there.
  const listed = (first.fetchedTo ?? first.start) > first.start ? first.start : (first.queriedStart ?? first.start);
  const begin = Math.max(first.start, Math.min(listed, first.end));
  // A slice an earlier run planned and lost behind the horizon: coverage began there, and the slice is a gap.
  return Math.min(begin, ...windows.filter(isHorizonSlice).map((w) => w.start));
}

/**
 * A slice of a window that a run planned and that passed the 7-day horizon before any run fetched it
 * (collector/windows.ts `horizonSlice`). Not a window: it marks where coverage began, and the window
 * holding it reports the slice as its gap.
 */
export function isHorizonSlice(w: CoverageWindow): boolean {
  return w.kind === 'horizon-slice';
}

/**
 * The gaps of one stream's windows, oldest first: holes between windows (live streams only — history
 * windows are ranges someone asked for, not a sequence), windows not fetched, and the slice of a later
 * window that was behind the 7-day horizon when it was listed (its `queriedStart` after its start: time
 * the collector meant to collect and could no longer ask for). The horizon slices inside a window's gap are
 * gaps of their own cause: lost ('expired'), or not collectable (passed during a wait for first content).
 */
export function windowGaps(base: Base, windows: readonly CoverageWindow[]): Gap[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start || a.end - b.end);
  const slices = sorted.filter(isHorizonSlice);
  const out: Gap[] = [];
  const gap = (start: number, end: number, state: string, reason: string, lastError: string | null): number =>
    out.push({ ...base, start, end, state, reason, lastError, filledBy: null });
  // A window's gap, less the slices in it of another state: each says its own cause.
  const windowGap = (start: number, end: number, state: string, reason: string, lastError: string | null): void => {
    let cursor = start;
    for (const s of slices) {
      if (s.end <= cursor || s.start >= end || expiredState(s) === state) continue;
      if (s.start > cursor) gap(cursor, s.start, state, reason, lastError);
      const to = Math.min(s.end, end);
      gap(Math.max(cursor, s.start), to, expiredState(s), windowReason(s), s.lastError);
      cursor = to;
    }
    if (cursor < end) gap(cursor, end, state, reason, lastError);
  };
  // Time no window covers, less the slices in it: the rest of a day fetched up to an earlier run's now that
  // passed the horizon before any run listed it is a slice (collector/windows.ts), said with its cause, not a hole.
  const holeGap = (start: number, end: number, rest = true): void => {
    let cursor = start;
    for (const s of slices) {
      if (s.end <= cursor || s.start >= end) continue;
      if (s.start > cursor && rest) gap(cursor, s.start, 'hole', 'no window covers this time', null);
      const to = Math.min(s.end, end);
      gap(Math.max(cursor, s.start), to, expiredState(s), windowReason(s), s.lastError);
      cursor = to;
    }
    if (cursor < end && rest) gap(cursor, end, 'hole', 'no window covers this time', null);
  };
  const live = !isHistoryStream(base.stream);
  const begin = coverageStart(sorted) ?? 0;
  let covered = begin;
  for (const w of sorted) {
    if (isHorizonSlice(w)) continue;
    const start = Math.max(w.start, begin);
    if (live && start > covered) holeGap(covered, start);
    // The head an earlier run fetched before the window was listed again from the horizon is no gap.
    const from = Math.max(start, w.fetchedTo ?? start);
    if (isBeyondRetention(w)) {
      // Older than Microsoft keeps the tenant's audit log: nothing exists to collect, so it is no gap.
    } else if (w.state !== 'fetched') windowGap(from, w.end, expiredState(w), windowReason(w), w.lastError);
    else if (w.queriedStart !== null && w.queriedStart > from)
      windowGap(from, w.queriedStart, 'expired', 'behind the 7-day horizon when this window was listed', null);
    covered = Math.max(covered, w.end);
  }
  // A slice after every window (the rest of the last day fetched, passed the horizon): a gap of its own.
  const last = slices.reduce((n, s) => Math.max(n, s.end), covered);
  if (live && last > covered) holeGap(covered, last, false);
  return out;
}

/** A window's state as a gap's: an expired one that passed during a wait for first content is not collectable. */
function expiredState(w: CoverageWindow): string {
  return w.state === 'expired' && w.cause === 'awaiting-first-content' ? NOT_COLLECTABLE_STATE : w.state;
}

/**
 * A history window the collector wrote for time beyond the tenant's retention (collector/history-search.ts,
 * cause 'beyond-retention'): Microsoft no longer holds those records anywhere.
 */
function isBeyondRetention(w: CoverageWindow): boolean {
  return w.state === 'expired' && w.cause === 'beyond-retention';
}

/** A listed blob that was not fetched is a loss at its contentCreated. */
export function blobGaps(base: Base, blobs: readonly BlobRow[]): Gap[] {
  return blobs
    .filter((b) => b.status !== 'fetched')
    .map((b) => ({
      ...base,
      start: b.contentCreated,
      end: b.contentCreated,
      state: `blob ${b.status}`,
      reason: `${b.contentId}: ${b.reason ?? b.status}`,
      lastError: b.reason,
      filledBy: null,
    }));
}

export interface Fill {
  stream: HistoryStream;
  start: number;
  end: number;
}

/** The fetched windows of history streams: what later fills covered. */
export function fillsOf(windows: readonly CoverageWindow[]): Fill[] {
  const out: Fill[] = [];
  for (const w of windows)
    if (w.state === 'fetched' && isHistoryStream(w.stream))
      out.push({ stream: w.stream, start: Math.max(w.start, w.queriedStart ?? w.start), end: w.end });
  return out.sort((a, b) => a.start - b.start);
}

/**
 * Splits gaps into what stays open and what a fill covers. A gap partly covered becomes an open piece and
 * a filled piece; a blob gap (one instant) is filled when a fill's [start, end) contains it.
 */
export function applyFills(gaps: readonly Gap[], fills: readonly Fill[]): { open: Gap[]; filled: Gap[] } {
  const open: Gap[] = [];
  const filled: Gap[] = [];
  for (const g of gaps) {
    if (g.start === g.end) {
      const by = fills.find((f) => f.start <= g.start && g.start < f.end);
      (by ? filled : open).push(by ? { ...g, filledBy: by.stream } : g);
      continue;
    }
    let cursor = g.start;
    for (const f of fills) {
      if (f.end <= cursor || f.start >= g.end) continue;
      if (f.start > cursor) open.push({ ...g, start: cursor, end: f.start });
      const end = Math.min(f.end, g.end);
      filled.push({ ...g, start: Math.max(cursor, f.start), end, filledBy: f.stream });
      cursor = end;
      if (cursor >= g.end) break;
    }
    if (cursor < g.end) open.push({ ...g, start: cursor, end: g.end });
  }
  return { open, filled };
}

/** Oldest first; a window's gap before a blob's at the same instant. */
export function byTime(a: Gap, b: Gap): number {
  return (
    a.start - b.start || a.end - b.end || Number(a.state.startsWith('blob ')) - Number(b.state.startsWith('blob '))
  );
}

export function isLiveStream(stream: LedgerStream): boolean {
  return !isHistoryStream(stream);
}
