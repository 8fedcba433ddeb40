/**
 * Loads what the coverage summary needs through the state part of the Store contract — windows, blobs, checkpoints, the
 * latest posture snapshots — and summarizes it. The CLI (`tenantwatch coverage`) and the server
 * (`GET /api/coverage`, `GET /api/tenants`) call this and only render the answer.
 */
import { isContentType } from '../core/record.js';
import type { BlobRow, Checkpoint, CoverageWindow, StateStore } from '../store/contract.js';

/** Coverage reads only the state part of the store (the ledger and the posture snapshots). */
type CoverageStore = Pick<StateStore, 'ledger' | 'posture'> & Partial<Pick<StateStore, 'retention'>>;
import { readAuditingFacts } from './auditing.js';
import { summarizeLedger } from './summary.js';
import type { CoverageSummary } from './types.js';

export async function readCoverage(
  store: CoverageStore,
  tenants: readonly { tenantId: string; name: string }[],
  now: number,
): Promise<CoverageSummary> {
  const windows = (await Promise.all(tenants.map((t) => store.ledger.listWindows({ tenant: t.tenantId })))).flat();
  const blobs = await blobIssues(store, windows);
  const checkpoints: Checkpoint[] = [];
  const keys = new Set(windows.map((w) => `${w.tenant}\u0000${w.stream}`));
  for (const w of windows) {
    const key = `${w.tenant}\u0000${w.stream}`;
    if (!keys.delete(key)) continue;
    const cp = await store.ledger.getCheckpoint(w.tenant, w.stream);
    if (cp) checkpoints.push(cp);
  }
  const auditing = await readAuditingFacts(store, tenants, now);
  const removals = store.retention ? await store.retention.removals() : [];
  return summarizeLedger({ tenants, windows, blobs, checkpoints, auditing, removals });
}

/**
 * The blobs listed but not fetched, read only where a window says it has some (more listed than fetched):
 * reading every blob row of a long ledger takes seconds, and the console asks on every page.
 */
async function blobIssues(store: CoverageStore, windows: readonly CoverageWindow[]): Promise<BlobRow[]> {
  const out: BlobRow[] = [];
  for (const w of windows) {
    if (!isContentType(w.stream) || w.blobsListed <= w.blobsFetched) continue;
    const rows = await store.ledger.listBlobs({ tenant: w.tenant, contentType: w.stream, from: w.start, to: w.end });
    out.push(...rows.filter((b) => b.status !== 'fetched'));
  }
  return out;
}

/** Per blob evidence (`coverage --format json`): id, created, records, status, sha256. */
export type BlobEvidence = Pick<
  BlobRow,
  'tenant' | 'contentType' | 'contentId' | 'contentCreated' | 'records' | 'newRecords' | 'status' | 'reason' | 'sha256'
>;

export async function readBlobEvidence(
  store: CoverageStore,
  tenants: readonly { tenantId: string }[],
): Promise<BlobEvidence[]> {
  const out: BlobEvidence[] = [];
  for (const t of tenants)
    for (const b of await store.ledger.listBlobs({ tenant: t.tenantId }))
      out.push({
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
  return out;
}
