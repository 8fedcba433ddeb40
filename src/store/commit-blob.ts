/**
 * LedgerStore.commitBlob for a state adapter whose records live in another engine (contract.ts): the
 * two writes cannot share a transaction, so their order carries the guarantee instead.
 */
import type { AuditRecord } from '../core/record.js';
import type { BlobRow, InsertResult, LedgerStore, RecordStore } from './contract.js';

/**
 * Records first, idempotently by (tenant, id); the ledger row after. A crash in between leaves records
 * the ledger does not know of: the collector fetches the blob again, its records come back as
 * duplicates (ignored), and the row is written then. No record is lost (the row is never written before
 * them) and none is stored twice (the (tenant, id) key).
 */
export async function commitBlobAcross(
  records: Pick<RecordStore, 'insert'>,
  ledger: Pick<LedgerStore, 'recordBlob'>,
  blob: Omit<BlobRow, 'records' | 'newRecords'>,
  rows: readonly AuditRecord[],
): Promise<InsertResult> {
  const result = await records.insert(rows);
  await ledger.recordBlob({ ...blob, records: rows.length, newRecords: result.inserted });
  return result;
}
