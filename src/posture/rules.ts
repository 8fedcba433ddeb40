import { CONTENT_TYPES } from '../core/record.js';
import { DAY, toIsoSeconds } from '../core/time.js';
import { ADMIN_BASELINE, DEFAULT_AGE_LIMIT_DAYS, DELEGATE_BASELINE, OWNER_BASELINE, missing } from './baseline.js';
import { requestFindings } from './requests.js';
import type { AuditState, Finding, MailboxSummary, PostureResult, RequestedChange, Verdict } from './types.js';

/**
 * Turns the settings read from a tenant into findings and a verdict. The rules, in plain words:
 * - failing: unified audit log ingestion is off (nothing is recorded), or mailbox auditing is off for the
 *   whole organization (AuditDisabled).
 * - warning: mailboxes with AuditEnabled=False, an age limit under 90 days, baseline actions not audited,
 *   the admin audit log off, subscriptions missing, collection stale (> 48 h), or a setting we could not read.
 * - info: a dehydrated tenant (reading works; changes need Enable-OrganizationCustomization first),
 *   MailItemsAccessed not audited (needs Audit Premium), nothing collected yet.
 */
export function evaluate(state: AuditState, now: number): Finding[] {
  const findings: Finding[] = [];
  const add = (f: Finding): number => findings.push(f);
  if (state.ualEnabled === false) {
    add({
      code: 'UAL_OFF',
      severity: 'failing',
      message:
        'Unified audit log ingestion is off: no activity of this tenant is being recorded, and an empty search means nothing, not "nothing happened"',
      fix: 'tenantwatch audit-config enable TENANT (Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true); it takes up to 60 minutes and does not backfill',
    });
  }
  if (state.orgAuditDisabled === true) {
    add({
      code: 'ORG_MAILBOX_AUDIT_OFF',
      severity: 'failing',
      message:
        'Mailbox auditing is turned off for the whole organization (AuditDisabled is True): mailbox actions such as deletions, inbox rules and non-owner access are not recorded',
      fix: 'tenantwatch audit-config enable TENANT (Set-OrganizationConfig -AuditDisabled $false)',
    });
  }
  if (state.adminAuditLogEnabled === false) {
    add({
      code: 'ADMIN_AUDIT_OFF',
      severity: 'warning',
      message: 'The Exchange admin audit log is off: admin cmdlets are not recorded',
      fix: 'Set-AdminAuditLogConfig -AdminAuditLogEnabled $true',
    });
  }
  if (state.dehydrated === true) {
    add({
      code: 'DEHYDRATED',
      severity: 'info',
      message:
        'The tenant is dehydrated: audit settings can be read but not changed until Enable-OrganizationCustomization has run',
      fix: 'tenantwatch audit-config enable TENANT runs Enable-OrganizationCustomization first; it can take a while to take effect',
    });
  }
  findings.push(...mailboxFindings(summarizeMailboxes(state), state.orgAuditDisabled === true));
  findings.push(...collectionFindings(state, now));
  for (const e of state.readErrors) {
    add({
      code: 'CHECK_INCOMPLETE',
      severity: 'warning',
      message: `Could not read ${e.what}: ${e.message}`,
      ...(e.hint ? { fix: e.hint } : {}),
    });
  }
  return findings;
}

export function summarizeMailboxes(state: AuditState): MailboxSummary | null {
  if (!state.mailboxes) return null;
  const summary: MailboxSummary = {
    total: state.mailboxes.length,
    auditEnabled: 0,
    auditDisabled: [],
    ageLimitBelow90: [],
    missingActions: [],
  };
  for (const m of state.mailboxes) {
    if (m.auditEnabled) summary.auditEnabled++;
    else summary.auditDisabled.push(m.userPrincipalName);
    if (m.ageLimitDays !== null && m.ageLimitDays < DEFAULT_AGE_LIMIT_DAYS)
      summary.ageLimitBelow90.push(m.userPrincipalName);
    const owner = missing(m.auditOwner, OWNER_BASELINE);
    const delegate = missing(m.auditDelegate, DELEGATE_BASELINE);
    const admin = missing(m.auditAdmin, ADMIN_BASELINE);
    if (owner.length || delegate.length || admin.length)
      summary.missingActions.push({ userPrincipalName: m.userPrincipalName, owner, delegate, admin });
  }
  return summary;
}

