/**
 * Loads what the coverage summary needs through the Store contract — windows, blobs, checkpoints, the
 * latest posture snapshots — and summarizes it. The CLI (`tenantwatch coverage`) and the server
 * (`GET /api/coverage`, `GET /api/tenants`) call this and only render the answer.
 */
import type { BlobRow, Checkpoint, Store } from '../store/contract.js';
import { readAuditingFacts } from './auditing.js';
import { summarizeLedger } from './summary.js';
import type { CoverageSummary } from './types.js';

export async function readCoverage(
  store: Store,
  tenants: readonly { tenantId: string; name: string }[],
  now: number,
): Promise<CoverageSummary> {
  const windows = (await Promise.all(tenants.map((t) => store.ledger.listWindows({ tenant: t.tenantId })))).flat();
  const blobs = (await Promise.all(tenants.map((t) => store.ledger.listBlobs({ tenant: t.tenantId })))).flat();
  const checkpoints: Checkpoint[] = [];
  const keys = new Set(windows.map((w) => `${w.tenant}\u0000${w.stream}`));
  for (const w of windows) {
    const key = `${w.tenant}\u0000${w.stream}`;
    if (!keys.delete(key)) continue;
    const cp = await store.ledger.getCheckpoint(w.tenant, w.stream);
    if (cp) checkpoints.push(cp);
  }
  const auditing = await readAuditingFacts(store, tenants, now);
  return summarizeLedger({ tenants, windows, blobs, checkpoints, auditing });
}

/** Per blob evidence (`coverage --format json`): id, created, records, status, sha256. */
export type BlobEvidence = Pick<
  BlobRow,
  'tenant' | 'contentType' | 'contentId' | 'contentCreated' | 'records' | 'newRecords' | 'status' | 'reason' | 'sha256'
>;

export async function readBlobEvidence(
  store: Store,
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
