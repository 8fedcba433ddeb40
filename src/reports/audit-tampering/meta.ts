export const meta = {
  id: 'audit-tampering',
  title: 'Audit logging switched off or weakened',
  description:
    'Anything that lowers what the audit log can show, across tenants: unified audit log ingestion turned off (Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $false), mailbox auditing turned off for a mailbox (Set-Mailbox -AuditEnabled $false) or for the organization (Set-OrganizationConfig -AuditDisabled $true), a mailbox audit age limit set below the threshold, audit bypass granted (Set-MailboxAuditBypassAssociation -AuditBypassEnabled $true), and audit or retention policies changed or removed. Attackers switch auditing off before they act; administrators sometimes do it by mistake. Every row needs an owner and a reason: turn auditing back on (tenantwatch audit-config enable), check what happened while it was off with the other reports, and treat an unexplained change as an incident.',
} as const;
