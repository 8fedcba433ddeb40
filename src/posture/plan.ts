import { ADMIN_BASELINE, DELEGATE_BASELINE, OWNER_BASELINE, missing } from './baseline.js';
import type { AuditState, EnableOptions, MailboxAudit, PlanStep } from './types.js';

/**
 * What `audit-config enable` would change, computed from the settings just read. It only ever turns
 * things on, adds audited actions and raises age limits — never the reverse — so running it twice plans
 * nothing the second time (idempotent).
 */
export function planEnable(state: AuditState, options: EnableOptions): PlanStep[] {
  const steps: PlanStep[] = [];
  if (state.ualEnabled === false) {
    steps.push({
      kind: 'ual',
      target: 'organization',
      cmdlet: 'Set-AdminAuditLogConfig',
      parameters: { UnifiedAuditLogIngestionEnabled: true },
      description: 'turn unified audit log ingestion on',
    });
  }
  if (state.orgAuditDisabled === true) {
    steps.push({
      kind: 'org-audit',
      target: 'organization',
      cmdlet: 'Set-OrganizationConfig',
      parameters: { AuditDisabled: false },
      description: 'turn mailbox auditing on by default for the organization',
    });
  }
  for (const mailbox of selectMailboxes(state.mailboxes ?? [], options.mailboxes)) {
    const step = mailboxStep(mailbox, options);
    if (step) steps.push(step);
  }
  if (steps.length && state.dehydrated === true) {
    steps.unshift({
      kind: 'hydrate',
      target: 'organization',
      cmdlet: 'Enable-OrganizationCustomization',
      parameters: {},
      description: 'enable organization customization (the tenant is dehydrated; Set-* cmdlets fail until this runs)',
    });
  }
  return steps;
}

function selectMailboxes(all: MailboxAudit[], wanted: EnableOptions['mailboxes']): MailboxAudit[] {
  if (wanted === 'all') return all;
  const keys = new Set(wanted.map((w) => w.toLowerCase()));
  return all.filter((m) => keys.has(m.userPrincipalName.toLowerCase()));
}

/** Mailboxes the person named that do not exist: reported before anything changes. */
export function unknownMailboxes(state: AuditState, wanted: EnableOptions['mailboxes']): string[] {
  if (wanted === 'all') return [];
  const known = new Set((state.mailboxes ?? []).map((m) => m.userPrincipalName.toLowerCase()));
  return wanted.filter((w) => !known.has(w.toLowerCase()));
}

function mailboxStep(m: MailboxAudit, options: EnableOptions): PlanStep | null {
  const parameters: Record<string, unknown> = { Identity: m.userPrincipalName };
  const changes: string[] = [];
  if (!m.auditEnabled) {
    parameters.AuditEnabled = true;
    changes.push('auditing on');
  }
  if (options.ageLimitDays !== undefined && (m.ageLimitDays === null || m.ageLimitDays < options.ageLimitDays)) {
    parameters.AuditLogAgeLimit = `${options.ageLimitDays}.00:00:00`;
    changes.push(`age limit ${m.ageLimitDays ?? '?'} → ${options.ageLimitDays} days`);
  }
  const actions: [string, string[], readonly string[]][] = [
    ['AuditOwner', m.auditOwner, options.ownerActions ?? OWNER_BASELINE],
    ['AuditDelegate', m.auditDelegate, options.delegateActions ?? DELEGATE_BASELINE],
    ['AuditAdmin', m.auditAdmin, options.adminActions ?? ADMIN_BASELINE],
  ];
  for (const [name, have, want] of actions) {
    const add = missing(have, want);
    if (add.length) {
      // Hashtable parameters must carry their OData type over REST (spec §5.1, checklist 42).
      parameters[name] = { '@odata.type': '#Exchange.GenericHashTable', Add: add };
      changes.push(`${name} +${add.join(',')}`);
    }
  }
  if (!changes.length) return null;
  return {
    kind: 'mailbox',
    target: m.userPrincipalName,
    cmdlet: 'Set-Mailbox',
    parameters,
    description: changes.join('; '),
  };
}
