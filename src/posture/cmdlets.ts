/**
 * The Exchange Online cmdlets and parameters tenantwatch uses or prints, each as named in
 * spec/microsoft-apis.md §4.1 and §5.5. The generated PowerShell may use only these (a test checks the
 * script against this table, and the table against the spec).
 */
export const CMDLET_PARAMETERS: Record<string, readonly string[]> = {
  'Connect-ExchangeOnline': ['DelegatedOrganization'],
  'Enable-OrganizationCustomization': [],
  'Get-AdminAuditLogConfig': [],
  'Set-AdminAuditLogConfig': ['UnifiedAuditLogIngestionEnabled'],
  'Get-OrganizationConfig': [],
  'Set-OrganizationConfig': ['AuditDisabled'],
  'Get-Mailbox': ['ResultSize'],
  'Set-Mailbox': ['AuditEnabled', 'AuditLogAgeLimit', 'AuditOwner', 'AuditDelegate', 'AuditAdmin'],
  'Search-UnifiedAuditLog': ['StartDate', 'EndDate', 'ResultSize', 'RecordType', 'Operations'],
};

/**
 * Parameters the spec does not name, with where Microsoft documents them (the spec test accepts these).
 * DelegatedOrganization: the Connect-ExchangeOnline reference, "the customer organization that you want to
 * manage", used by partners (GDAP/DAP) to run cmdlets in a customer's tenant.
 */
export const DOCUMENTED_OUTSIDE_SPEC: Record<string, readonly string[]> = {
  'Connect-ExchangeOnline': ['DelegatedOrganization'],
};
