import type { SimMailbox } from './sim/types.js';
import type { World } from './world.js';

/** A mailbox's audit settings as they stand now: the simulator's initial state plus Set-Mailbox changes. */
export interface MailboxAuditView {
  userPrincipalName: string;
  id: string;
  displayName: string;
  recipientTypeDetails: string;
  auditEnabled: boolean;
  auditLogAgeLimit: string;
  auditOwner: string[];
  auditDelegate: string[];
  auditAdmin: string[];
  defaultAuditSet: string[];
}

export function mailboxView(world: World, tenantId: string, m: SimMailbox): MailboxAuditView {
  const o = world.state.tenant(tenantId).mailboxes[m.userPrincipalName.toLowerCase()] ?? {};
  return {
    userPrincipalName: m.userPrincipalName,
    id: m.id,
    displayName: m.displayName,
    recipientTypeDetails: m.recipientTypeDetails,
    auditEnabled: o.AuditEnabled ?? m.auditEnabled,
    auditLogAgeLimit: o.AuditLogAgeLimit ?? m.auditLogAgeLimit,
    auditOwner: o.AuditOwner ?? m.auditOwner,
    auditDelegate: o.AuditDelegate ?? m.auditDelegate,
    auditAdmin: o.AuditAdmin ?? m.auditAdmin,
    // Changing an action list takes the mailbox off the default set for that logon type.
    defaultAuditSet: m.defaultAuditSet.filter((s) => !(`Audit${s}` in o)),
  };
}

export function mailboxViews(world: World, tenantId: string): MailboxAuditView[] {
  return (world.tenant(tenantId)?.mailboxes ?? []).map((m) => mailboxView(world, tenantId, m));
}
