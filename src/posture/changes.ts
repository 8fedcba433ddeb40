import type { Finding, PostureResult } from './types.js';

/**
 * Findings about what changed since the previous check: someone turning auditing off is itself an
 * incident (Elastic and Sigma have rules for exactly this), so it is shown even when it was turned
 * back on since.
 */
export function changesSince(previous: PostureResult | null, current: PostureResult): Finding[] {
  if (!previous) return [];
  const since = `since the check of ${previous.checkedAt}`;
  const out: Finding[] = [];
  if (previous.ualEnabled === true && current.ualEnabled === false) {
    out.push({
      code: 'CHANGED_UAL_TURNED_OFF',
      severity: 'failing',
      message: `Unified audit log ingestion was turned OFF ${since}`,
      fix: 'Find who did it: tenantwatch report audit-tampering --tenant TENANT; then turn it back on',
    });
  }
  if (previous.orgAuditDisabled === false && current.orgAuditDisabled === true) {
    out.push({
      code: 'CHANGED_ORG_AUDIT_TURNED_OFF',
      severity: 'failing',
      message: `Mailbox auditing was turned off for the organization ${since}`,
      fix: 'tenantwatch report audit-tampering --tenant TENANT',
    });
  }
  const before = previous.mailboxes;
  const after = current.mailboxes;
  if (before && after) {
    const newlyOff = after.auditDisabled.filter((u) => !before.auditDisabled.includes(u));
    if (newlyOff.length) {
      out.push({
        code: 'CHANGED_MAILBOX_AUDIT_OFF',
        severity: 'warning',
        message: `Auditing was turned off on ${newlyOff.length} mailboxes ${since}: ${newlyOff.slice(0, 5).join(', ')}`,
      });
    }
    const newlyLow = after.ageLimitBelow90.filter((u) => !before.ageLimitBelow90.includes(u));
    if (newlyLow.length) {
      out.push({
        code: 'CHANGED_AGE_LIMIT_LOWERED',
        severity: 'warning',
        message: `The audit age limit was lowered below 90 days on ${newlyLow.length} mailboxes ${since}`,
      });
    }
  }
  if (previous.ualEnabled === false && current.ualEnabled === true) {
    out.push({
      code: 'CHANGED_UAL_TURNED_ON',
      severity: 'info',
      message: `Unified audit log ingestion was turned on ${since}`,
    });
  }
  return out;
}
