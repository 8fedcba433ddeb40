/**
 * An audit record as an ECS document, the way Elastic's `o365` integration maps it
 * (../shared/spec/schema/ecs-mapping.md, §1 always-applied fields and §3 categorisation): the common
 * fields are lifted out, and the whole original AuditData stays under `o365.audit` with its own field
 * names, so nothing is lost and the integration's dashboards and rules find what they expect. The
 * per-schema enrichments of §2 (DLP, alerts, Yammer) and GeoIP are left to an ingest pipeline.
 */
import { parseBoundedJson } from '../../core/json.js';
import { recordTypeName } from '../../core/catalog/index.js';
import type { StoredRecord } from '../../core/record.js';

export const ECS_VERSION = '8.11.0';

const FILE_TYPE: Record<string, string> = {
  FileAccessed: 'access',
  FileDownloaded: 'access',
  FileDeleted: 'deletion',
  FolderDeleted: 'deletion',
  FileUploaded: 'creation',
  FolderCopied: 'creation',
  FolderCreated: 'creation',
};
for (const op of ['FileModified', 'FileMoved', 'FileRenamed', 'FileRestored']) FILE_TYPE[op] = 'change';
for (const op of ['FolderModified', 'FolderMoved', 'FolderRenamed', 'FolderRestored']) FILE_TYPE[op] = 'change';

const AAD_USER: Record<string, [string, string]> = {
  'Add user.': ['added-user-account', 'creation'],
  'Update user.': ['modified-user-account', 'change'],
  'Delete user.': ['deleted-user-account', 'deletion'],
};

interface Categorised {
  action: string;
  category: string[];
  type: string[];
}

/** §3: event.action rewrites and event.category / event.type by Operation. */
export function categorise(recordType: number, operation: string): Categorised {
  const aad = recordType === 8 ? AAD_USER[operation] : undefined;
  if (aad) return { action: aad[0], category: ['iam'], type: ['user', aad[1]] };
  if (recordType === 25 && operation === 'TeamCreated')
    return { action: 'added-group-account-to', category: ['iam'], type: ['group', 'creation'] };
  if (recordType === 25 && operation === 'MemberAdded')
    return { action: 'added-users-to-group', category: ['iam'], type: ['group', 'change'] };
  const file = FILE_TYPE[operation];
  if (file) return { action: operation, category: ['file'], type: [file] };
  if (operation === 'ComplianceSettingChanged')
    return { action: operation, category: ['configuration'], type: ['change'] };
  if (recordType === 15) return { action: operation, category: ['authentication'], type: ['start', 'access'] };
  return { action: operation, category: ['web'], type: ['info'] };
}

/** §1 ResultStatus → event.outcome: missing counts as success, as the integration does. */
export function ecsOutcome(resultStatus: string | null): 'success' | 'failure' | 'unknown' {
  if (resultStatus === null) return 'success';
  const s = resultStatus.toLowerCase();
  if (['succeeded', 'success', 'partiallysucceeded', 'true'].includes(s)) return 'success';
  if (['failed', 'false', 'failure'].includes(s)) return 'failure';
  return 'unknown';
}

function userFields(userId: string | null): Record<string, unknown> | undefined {
  if (!userId) return undefined;
  const at = userId.indexOf('@');
  if (at <= 0) return { id: userId };
  return { id: userId, email: userId, name: userId.slice(0, at), domain: userId.slice(at + 1) };
}

/** The ECS document for one record; `namespace` names the data stream `logs-o365.audit-<namespace>`. */
export function ecsDocument(r: StoredRecord, namespace: string): Record<string, unknown> {
  return { ...ecsFields(r, namespace), o365: { audit: auditOf(r) } };
}

/** The stored AuditData, parsed within the depth bound: a record stored before it is sent as its text (core/json.ts). */
function auditOf(r: StoredRecord): Record<string, unknown> {
  const parsed = parseBoundedJson(r.raw);
  return (parsed !== null && typeof parsed === 'object' ? parsed : { raw: r.raw }) as Record<string, unknown>;
}

/**
 * The same document as one line of JSON text, with the stored AuditData spliced in as it was received
 * (as the HEC encoder does): parsing and re-serialising every record's raw was most of the bulk
 * encoder's time (bench forward). A raw with a line break (pretty-printed at the source) is re-serialised,
 * since a bulk body is one document per line.
 */
export function ecsDocumentText(r: StoredRecord, namespace: string): string {
  const head = JSON.stringify(ecsFields(r, namespace));
  const raw = /[\r\n]/.test(r.raw) ? JSON.stringify(auditOf(r)) : r.raw;
  return `${head.slice(0, -1)},"o365":{"audit":${raw}}}`;
}

/** Every field of the document but the original AuditData. */
function ecsFields(r: StoredRecord, namespace: string): Record<string, unknown> {
  const { action, category, type } = categorise(r.recordType, r.operation);
  const user = userFields(r.userId);
  const doc: Record<string, unknown> = {
    '@timestamp': new Date(r.creationTime).toISOString(),
    ecs: { version: ECS_VERSION },
    data_stream: { type: 'logs', dataset: 'o365.audit', namespace },
    event: {
      id: r.id,
      action,
      provider: r.workload ?? undefined,
      code: recordTypeName(r.recordType),
      outcome: ecsOutcome(r.resultStatus),
      kind: 'event',
      category,
      type,
      dataset: 'o365.audit',
      module: 'o365',
      ingested: new Date(r.ingestedAt).toISOString(),
    },
    organization: { id: (r.organizationId ?? r.tenant).toLowerCase() },
    host: { id: (r.organizationId ?? r.tenant).toLowerCase() },
    tenantwatch: { tenant: r.tenant, source: r.source },
  };
  if (user) doc.user = user;
  if (r.userAgent) doc.user_agent = { original: r.userAgent };
  if (r.clientIp) {
    doc.client = { address: r.clientIp, ip: r.clientIp, ...(r.clientPort !== null ? { port: r.clientPort } : {}) };
    doc.source = { ip: r.clientIp, ...(r.clientPort !== null ? { port: r.clientPort } : {}) };
  }
  const related: Record<string, string[]> = {};
  if (r.clientIp) related.ip = [r.clientIp];
  if (user?.name) related.user = [user.name as string];
  if (Object.keys(related).length) doc.related = related;
  return doc;
}
