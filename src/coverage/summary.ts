/**
 * The coverage summary: the ledger (windows, blobs, checkpoints) of some tenants turned into per-stream
 * counts and gaps, with what later history fills covered, and per tenant what its audit settings say.
 * Pure: read.ts loads the inputs from the store; the CLI and the server only render the result.
 */
import type { BlobRow, Checkpoint, CoverageWindow, LedgerStream, RetentionRemoval } from '../store/contract.js';
import { auditingFact } from './auditing.js';
import { applyFills, blobGaps, byTime, coverageStart, fillsOf, isHorizonSlice, windowGaps } from './gaps.js';
import {
  isHistoryStream,
  type AuditingFact,
  type CoverageSummary,
  type Gap,
  type RetentionSummary,
  type StreamSummary,
  type TenantCoverage,
} from './types.js';

export interface LedgerInput {
  tenants: readonly { tenantId: string; name: string }[];
  windows: readonly CoverageWindow[];
  /** The blobs not fetched (others are ignored): each is a gap at its contentCreated. */
  blobs: readonly BlobRow[];
  checkpoints: readonly Checkpoint[];
  /** Per tenant id; a tenant missing here reads as never checked. */
  auditing?: ReadonlyMap<string, AuditingFact>;
  /** What the retention sweep removed (the ledger's removals); none when absent. */
  removals?: readonly RetentionRemoval[];
}

export function summarizeLedger(input: LedgerInput): CoverageSummary {
  const streams: StreamSummary[] = [];
  const tenants: TenantCoverage[] = [];
  for (const t of input.tenants) {
    const windows = input.windows.filter((w) => w.tenant === t.tenantId);
    const blobs = input.blobs.filter((b) => b.tenant === t.tenantId);
    const fills = fillsOf(windows);
    const removed = retentionOf((input.removals ?? []).filter((r) => r.tenant === t.tenantId));
    const mine: StreamSummary[] = [];
    for (const stream of [...new Set(windows.map((w) => w.stream))].sort()) {
      const base = { tenant: t.tenantId, name: t.name, stream };
      const ws = windows.filter((w) => w.stream === stream);
      const bs = blobs.filter((b) => b.contentType === stream);
      const found = applyFills([...windowGaps(base, ws), ...blobGaps(base, bs)], fills);
      // Time retention removed on purpose is not a gap: what was missing there went with the records.
      const open = removedBefore(found.open, removed?.before ?? null);
      const filled = removedBefore(found.filled, removed?.before ?? null);
      const checkpoint = input.checkpoints.find((c) => c.tenant === t.tenantId && c.stream === stream);
      mine.push(streamSummary(base, ws, open.sort(byTime), filled.sort(byTime), checkpoint?.position ?? null));
    }
    streams.push(...mine);
    tenants.push({
      tenant: t.tenantId,
      name: t.name,
      removed,
      streams: mine.length,
      gaps: mine.reduce((n, s) => n + s.gaps.length, 0),
      filled: mine.reduce((n, s) => n + s.filled.length, 0),
      auditing: input.auditing?.get(t.tenantId) ?? auditingFact(undefined, 0),
    });
  }
  return { streams, tenants };
}

function streamSummary(
  base: { tenant: string; name: string; stream: LedgerStream },
  ws: readonly CoverageWindow[],
  gaps: Gap[],
  filled: Gap[],
  checkpoint: number | null,
): StreamSummary {
  const windowsIn = (...states: string[]): number => ws.filter((w) => states.includes(w.state)).length;
  const gapsIn = (test: (state: string) => boolean): number => gaps.filter((g) => test(g.state)).length;
  const history = isHistoryStream(base.stream);
  // The windows carry their blobs' counts (computed from the blob rows when each window was done), so
  // the summary never reads every blob: a year of a busy tenant is 100,000 rows (seconds to read).
  const sum = (pick: (w: CoverageWindow) => number): number => ws.reduce((n, w) => n + pick(w), 0);
  return {
    ...base,
    kind: history ? 'history' : 'live',
    from: coverageStart(ws),
    to: ws.length ? Math.max(...ws.map((w) => w.end)) : null,
    windows: ws.filter((w) => !isHorizonSlice(w)).length,
    planned: windowsIn('planned'),
    listed: windowsIn('listed'),
    fetched: windowsIn('fetched'),
    failed: gapsIn((s) => s === 'failed' || s === 'partial'),
    expired: gapsIn((s) => s === 'expired'),
    blobs: sum((w) => w.blobsFetched),
    blobIssues: gapsIn((s) => s.startsWith('blob ')),
    records: sum((w) => w.records),
    newRecords: sum((w) => w.newRecords),
    checkpoint,
    gaps,
    filled,
  };
}

/** One tenant's removals summed; null when retention never removed anything of it. */
function retentionOf(removals: readonly RetentionRemoval[]): RetentionSummary | null {
  if (!removals.length) return null;
  const known = (values: (number | null)[]): number[] => values.filter((v): v is number => v !== null);
  const oldest = known(removals.map((r) => r.oldest));
  const newest = known(removals.map((r) => r.newest));
  const complete = removals.filter((r) => r.complete).map((r) => r.before);
  return {
    records: removals.reduce((n, r) => n + r.records, 0),
    oldest: oldest.length ? Math.min(...oldest) : null,
    newest: newest.length ? Math.max(...newest) : null,
    before: complete.length ? Math.max(...complete) : null,
    sweptAt: Math.max(...removals.map((r) => r.updatedAt)),
  };
}

/** The gaps after `before` (a gap across it keeps its later part); all of them when nothing was removed. */
function removedBefore(gaps: Gap[], before: number | null): Gap[] {
  if (before === null) return gaps;
  return gaps
    .filter((g) => g.end > before || (g.start === g.end && g.start >= before))
    .map((g) => (g.start < before && g.end > before ? { ...g, start: before } : g));
}
