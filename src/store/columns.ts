import type {
  AuditRecord,
  ContentType,
  Outcome,
  RecordHead,
  RecordSource,
  StoredRecord,
  StoredSummary,
} from '../core/record.js';
import type { RecordKeys } from './contract.js';
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
  'tenant',
  'id',
  'creation_time',
  'record_type',
  'operation',
  'operation_key',
  'workload',
  'workload_key',
  'user_id',
  'user_key',
  'user_type',
  'client_ip',
  'client_ip_key',
  'client_port',
  'object_id',
  'result_status',
  'outcome',
  'organization_id',
  'source',
  'content_type',
  'plain',
  'ingested_at',
  'user_agent',
  'app_id',
  'logon_type',
  'raw',
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

/**
 * The values of one record, in RECORD_COLUMNS order, with NUL characters written as the JSON escape
 * `\u0000` (six characters). PostgreSQL text cannot hold U+0000: one such string failed the whole batch
 * (issue 18.13: import kept 0 of 101; the collector failed the tenant on every run). Both stores keep
 * the same text so they answer alike; the original is recoverable, as raw holds it in JSON's own escape.
 * `keys` are recordKeys(r) when the caller computed them already (an import's parse worker does).
 */
export function recordValues(
  r: AuditRecord,
  ingestedAt: number,
  keys: RecordKeys = recordKeys(r),
): (string | number | null)[] {
  const values = valuesOf(r, ingestedAt, keys);
  if (keys.nul)
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v === 'string' && v.includes('\u0000')) values[i] = v.replaceAll('\u0000', NUL_ESCAPE);
    }
  return values;
}

/** How a stored text column writes U+0000: JSON's escape, which a person reads as what it was. */
export const NUL_ESCAPE = '\\u0000';

/**
 * What the store derives from a record besides its fields (see RECORD_COLUMNS). Pure, so an import's
 * parse worker computes it beside normalizing and the writing thread only writes (ADR 0034): scanning
 * each 1 KB raw twice (plain, NUL) and keying the address were a tenth of that thread's time.
 * `rawPlain`: whether raw is pure ASCII, when the caller knows (the parse worker learns it writing raw out).
 */
export function recordKeys(r: AuditRecord, rawPlain = isPlain(r.raw)): RecordKeys {
  return {
    operationKey: operationKeyOf(r.operation),
    workloadKey: workloadKeyOf(r.workload),
    clientIpKey: ipKey(r.clientIp),
    ...recordFlags(r, rawPlain),
  };
}

/**
 * The key columns, each a function of one field (recordKeys; an import's parse worker keeps them per distinct
 * value, packed-records.ts). client_ip_key is ip-key.ts ipKey.
 */
export function operationKeyOf(operation: string): string {
  return operation.toLowerCase();
}

export function workloadKeyOf(workload: string | null): string | null {
  return workload === null ? null : workload.toLowerCase();
}

/** What recordKeys says of the record as a whole. */
export function recordFlags(r: AuditRecord, rawPlain = isPlain(r.raw)): Pick<RecordKeys, 'plain' | 'nul'> {
  return { plain: rawPlain && isPlain(r.objectId), nul: hasNul(r) };
}

/**
 * Whether a text field holds U+0000. Field by field rather than a loop over the record's keys (a third of the
 * cost on an import's parse worker, where every record passes here); columns.test.ts puts a NUL in each text
 * field of a record, so a field added to AuditRecord and not here fails it.
 */
function hasNul(r: AuditRecord): boolean {
  return (
    nul(r.raw) ||
    nul(r.tenant) ||
    nul(r.id) ||
    nul(r.operation) ||
    nul(r.workload) ||
    nul(r.userId) ||
    nul(r.userKey) ||
    nul(r.clientIp) ||
    nul(r.objectId) ||
    nul(r.resultStatus) ||
    nul(r.outcome) ||
    nul(r.organizationId) ||
    nul(r.source) ||
    nul(r.contentType) ||
    nul(r.userAgent) ||
    nul(r.appId)
  );
}

function nul(text: string | null): boolean {
  return text !== null && text.includes('\u0000');
}

function valuesOf(r: AuditRecord, ingestedAt: number, keys: RecordKeys): (string | number | null)[] {
  return [
    r.tenant,
    r.id,
    r.creationTime,
    r.recordType,
    r.operation,
    keys.operationKey,
    r.workload,
    keys.workloadKey,
    r.userId,
    r.userKey,
    r.userType,
    r.clientIp,
    keys.clientIpKey,
    r.clientPort,
    r.objectId,
    r.resultStatus,
    r.outcome,
    r.organizationId,
    r.source,
    r.contentType,
    keys.plain ? 1 : 0,
    ingestedAt,
    r.userAgent,
    r.appId,
    r.logonType,
    r.raw,
  ];
}

