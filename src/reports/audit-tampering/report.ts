import type { StoredRecord } from '../../core/record.js';
import { auditData, nameValues } from '../../analysis/audit-data.js';
import { RECORD_COLUMNS, recordRow } from '../rows.js';
import { isTrue } from '../../analysis/mail-rules.js';
import { commonParams, count } from '../params.js';
import { baseQuery, scan } from '../query.js';
import type { ReportDefinition, ReportRow } from '../types.js';
import { meta } from './meta.js';

const parameters = commonParams.extend({
  minAgeDays: count(90, 'an AuditLogAgeLimit below this many days counts as lowered (Exchange default: 90)'),
});

const RETENTION = [
  'Set-RetentionCompliancePolicy',
  'Remove-RetentionCompliancePolicy',
  'Set-RetentionComplianceRule',
  'Remove-RetentionComplianceRule',
  'New-UnifiedAuditLogRetentionPolicy',
  'Set-UnifiedAuditLogRetentionPolicy',
  'Remove-UnifiedAuditLogRetentionPolicy',
];
export const TAMPERING_OPERATIONS = [
  'Set-AdminAuditLogConfig',
  'Set-Mailbox',
  'Set-OrganizationConfig',
  'Set-MailboxAuditBypassAssociation',
  ...RETENTION,
];

function isFalse(value: string | undefined): boolean {
  return value !== undefined && /^(false|0|\$false|no)$/i.test(value.trim());
}

/** "30.00:00:00" (TimeSpan), "30" (days) or "30:00:00"(hours) → days; null when unreadable. */
export function ageLimitDays(value: string): number | null {
  const t = value.trim();
  const span = /^(\d+)\.(\d{1,2}):(\d{2}):(\d{2})$/.exec(t);
  if (span) return Number(span[1]) + Number(span[2]) / 24;
  if (/^\d+$/.test(t)) return Number(t);
  const hours = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(t);
  return hours ? Number(hours[1]) / 24 : null;
}

/** What the change weakens, or [] when it does not (e.g. Set-Mailbox that only sets forwarding). */
export function tamperingFindings(record: StoredRecord, minAgeDays: number): string[] {
  const p = nameValues(auditData(record), 'Parameters');
  const op = record.operation.toLowerCase();
  const out: string[] = [];
  if (op === 'set-adminauditlogconfig') {
    if (isFalse(p.get('unifiedauditlogingestionenabled'))) out.push('unified audit log ingestion turned off');
    if (isFalse(p.get('adminauditlogenabled'))) out.push('admin audit logging turned off');
  } else if (op === 'set-mailbox') {
    if (isFalse(p.get('auditenabled'))) out.push('mailbox auditing turned off');
    const age = p.get('auditlogagelimit');
    const days = age === undefined ? null : ageLimitDays(age);
    if (days !== null && days < minAgeDays) out.push(`mailbox audit age limit lowered to ${age}`);
  } else if (op === 'set-organizationconfig') {
    if (isTrue(p.get('auditdisabled'))) out.push('mailbox auditing turned off for the organization');
  } else if (op === 'set-mailboxauditbypassassociation') {
    if (isTrue(p.get('auditbypassenabled'))) out.push('audit bypass granted');
  } else if (RETENTION.some((r) => r.toLowerCase() === op)) {
    out.push(op.startsWith('remove-') ? 'retention policy removed' : 'retention policy changed');
  }
  return out;
}

export const auditTampering: ReportDefinition<typeof parameters> = {
  ...meta,
  parameters,
  columns: [...RECORD_COLUMNS, 'target', 'findings'],
  async run(input, deps) {
    const rows: ReportRow[] = [];
    for await (const record of scan(deps, baseQuery(input, { operations: TAMPERING_OPERATIONS }))) {
      const findings = tamperingFindings(record, input.params.minAgeDays);
      if (findings.length === 0) continue;
      input.count(record);
      rows.push(recordRow(record, { target: record.objectId, findings: findings.join('; ') }));
    }
    return { rows, totals: { changes: rows.length } };
  },
};
