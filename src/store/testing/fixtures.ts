import { ipMatches } from '../../core/ip.js';
import type { AuditRecord, StoredSummary } from '../../core/record.js';
import type { SearchQuery } from '../../core/search-query.js';
import type { SinkRow } from '../../core/sink.js';
import type { BlobRow, CoverageWindow, RecordStore, TenantRow } from '../contract.js';

export const T0 = Date.UTC(2026, 9, 1);
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const TENANT_A = '0e8108b1-18e9-41a4-961b-dfcddf92ef08';
export const TENANT_B = '5b2c5f9e-3a1e-4d47-9d2c-9f5a1d2e7c11';

let serial = 0;

/** A realistic SharePoint record; a test overrides the few fields it is about. */
export function record(over: Partial<AuditRecord> = {}): AuditRecord {
  const n = ++serial;
  const base: AuditRecord = {
    tenant: TENANT_A,
    id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
    creationTime: T0 + (n % 600) * MIN,
    recordType: 6,
    operation: 'FileAccessed',
    workload: 'SharePoint',
    userId: 'Alice@Contoso.com',
    userKey: 'alice@contoso.com',
    userType: 0,
    clientIp: '203.0.113.10',
    clientPort: null,
    objectId: 'https://contoso.sharepoint.com/sites/Finance/Shared Documents/Budget.xlsx',
    resultStatus: 'Succeeded',
    outcome: 'success',
    organizationId: TENANT_A,
    source: 'management-api',
    contentType: 'Audit.SharePoint',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
    appId: null,
    logonType: null,
    raw: '',
  };
  const r = { ...base, ...over };
  if (over.userId !== undefined && over.userKey === undefined)
    r.userKey = r.userId === null ? null : r.userId.toLowerCase();
  if (over.raw === undefined) {
    r.raw = JSON.stringify({
      Id: r.id,
      CreationTime: new Date(r.creationTime).toISOString().slice(0, 19),
      Operation: r.operation,
      UserId: r.userId,
      ClientIP: r.clientIp,
      ObjectId: r.objectId,
      Workload: r.workload,
      UserAgent: r.userAgent,
    });
  }
  return r;
}

/** The search semantics of core/search-query.ts, by brute force: what every store must answer. */
export function matches(r: AuditRecord, q: SearchQuery): boolean {
  const lower = (list?: string[]) => list?.map((v) => v.toLowerCase());
  const ops = lower(q.operations);
  const users = lower(q.users);
  const workloads = lower(q.workloads);
  return (
    r.creationTime >= q.range.start &&
    r.creationTime < q.range.end &&
    (!q.tenants || q.tenants.includes(r.tenant)) &&
    (!users || users.includes(r.userKey ?? '\u0000')) &&
    (!ops || ops.includes(r.operation.toLowerCase())) &&
    (!q.recordTypes || q.recordTypes.includes(r.recordType)) &&
    (!workloads || (r.workload !== null && workloads.includes(r.workload.toLowerCase()))) &&
    (!q.ips || q.ips.some((f) => ipMatches(r.clientIp, f))) &&
    (!q.objects || q.objects.some((o) => r.objectId !== null && r.objectId.toLowerCase().includes(o.toLowerCase()))) &&
    (!q.freeText || q.freeText.some((t) => r.raw.toLowerCase().includes(t.toLowerCase()))) &&
    (!q.logonTypes || (r.logonType !== null && q.logonTypes.includes(r.logonType))) &&
    (!q.appsOtherThan || (r.appId !== null && !q.appsOtherThan.some((a) => a.toLowerCase() === r.appId)))
  );
}

/** Newest first; ties by tenant, then id, descending (binary order). */
export function newestFirst(a: AuditRecord, b: AuditRecord): number {
  if (a.creationTime !== b.creationTime) return b.creationTime - a.creationTime;
  if (a.tenant !== b.tenant) return a.tenant < b.tenant ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function expectedIds(records: readonly AuditRecord[], q: SearchQuery): string[] {
  return records
    .filter((r) => matches(r, q))
    .sort(newestFirst)
    .map((r) => `${r.tenant}/${r.id}`);
}

export function tenantRow(over: Partial<TenantRow> = {}): TenantRow {
  return {
    name: 'contoso',
    tenantId: TENANT_A,
    domain: 'contoso.onmicrosoft.com',
    clientId: '11111111-2222-3333-4444-555555555555',
    cloud: 'commercial',
    authKind: 'secret',
    credential: 'enc:v1:abc',
    certificatePem: null,
    publisherId: null,
    baseUrl: null,
    caFile: null,
    addedAt: T0,
    updatedAt: T0,
    ...over,
  };
}

/**
 * A webhook sink that takes alerts, named `name`: an alert channel (the store records deliveries only to a sink). Its
 * identity is `sink-<name>`; a test that adds it again as a new sink (`sink add` after `sink remove`) gives another.
 */
export function alertSinkRow(name: string, over: Partial<SinkRow> = {}): SinkRow {
  return {
    id: `sink-${name}`,
    name,
    kind: 'webhook',
    url: 'https://127.0.0.1:8443/hook',
    urlSecret: null,
    takes: 'alerts',
    filter: {},
    options: {},
    secret: null,
    caFile: null,
    enabled: true,
    addedAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export function windowRow(over: Partial<CoverageWindow> = {}): CoverageWindow {
  return {
    tenant: TENANT_A,
    stream: 'Audit.SharePoint',
    start: T0,
    end: T0 + DAY,
    kind: 'window',
    state: 'planned',
    cause: null,
    queriedStart: null,
    fetchedTo: null,
    blobsListed: 0,
    blobsFetched: 0,
    blobsFailed: 0,
    records: 0,
    newRecords: 0,
    attempts: 0,
    lastError: null,
    updatedAt: T0,
    ...over,
  };
}

export function blobRow(
  over: Partial<Omit<BlobRow, 'records' | 'newRecords'>> = {},
): Omit<BlobRow, 'records' | 'newRecords'> {
  return {
    tenant: TENANT_A,
    contentType: 'Audit.SharePoint',
    contentId: '20261001000000000000000000000000000000$1',
    contentUri: 'https://manage.office.com/api/v1.0/x/activity/feed/audit/1',
    contentCreated: T0,
    contentExpiration: T0 + 7 * DAY,
    fetchedAt: T0 + HOUR,
    sha256: 'ab'.repeat(32),
    status: 'fetched',
    reason: null,
    windowStart: T0,
    ...over,
  };
}

/**
 * A search read as the console reads it: pages of `size` summaries with the keyset cursor, until a short page
 * (or once `atMost` records are read).
 */
export async function readPages(
  records: Pick<RecordStore, 'searchSummaries'>,
  query: SearchQuery,
  size: number,
  atMost = Infinity,
): Promise<StoredSummary[]> {
  const got: StoredSummary[] = [];
  let cursor: { creationTime: number; tenant: string; id: string } | undefined;
  for (;;) {
    let n = 0;
    for await (const r of records.searchSummaries(query, { limit: size, ...(cursor ? { after: cursor } : {}) })) {
      got.push(r);
      cursor = { creationTime: r.creationTime, tenant: r.tenant, id: r.id };
      n++;
    }
    if (n < size || got.length >= atMost) return got;
  }
}
