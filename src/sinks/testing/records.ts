/** Stored records for sink tests: realistic SharePoint/Entra records; a test overrides a few fields. */
import type { StoredRecord } from '../../core/record.js';
import type { SinkRow } from '../../core/sink.js';
import type { AlertPayload } from '../alert.js';

export const T0 = Date.UTC(2026, 10, 1, 8);
export const TENANT = '0e8108b1-18e9-41a4-961b-dfcddf92ef08';
let serial = 0;

export function storedRecord(over: Partial<StoredRecord> = {}): StoredRecord {
  const n = ++serial;
  const id = over.id ?? `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const r: StoredRecord = {
    tenant: TENANT,
    id,
    creationTime: T0 + n * 1000,
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
    organizationId: TENANT,
    source: 'management-api',
    contentType: 'Audit.SharePoint',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
    appId: null,
    logonType: null,
    raw: '',
    ingestedAt: T0 + n * 1000 + 60_000,
    ...over,
  };
  if (over.raw === undefined)
    r.raw = JSON.stringify({
      CreationTime: new Date(r.creationTime).toISOString().slice(0, 19),
      Id: r.id,
      Operation: r.operation,
      OrganizationId: r.tenant,
      RecordType: r.recordType,
      UserKey: 'i:0h.f|membership|1003@live.com',
      UserType: 0,
      Version: 1,
      Workload: r.workload,
      ClientIP: r.clientIp,
      ObjectId: r.objectId,
      UserId: r.userId,
      UserAgent: r.userAgent,
      SourceFileName: 'Budget.xlsx',
    });
  return r;
}

export function records(n: number, over: Partial<StoredRecord> = {}): StoredRecord[] {
  return Array.from({ length: n }, () => storedRecord(over));
}

/**
 * A sink as stored. Its identity is its name's (`sink-<name>`): a test that removes it and adds it again as `sink add`
 * does gives the new one an `id` of its own.
 */
export function sinkRow(over: Partial<SinkRow> = {}): SinkRow {
  return {
    id: `sink-${over.name ?? 'test'}`,
    name: 'test',
    kind: 'splunk',
    url: 'https://127.0.0.1:8088',
    urlSecret: null,
    takes: 'records',
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

/** An alert as a channel sends it: a mailbox rule raised against one user. */
export function sampleAlert(over: Partial<AlertPayload> = {}): AlertPayload {
  return {
    id: 'al-7',
    tenant: 'contoso',
    ruleId: 'r-7',
    title: 'Mailbox audit bypass enabled',
    severity: 'critical',
    description: null,
    firstSeen: T0,
    lastSeen: T0,
    raisedAt: T0,
    recordIds: ['x'],
    facts: { user: 'admin@contoso.com' },
    link: null,
    ...over,
  };
}
