import type { StoredRecord } from '../core/record.js';
import { toIsoSeconds } from '../core/time.js';
import type { ReportRow } from './types.js';

/** The fields recordRow gives every row that stands for one audit record, in its order. */
export const RECORD_COLUMNS = [
  'tenant',
  'id',
  'time',
  'user',
  'operation',
  'workload',
  'clientIp',
  'objectId',
] as const;

/** The columns every row that stands for one audit record carries, so every report's rows read alike. */
export function recordRow(record: StoredRecord, extra: Record<string, unknown> = {}): ReportRow {
  return {
    tenant: record.tenant,
    id: record.id,
    time: toIsoSeconds(record.creationTime),
    user: record.userId,
    operation: record.operation,
    workload: record.workload,
    clientIp: record.clientIp,
    objectId: record.objectId,
    ...extra,
  };
}
