/**
 * Rows for a custom table shaped like Sentinel's `OfficeActivity` (ecs-mapping.md §5): TimeGenerated
 * from CreationTime, OfficeId / SourceRecordId from Id, OfficeWorkload, OfficeObjectId, OfficeTenantId,
 * RecordType as a string, and the whole AuditData under `AuditData` (dynamic). Rows are grouped into
 * calls of at most `maxBytes` of JSON; a single row larger than that can never be sent (a dead letter).
 */
import { recordTypeName } from '../../core/catalog/index.js';
import type { Item } from '../alert.js';

export function row(item: Item): string {
  if (item.kind === 'alert') {
    const a = item.alert;
    return JSON.stringify({
      TimeGenerated: new Date(a.raisedAt).toISOString(),
      Type: 'tenantwatch.alert',
      OfficeTenantId: a.tenant,
      AlertId: a.id,
      Title: a.title,
      Severity: a.severity,
      Alert: a,
    });
  }
  const r = item.record;
  const head = JSON.stringify({
    TimeGenerated: new Date(r.creationTime).toISOString(),
    OfficeId: r.id,
    SourceRecordId: r.id,
    OfficeTenantId: r.tenant,
    OrganizationId: r.organizationId ?? r.tenant,
    RecordType: recordTypeName(r.recordType),
    Operation: r.operation,
    OfficeWorkload: r.workload,
    UserId: r.userId,
    ClientIP: r.clientIp,
    OfficeObjectId: r.objectId,
    ResultStatus: r.resultStatus,
  });
  return `${head.slice(0, -1)},"AuditData":${r.raw}}`;
}

/** Index groups whose JSON array stays within maxBytes; `tooLarge` are rows that fit in no call. */
export function pack(rows: readonly string[], maxBytes: number): { calls: number[][]; tooLarge: number[] } {
  const calls: number[][] = [];
  const tooLarge: number[] = [];
  let current: number[] = [];
  let size = 2;
  rows.forEach((r, i) => {
    const bytes = Buffer.byteLength(r) + 1;
    if (bytes + 2 > maxBytes) return void tooLarge.push(i);
    if (size + bytes > maxBytes && current.length) {
      calls.push(current);
      current = [];
      size = 2;
    }
    current.push(i);
    size += bytes;
  });
  if (current.length) calls.push(current);
  return { calls, tooLarge };
}