/**
 * The columns a read needs (derived keys stay inside the store), in the order the row readers below
 * take them: a head's first (HEAD_COLUMNS, what RecordHead holds), then the rest of a whole record
 * with raw last (SELECT_COLUMNS).
 */
const HEAD_COLUMN_LIST = [
  'tenant',
  'id',
  'creation_time',
  'record_type',
  'operation',
  'workload',
  'user_key',
  'client_ip',
  'outcome',
  'user_agent',
  'app_id',
  'logon_type',
] as const;
const REST_COLUMN_LIST = [
  'user_id',
  'user_type',
  'client_port',
  'object_id',
  'result_status',
  'organization_id',
  'source',
  'content_type',
  'ingested_at',
  'raw',
] as const;
export const HEAD_COLUMNS = HEAD_COLUMN_LIST.join(', ');
export const SELECT_COLUMNS = [...HEAD_COLUMN_LIST, ...REST_COLUMN_LIST].join(', ');
/** SELECT_COLUMNS without raw (the last): a StoredSummary's. */
export const SUMMARY_COLUMNS = [...HEAD_COLUMN_LIST, ...REST_COLUMN_LIST.filter((c) => c !== 'raw')].join(', ');

/** One row of SELECT_COLUMNS or HEAD_COLUMNS as an array (PostgreSQL returns bigint columns as text). */
export type SelectedRow = readonly unknown[];

const nullableNumber = (v: unknown): number | null => (v === null ? null : Number(v));

/**
 * A row read back as a record head. Rows are read as arrays, not objects: better-sqlite3 builds an
 * object of named properties per row, which cost more than the row's own read (measured: 2,754
 * sign-in rows in 20 ms as objects, 12 ms as arrays), and reports read hundreds of thousands.
 */
export function toRecordHead(row: SelectedRow): RecordHead {
  return {
    tenant: row[0] as string,
    id: row[1] as string,
    creationTime: Number(row[2]),
    recordType: Number(row[3]),
    operation: row[4] as string,
    workload: row[5] as string | null,
    userKey: row[6] as string | null,
    clientIp: row[7] as string | null,
    outcome: row[8] as Outcome,
    userAgent: row[9] as string | null,
    appId: row[10] as string | null,
    logonType: nullableNumber(row[11]),
  };
}

/**
 * A row of SELECT_COLUMNS read back as a whole record: one object literal (spreading a head into it
 * cost a second object per row: inbox-rules over 60 days of a million records took 0.48 s, 0.27 s without).
 */
export function toStoredRecord(row: SelectedRow): StoredRecord {
  return recordOf(row, row[21] as string);
}

/**
 * A row of SUMMARY_COLUMNS read back as a record without raw. The object is a StoredRecord's shape with raw
 * empty (one literal for both; adding a property after it was built costs a second allocation per row), and
 * its type leaves raw out, so nothing reads it.
 */
export function toStoredSummary(row: SelectedRow): StoredSummary {
  return recordOf(row, '');
}

/** What a newest-first search page reads of each row, and how a row is read back. */
export interface PageShape<T> {
  columns: string;
  toRow: (row: SelectedRow) => T;
}
/** Whole records (RecordStore.search). */
export const WHOLE_RECORDS: PageShape<StoredRecord> = { columns: SELECT_COLUMNS, toRow: toStoredRecord };
/** Records without raw (RecordStore.searchSummaries). */
export const SUMMARIES: PageShape<StoredSummary> = { columns: SUMMARY_COLUMNS, toRow: toStoredSummary };

function recordOf(row: SelectedRow, raw: string): StoredRecord {
  return {
    tenant: row[0] as string,
    id: row[1] as string,
    creationTime: Number(row[2]),
    recordType: Number(row[3]),
    operation: row[4] as string,
    workload: row[5] as string | null,
    userKey: row[6] as string | null,
    clientIp: row[7] as string | null,
    outcome: row[8] as Outcome,
    userAgent: row[9] as string | null,
    appId: row[10] as string | null,
    logonType: nullableNumber(row[11]),
    userId: row[12] as string | null,
    userType: nullableNumber(row[13]),
    clientPort: nullableNumber(row[14]),
    objectId: row[15] as string | null,
    resultStatus: row[16] as string | null,
    organizationId: row[17] as string | null,
    source: row[18] as RecordSource,
    contentType: row[19] as ContentType | null,
    ingestedAt: Number(row[20]),
    raw,
  };
}
