import type { Checkpoint, CoverageWindow, LedgerStream } from '../store/contract.js';

/** A stretch of time of one stream that is not proven collected. */
export interface CoverageGap {
  tenant: string;
  stream: LedgerStream;
  start: number;
  end: number;
  /** The window state that makes it a gap ('hole' = no window covers it at all). */
  reason: string;
  lastError: string | null;
}

export interface StreamCoverage {
  tenant: string;
  stream: LedgerStream;
  windows: number;
  fetched: number;
  failed: number;
  blobs: number;
  records: number;
  newRecords: number;
  from: number | null;
  to: number | null;
  checkpoint: number | null;
  gaps: CoverageGap[];
}

/**
 * Reads gaps from the coverage ledger (glossary: ledger, window): a window that did not end
 * 'fetched' is a gap, and so is time between two windows of one stream that no window covers.
 * Adjoining gaps of one stream are merged so the console shows one line per stretch.
 */
export function summarizeCoverage(
  windows: readonly CoverageWindow[],
  checkpoints: readonly Checkpoint[] = [],
): StreamCoverage[] {
  const byStream = new Map<string, CoverageWindow[]>();
  for (const w of windows) {
    const key = `${w.tenant}\u0000${w.stream}`;
    const list = byStream.get(key);
    if (list) list.push(w);
    else byStream.set(key, [w]);
  }
  const out: StreamCoverage[] = [];
  for (const list of byStream.values()) {
    list.sort((a, b) => a.start - b.start);
    const first = list[0]!;
    const cp = checkpoints.find((c) => c.tenant === first.tenant && c.stream === first.stream);
    out.push({
      tenant: first.tenant,
      stream: first.stream,
      windows: list.length,
      fetched: list.filter((w) => w.state === 'fetched').length,
      failed: list.filter((w) => w.state === 'failed' || w.state === 'expired').length,
      blobs: list.reduce((n, w) => n + w.blobsFetched, 0),
      records: list.reduce((n, w) => n + w.records, 0),
      newRecords: list.reduce((n, w) => n + w.newRecords, 0),
      from: first.start,
      to: Math.max(...list.map((w) => w.end)),
      checkpoint: cp?.position ?? null,
      gaps: gapsOf(list),
    });
  }
  return out.sort((a, b) => a.tenant.localeCompare(b.tenant) || a.stream.localeCompare(b.stream));
}

function gapsOf(sorted: readonly CoverageWindow[]): CoverageGap[] {
  const gaps: CoverageGap[] = [];
  const push = (g: CoverageGap): void => {
    const prev = gaps[gaps.length - 1];
    if (prev && prev.end >= g.start && prev.reason === g.reason) prev.end = Math.max(prev.end, g.end);
    else gaps.push(g);
  };
  let covered = sorted[0]?.start ?? 0;
  for (const w of sorted) {
    if (w.start > covered)
      push({ tenant: w.tenant, stream: w.stream, start: covered, end: w.start, reason: 'hole', lastError: null });
    if (w.state !== 'fetched')
      push({ tenant: w.tenant, stream: w.stream, start: w.start, end: w.end, reason: w.state, lastError: w.lastError });
    covered = Math.max(covered, w.end);
  }
  return gaps;
}
