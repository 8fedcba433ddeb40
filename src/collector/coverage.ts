import type { BlobRow, CoverageWindow, LedgerStream, Store, TenantRow } from '../store/contract.js';

/**
 * The coverage ledger as a person reads it (`tenantwatch coverage`): per tenant and stream, windows by
 * state, blob and record counts, and the gaps listed explicitly — every window not fully fetched
 * (failed, partial, never finished, expired behind the 7-day horizon) and every slice of a window the
 * API could no longer be asked for (queriedStart after start) — and every blob that was listed but not
 * fetched (refused, expired, missing, failed), with its reason. Nothing missing is left unsaid.
 */
export interface CoverageRow {
  tenant: string;
  name: string;
  stream: LedgerStream;
  from: number | null;
  to: number | null;
  windows: number;
  planned: number;
  listed: number;
  fetched: number;
  failed: number;
  expired: number;
  blobs: number;
  blobIssues: number;
  records: number;
  newRecords: number;
  checkpoint: number | null;
}

export interface Gap {
  tenant: string;
  name: string;
  stream: LedgerStream;
  start: number;
  end: number;
  state: string;
  reason: string;
}

export interface CoverageReport {
  rows: CoverageRow[];
  gaps: Gap[];
  /** Per blob evidence (json format only): id, created, records, status, sha256. */
  blobs?: Pick<
    BlobRow,
    | 'tenant'
    | 'contentType'
    | 'contentId'
    | 'contentCreated'
    | 'records'
    | 'newRecords'
    | 'status'
    | 'reason'
    | 'sha256'
  >[];
}

export async function buildCoverage(
  store: Store,
  tenants: readonly Pick<TenantRow, 'tenantId' | 'name'>[],
  options: { blobs?: boolean } = {},
): Promise<CoverageReport> {
  const rows: CoverageRow[] = [];
  const gaps: Gap[] = [];
  const blobs: NonNullable<CoverageReport['blobs']> = [];
  for (const t of tenants) {
    const windows = await store.ledger.listWindows({ tenant: t.tenantId });
    const tenantBlobs = await store.ledger.listBlobs({ tenant: t.tenantId });
    const streams = [...new Set(windows.map((w) => w.stream))].sort();
    for (const stream of streams) {
      const ws = windows.filter((w) => w.stream === stream);
      const bs = tenantBlobs.filter((b) => b.contentType === stream);
      const checkpoint = await store.ledger.getCheckpoint(t.tenantId, stream);
      rows.push(summarize(t, stream, ws, bs, checkpoint?.position ?? null));
      gaps.push(...gapsOf(t, stream, ws));
    }
    // A blob not fetched (refused, expired, missing, failed) is a loss inside a window: listed too.
    for (const b of tenantBlobs) {
      if (b.status !== 'fetched')
        gaps.push({
          tenant: t.tenantId,
          name: t.name,
          stream: b.contentType,
          start: b.contentCreated,
          end: b.contentCreated,
          state: `blob ${b.status}`,
          reason: `${b.contentId}: ${b.reason ?? b.status}`,
        });
    }
    if (options.blobs)
      for (const b of tenantBlobs)
        blobs.push({
          tenant: b.tenant,
          contentType: b.contentType,
          contentId: b.contentId,
          contentCreated: b.contentCreated,
          records: b.records,
          newRecords: b.newRecords,
          status: b.status,
          reason: b.reason,
          sha256: b.sha256,
        });
  }
  return { rows, gaps, ...(options.blobs ? { blobs } : {}) };
}

function summarize(
  t: Pick<TenantRow, 'tenantId' | 'name'>,
  stream: LedgerStream,
  ws: CoverageWindow[],
  bs: BlobRow[],
  checkpoint: number | null,
): CoverageRow {
  const count = (...states: string[]): number => ws.filter((w) => states.includes(w.state)).length;
  const fetched = bs.filter((b) => b.status === 'fetched');
  return {
    tenant: t.tenantId,
    name: t.name,
    stream,
    from: ws.length ? Math.min(...ws.map((w) => w.start)) : null,
    to: ws.length ? Math.max(...ws.map((w) => w.end)) : null,
    windows: ws.length,
    planned: count('planned'),
    listed: count('listed'),
    fetched: count('fetched'),
    failed: count('failed', 'partial'),
    expired: count('expired'),
    blobs: fetched.length,
    blobIssues: bs.length - fetched.length,
    records: fetched.reduce((n, b) => n + b.records, 0),
    newRecords: fetched.reduce((n, b) => n + b.newRecords, 0),
    checkpoint,
  };
}

export function gapsOf(
  t: Pick<TenantRow, 'tenantId' | 'name'>,
  stream: LedgerStream,
  ws: readonly CoverageWindow[],
): Gap[] {
  const out: Gap[] = [];
  for (const w of ws) {
    const base = { tenant: t.tenantId, name: t.name, stream };
    if (w.state !== 'fetched') {
      const reason =
        w.state === 'expired'
          ? 'passed the 7-day horizon before it was fetched'
          : w.state === 'failed'
            ? `listing failed: ${w.lastError ?? 'unknown error'}`
            : w.state === 'partial'
              ? (w.lastError ?? 'some blobs could not be fetched')
              : 'collection did not finish this window';
      out.push({ ...base, start: w.start, end: w.end, state: w.state, reason });
    } else if (w.queriedStart !== null && w.queriedStart > w.start) {
      out.push({
        ...base,
        start: w.start,
        end: w.queriedStart,
        state: 'expired',
        reason: 'behind the 7-day horizon when this window was listed',
      });
    }
  }
  return out;
}
