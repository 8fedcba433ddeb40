import { AppError } from '../core/errors.js';
import { editDistance } from '../search/suggest.js';
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
/**
 * Every mailbox audit action Exchange Online accepts, per logon type (Microsoft's "mailbox actions" table of
 * the audit-mailboxes page: the defaults of spec §5.5 plus the ones that must be turned on, such as
 * MailboxLogin for owners, FolderBind for delegates and admins, and the Audit (Premium) actions). A name
 * outside these is refused before a script or a change is made from it.
 */
export const MAILBOX_AUDIT_ACTIONS = {
  owner: [
    ...OWNER_BASELINE,
    'Create',
    'MailboxLogin',
    'MailItemsAccessed',
    'Move',
    'SearchQueryInitiated',
    'Send',
    'AddFolderPermissions',
    'ModifyFolderPermissions',
    'RemoveFolderPermissions',
    'RecordDelete',
    'UpdateComplianceTag',
  ],
  delegate: [
    ...DELEGATE_BASELINE,
    'FolderBind',
    'MailItemsAccessed',
    'Move',
    'AddFolderPermissions',
    'ModifyFolderPermissions',
    'RemoveFolderPermissions',
    'RecordDelete',
    'UpdateComplianceTag',
  ],
  admin: [
    ...ADMIN_BASELINE,
    'Copy',
    'FolderBind',
    'MailItemsAccessed',
    'MessageBind',
    'Move',
    'Send',
    'AddFolderPermissions',
    'ModifyFolderPermissions',
    'RemoveFolderPermissions',
    'RecordDelete',
    'UpdateComplianceTag',
  ],
} as const;

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

/**
 * The actions a person asked to audit, spelled as Exchange spells them; an unknown name is refused with the
 * closest valid ones, before any script or change is made from it (a typo would otherwise fail in Exchange, or
 * worse, sit in a script that an admin runs later).
 */
export function validAuditActions(kind: keyof typeof MAILBOX_AUDIT_ACTIONS, names: readonly string[]): string[] {
  const valid: readonly string[] = MAILBOX_AUDIT_ACTIONS[kind];
  const byLower = new Map(valid.map((a) => [a.toLowerCase(), a]));
  return names.map((name) => {
    const known = byLower.get(name.toLowerCase());
    if (known) return known;
    const close = [...valid]
      .map((a) => ({ a, d: editDistance(a.toLowerCase(), name.toLowerCase()) }))
      .filter((x) => x.d <= Math.max(2, Math.floor(name.length / 3)))
      .sort((x, y) => x.d - y.d)
      .slice(0, 3)
      .map((x) => x.a);
    throw new AppError('USAGE', `"${name}" is not a mailbox audit action for ${kind}s`, {
      hint: close.length
        ? `Did you mean ${close.join(', ')}? Valid ${kind} actions: ${valid.join(', ')}`
        : `Valid ${kind} actions: ${valid.join(', ')}`,
    });
  });
}