function mailboxFindings(summary: MailboxSummary | null, orgOff: boolean): Finding[] {
  if (!summary) return [];
  const out: Finding[] = [];
  const some = (list: string[]): string =>
    list.slice(0, 5).join(', ') + (list.length > 5 ? ` and ${list.length - 5} more` : '');
  if (summary.auditDisabled.length) {
    out.push({
      code: 'MAILBOX_AUDIT_OFF',
      severity: orgOff ? 'failing' : 'warning',
      message: `${summary.auditDisabled.length} of ${summary.total} mailboxes have auditing off (AuditEnabled False): ${some(summary.auditDisabled)}`,
      fix: 'tenantwatch audit-config enable TENANT --mailboxes all (Set-Mailbox -AuditEnabled $true)',
    });
  }
  if (summary.ageLimitBelow90.length) {
    out.push({
      code: 'AGE_LIMIT_LOW',
      severity: 'warning',
      message: `${summary.ageLimitBelow90.length} mailboxes keep their audit entries for fewer than ${DEFAULT_AGE_LIMIT_DAYS} days: ${some(summary.ageLimitBelow90)}`,
      fix: 'tenantwatch audit-config enable TENANT --age-limit 180',
    });
  }
  if (summary.missingActions.length) {
    out.push({
      code: 'MAILBOX_ACTIONS_MISSING',
      severity: 'warning',
      message: `${summary.missingActions.length} mailboxes do not audit every default owner/delegate/admin action: ${some(summary.missingActions.map((m) => m.userPrincipalName))}`,
      fix: 'tenantwatch audit-config enable TENANT --mailboxes all adds the missing actions',
    });
  }
  return out;
}

function collectionFindings(state: AuditState, now: number): Finding[] {
  const out: Finding[] = [];
  if (state.subscriptions && state.ualEnabled !== false) {
    const enabled = new Set(
      state.subscriptions.filter((s) => s.status.toLowerCase() === 'enabled').map((s) => s.contentType.toLowerCase()),
    );
    const absent = CONTENT_TYPES.filter((c) => !enabled.has(c.toLowerCase()));
    if (absent.length) {
      out.push({
        code: 'SUBSCRIPTIONS_MISSING',
        severity: 'warning',
        message: `Not subscribed to ${absent.join(', ')}: those records are not being collected`,
        fix: 'tenantwatch collect TENANT starts the subscriptions',
      });
    }
  }
  if (state.newestRecord === null) {
    // With ingestion off, "fix: tenantwatch collect" sent people to a command that can only fail (the API
    // refuses the subscriptions): the way to records is UAL_OFF's fix.
    const ualOff = state.ualEnabled === false;
    out.push({
      code: 'NOTHING_COLLECTED',
      severity: 'info',
      message: `No records of this tenant have been collected yet${ualOff ? ', and none can be while unified audit log ingestion is off' : ''}`,
      fix: ualOff
        ? 'Turn unified audit log ingestion on first (UAL_OFF), then tenantwatch collect TENANT'
        : 'tenantwatch collect TENANT',
    });
  } else if (now - state.newestRecord > 2 * DAY) {
    out.push({
      code: 'COLLECTION_STALE',
      severity: 'warning',
      message: `The newest collected record is from ${toIsoSeconds(state.newestRecord)}, more than 48 hours ago`,
      fix: 'Run tenantwatch collect TENANT (or --follow) and check tenantwatch coverage for gaps',
    });
  }
  return out;
}

export function verdictOf(findings: Finding[], state: AuditState): Verdict {
  if (findings.some((f) => f.severity === 'failing')) return 'failing';
  if (state.ualEnabled === null && state.orgAuditDisabled === null && state.mailboxes === null) return 'unknown';
  return findings.some((f) => f.severity === 'warning') ? 'warning' : 'ok';
}

/**
 * The check result people and the JSON output see. Open `requests` (posture history) replace the finding
 * of the setting they turn on: "requested at T, applies within 60 min" instead of "off, turn it on".
 */
export function buildResult(
  tenant: { name: string; tenantId: string },
  state: AuditState,
  now: number,
  extra: Finding[] = [],
  requests: RequestedChange[] = [],
): PostureResult {
  const asked = requestFindings(requests, now);
  // Fix lines name the tenant, so they can be pasted as they are (quoted when the name needs it).
  const name = /^[\w.@-]+$/.test(tenant.name) ? tenant.name : `'${tenant.name.replace(/'/g, "'\\''")}'`;
  const findings = [
    ...extra,
    ...evaluate(state, now).filter((f) => !asked.replaces.includes(f.code)),
    ...asked.findings,
  ].map((f) => (f.fix ? { ...f, fix: f.fix.replace(/\bTENANT\b/g, name) } : f));
  return {
    tenant: tenant.name,
    tenantId: tenant.tenantId,
    checkedAt: toIsoSeconds(now),
    verdict: verdictOf(findings, state),
    findings,
    ualEnabled: state.ualEnabled,
    orgAuditDisabled: state.orgAuditDisabled,
    dehydrated: state.dehydrated,
    adminAuditLogEnabled: state.adminAuditLogEnabled,
    mailboxes: summarizeMailboxes(state),
    subscriptions: state.subscriptions,
    newestRecord: state.newestRecord === null ? null : toIsoSeconds(state.newestRecord),
    requests,
  };
}
