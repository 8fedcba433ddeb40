import type { ContentType } from '../core/record.js';
import type {
  BlobRow,
  Checkpoint,
  CoverageWindow,
  LedgerStream,
  WindowCause,
  WindowKind,
  WindowState,
} from './contract.js';

/** Ledger rows ↔ columns, shared by both adapters (the first columns are each table's key). */
export const WINDOW_COLUMNS = [
  'tenant',
  'stream',
  'start',
  '"end"',
  'state',
  'queried_start',
  'blobs_listed',
  'blobs_fetched',
  'blobs_failed',
  'records',
  'new_records',
  'attempts',
  'last_error',
  'updated_at',
  'kind',
  'cause',
  'fetched_to',
] as const;

export function windowValues(w: CoverageWindow): (string | number | null)[] {
  return [
    w.tenant,
    w.stream,
    w.start,
    w.end,
    w.state,
    w.queriedStart,
    w.blobsListed,
    w.blobsFetched,
    w.blobsFailed,
    w.records,
    w.newRecords,
    w.attempts,
    w.lastError,
    w.updatedAt,
    w.kind,
    w.cause,
    w.fetchedTo,
  ];
}

type Num = number | string;
const num = (v: Num): number => Number(v);
const numOrNull = (v: Num | null): number | null => (v === null ? null : Number(v));

export interface WindowSelect {
  tenant: string;
  stream: string;
  start: Num;
  end: Num;
  state: string;
  queried_start: Num | null;
  blobs_listed: Num;
  blobs_fetched: Num;
  blobs_failed: Num;
  records: Num;
  new_records: Num;
  attempts: Num;
  last_error: string | null;
  updated_at: Num;
  kind: string;
  cause: string | null;
  fetched_to: Num | null;
}

export function toWindow(r: WindowSelect): CoverageWindow {
  return {
    tenant: r.tenant,
    stream: r.stream as LedgerStream,
    start: num(r.start),
    end: num(r.end),
    kind: r.kind as WindowKind,
    state: r.state as WindowState,
    cause: r.cause as WindowCause | null,
    queriedStart: numOrNull(r.queried_start),
    fetchedTo: numOrNull(r.fetched_to),
    blobsListed: num(r.blobs_listed),
    blobsFetched: num(r.blobs_fetched),
    blobsFailed: num(r.blobs_failed),
    records: num(r.records),
    newRecords: num(r.new_records),
    attempts: num(r.attempts),
    lastError: r.last_error,
    updatedAt: num(r.updated_at),
  };
}

export const BLOB_COLUMNS = [
  'tenant',
  'content_id',
  'content_type',
  'content_uri',
  'content_created',
  'content_expiration',
  'fetched_at',
  'records',
  'new_records',
  'sha256',
  'status',
  'reason',
  'window_start',
] as const;

export function blobValues(b: BlobRow): (string | number | null)[] {
  return [
    b.tenant,
    b.contentId,
    b.contentType,
    b.contentUri,
    b.contentCreated,
    b.contentExpiration,
    b.fetchedAt,
    b.records,
    b.newRecords,
    b.sha256,
    b.status,
    b.reason,
    b.windowStart,
  ];
}

export interface BlobSelect {
  tenant: string;
  content_id: string;
  content_type: string;
  content_uri: string;
  content_created: Num;
  content_expiration: Num | null;
  fetched_at: Num;
  records: Num;
  new_records: Num;
  sha256: string | null;
  status: string;
  reason: string | null;
  window_start: Num;
}

export function toBlobRow(r: BlobSelect): BlobRow {
  return {
    tenant: r.tenant,
    contentType: r.content_type as ContentType,
    contentId: r.content_id,
    contentUri: r.content_uri,
    contentCreated: num(r.content_created),
    contentExpiration: numOrNull(r.content_expiration),
    fetchedAt: num(r.fetched_at),
    records: num(r.records),
    newRecords: num(r.new_records),
    sha256: r.sha256,
    status: r.status as BlobRow['status'],
    reason: r.reason,
    windowStart: num(r.window_start),
  };
}

export interface CheckpointSelect {
  tenant: string;
  stream: string;
  position: Num;
  updated_at: Num;
}

export function toCheckpoint(r: CheckpointSelect): Checkpoint {
  return {
    tenant: r.tenant,
    stream: r.stream as LedgerStream,
    position: num(r.position),
    updatedAt: num(r.updated_at),
  };
}
