import type { AuditRecord, ContentType, Outcome, RecordSource, StoredRecord } from '../core/record.js';
import { ipKey } from './ip-key.js';

/**
 * The records table's columns, in insert order, shared by both adapters so that SQLite and PostgreSQL
 * store exactly the same derived values (DESIGN.md, data model). Besides AuditRecord's fields:
 * - operation_key / workload_key: lower-cased in JavaScript, so "case-insensitive exact" means the same
 *   thing in both databases and in a brute-force filter (SQL lower() differs outside ASCII);
 * - client_ip_key: ip-key.ts, one ordered column for address and CIDR (v4 and v6) searches;
 * - plain: 1 when raw and object_id are pure ASCII, where SQL lower() equals JavaScript's
 *   toLowerCase(); substring searches use the fast SQL path only on such rows (see compile).
 */
export const RECORD_COLUMNS = [
  'tenant', 'id', 'creation_time', 'record_type', 'operation', 'operation_key', 'workload', 'workload_key',
  'user_id', 'user_key', 'user_type', 'client_ip', 'client_ip_key', 'client_port', 'object_id',
  'result_status', 'outcome', 'organization_id', 'source', 'content_type', 'plain', 'ingested_at', 'raw',
] as const;

export type RecordColumn = (typeof RECORD_COLUMNS)[number];
export type RecordRow = Record<RecordColumn, string | number | null>;

/**
 * True when SQL's ASCII-only lower() gives the same text as JavaScript's toLowerCase(): pure ASCII, i.e.
 * as many UTF-8 bytes as UTF-16 units (a lone surrogate encodes as 3 bytes). Counting bytes in native
 * code is 4× faster than a /[^\x00-\x7f]/ test over a 1 KB raw record, and runs once per stored row.
 */
export function isPlain(text: string | null): boolean {
  return text === null || Buffer.byteLength(text, 'utf8') === text.length;
}

/** The values of one record, in RECORD_COLUMNS order. */
export function recordValues(r: AuditRecord, ingestedAt: number): (string | number | null)[] {
  return [
    r.tenant, r.id, r.creationTime, r.recordType, r.operation, r.operation.toLowerCase(), r.workload,
    r.workload === null ? null : r.workload.toLowerCase(), r.userId, r.userKey, r.userType, r.clientIp,
    ipKey(r.clientIp), r.clientPort, r.objectId, r.resultStatus, r.outcome, r.organizationId, r.source,
    r.contentType, isPlain(r.raw) && isPlain(r.objectId) ? 1 : 0, ingestedAt, r.raw,
  ];
}

/** The columns a read needs (derived keys stay inside the store). */
export const SELECT_COLUMNS =
  'tenant, id, creation_time, record_type, operation, workload, user_id, user_key, user_type, client_ip, client_port, object_id, result_status, outcome, organization_id, source, content_type, ingested_at, raw';

export interface SelectedRow {
  tenant: string;
  id: string;
  creation_time: number | string | bigint;
  record_type: number;
  operation: string;
  workload: string | null;
  user_id: string | null;
  user_key: string | null;
  user_type: number | null;
  client_ip: string | null;
  client_port: number | null;
  object_id: string | null;
  result_status: string | null;
  outcome: string;
  organization_id: string | null;
  source: string;
  content_type: string | null;
  ingested_at: number | string | bigint;
  raw: string;
}

/** A row read back as a StoredRecord (PostgreSQL returns bigint columns as text). */
export function toStoredRecord(row: SelectedRow): StoredRecord {
  return {
    tenant: row.tenant,
    id: row.id,
    creationTime: Number(row.creation_time),
    recordType: Number(row.record_type),
    operation: row.operation,
    workload: row.workload,
    userId: row.user_id,
    userKey: row.user_key,
    userType: row.user_type === null ? null : Number(row.user_type),
    clientIp: row.client_ip,
    clientPort: row.client_port === null ? null : Number(row.client_port),
    objectId: row.object_id,
    resultStatus: row.result_status,
    outcome: row.outcome as Outcome,
    organizationId: row.organization_id,
    source: row.source as RecordSource,
    contentType: row.content_type as ContentType | null,
    ingestedAt: Number(row.ingested_at),
    raw: row.raw,
  };
}
