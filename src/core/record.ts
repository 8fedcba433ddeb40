/**
 * The one shape every audit record takes inside tenantwatch, whatever it arrived as
 * (Management Activity API blob, Search-UnifiedAuditLog, Graph auditLogRecord, Purview CSV export).
 * `raw` keeps the original AuditData JSON text untouched (but for a lone UTF-16 surrogate, written as its JSON
 * escape: ingest/well-formed.ts): it is the evidence, everything else is derived.
 */

/** Where a record came from. */
export const RECORD_SOURCES = ['management-api', 'graph', 'search-unified-audit-log', 'import'] as const;
export type RecordSource = (typeof RECORD_SOURCES)[number];

/** The Management Activity API content types, exact casing as the API wants them. */
export const CONTENT_TYPES = [
  'Audit.AzureActiveDirectory',
  'Audit.Exchange',
  'Audit.SharePoint',
  'Audit.General',
  'DLP.All',
] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

export function isContentType(value: string): value is ContentType {
  return (CONTENT_TYPES as readonly string[]).includes(value);
}

/**
 * Derived result of the action. Microsoft's ResultStatus alone is not enough: a UserLoginFailed record
 * can say "Success" (the HTTP call worked) while the sign-in failed.
 */
export type Outcome = 'success' | 'failure' | 'unknown';

export interface AuditRecord {
  /** Tenant key: the tenant's GUID (OrganizationId) when known, else the name it was imported under. */
  tenant: string;
  /** Microsoft's record Id — the de-duplication key within a tenant; derived from content when absent. */
  id: string;
  /** CreationTime, epoch milliseconds UTC. */
  creationTime: number;
  /** AuditLogRecordType number; unknown numbers are kept as they are. */
  recordType: number;
  operation: string;
  workload: string | null;
  /** UserId exactly as given. */
  userId: string | null;
  /** UserId lower-cased, for case-insensitive matching (not Microsoft's own UserKey field, which stays in raw). */
  userKey: string | null;
  /** UserType number (0 Regular … 10 Guest), null when absent. */
  userType: number | null;
  /** Client address without port; IPv4-mapped IPv6 (::ffff:a.b.c.d) is stored as the plain IPv4 address. */
  clientIp: string | null;
  clientPort: number | null;
  objectId: string | null;
  resultStatus: string | null;
  outcome: Outcome;
  organizationId: string | null;
  source: RecordSource;
  contentType: ContentType | null;
  /**
   * The client's user agent: UserAgent, or for Entra sign-ins ExtendedProperties' UserAgent (the ECS
   * mapping's user_agent.original); null when the record names none.
   */
  userAgent: string | null;
  /** The application that acted: ClientAppId, else AppId (Exchange, SharePoint, Graph activity), lower case; null when none. */
  appId: string | null;
  /** Exchange's LogonType (0 owner, 1 admin, 2 delegate, 3 transport, 4 system service, 6 delegated admin); null when absent. */
  logonType: number | null;
  /** The original AuditData JSON text, byte for byte as received (after decoding to a string). */
  raw: string;
  /**
   * The key as the source spelled it, present only when it differs from (tenant, id): a GUID written with
   * upper-case letters, keyed in lower case (core/guid.ts). Versions before ADR 0039 stored the record under this
   * spelling, so the stores count a record held under it as already stored. Never stored itself.
   */
  receivedKey?: { tenant: string; id: string };
}

/** A record as read back from the store. */
export interface StoredRecord extends AuditRecord {
  /** When tenantwatch stored it, epoch ms UTC. */
  ingestedAt: number;
}

/**
 * A stored record without its raw AuditData: every column a result list shows (RecordStore.searchSummaries),
 * a third of the bytes of the whole record.
 */
export type StoredSummary = Omit<StoredRecord, 'raw'>;

/**
 * The columns of a stored record that reports decide by, without its raw AuditData and the rest: what
 * RecordStore.heads reads, a fraction of the bytes of the whole record (and of the strings to build).
 */
export type RecordHead = Pick<
  StoredRecord,
  | 'tenant'
  | 'id'
  | 'creationTime'
  | 'recordType'
  | 'operation'
  | 'workload'
  | 'userKey'
  | 'clientIp'
  | 'outcome'
  | 'userAgent'
  | 'appId'
  | 'logonType'
>;
