/**
 * The mailbox audit actions tenantwatch expects per logon type: Microsoft's default sets (spec §5.5,
 * marked [MEM] there: the Purview audit-mailboxes page lists them per licence). Missing ones are reported;
 * `enable` adds them. MailItemsAccessed needs Audit (Premium)/E5, so it is recommended, not required.
 */
export const OWNER_BASELINE = [
  'ApplyRecord',
  'HardDelete',
  'MoveToDeletedItems',
  'SoftDelete',
  'Update',
  'UpdateCalendarDelegation',
  'UpdateFolderPermissions',
  'UpdateInboxRules',
];
export const DELEGATE_BASELINE = [
  'ApplyRecord',
  'Create',
  'HardDelete',
  'MoveToDeletedItems',
  'SendAs',
  'SendOnBehalf',
  'SoftDelete',
  'Update',
  'UpdateFolderPermissions',
  'UpdateInboxRules',
];
export const ADMIN_BASELINE = [
  'ApplyRecord',
  'Create',
  'HardDelete',
  'MoveToDeletedItems',
  'SendAs',
  'SendOnBehalf',
  'SoftDelete',
  'Update',
  'UpdateCalendarDelegation',
  'UpdateFolderPermissions',
  'UpdateInboxRules',
];
/** Microsoft's default AuditLogAgeLimit; anything lower loses mailbox audit history sooner. */
export const DEFAULT_AGE_LIMIT_DAYS = 90;

/** "90.00:00:00" / "180" / "1.00:00:00" → whole days; null when not a TimeSpan. */
export function parseAgeLimitDays(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.floor(value);
  if (typeof value !== 'string') return null;
  const m = /^\s*(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?\s*$/.exec(value);
  if (m) return Number(m[1] ?? 0) + (Number(m[2]) >= 24 ? 1 : 0);
  return /^\s*\d+\s*$/.test(value) ? Number(value) : null;
}

export function missing(actual: readonly string[], wanted: readonly string[]): string[] {
  const have = new Set(actual.map((a) => a.toLowerCase()));
  return wanted.filter((w) => !have.has(w.toLowerCase()));
}
