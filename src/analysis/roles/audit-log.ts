import type { StoredRecord } from '../../core/record.js';
import type { TimeRange } from '../../core/time.js';
import { auditData, field, modified, text } from '../audit-data.js';
import type { Store } from '../../store/contract.js';
import type { RoleHolder, RoleHolders, RoleHolderSource } from './source.js';

/** Entra's role-membership operations (RecordType 8, AzureActiveDirectory). */
export const ROLE_ADD = 'Add member to role.';
export const ROLE_REMOVE = 'Remove member from role.';

/**
 * Role holders rebuilt from the audit log's own role-membership events: "Add member to role." and
 * "Remove member from role.", with the role name in ModifiedProperties `Role.DisplayName` (NewValue on
 * add, OldValue on remove) and the member's UPN in Target (Type 5) or ObjectId. All history up to
 * the period's end is read, so a holder added long before the period is known.
 *
 * Limits, stated in the report: someone who held the role before the oldest stored record and whose
 * membership never changed since is invisible here (Graph knows them); a first event that is a
 * removal means the role was held since before the log began (from = null).
 */
export class AuditLogRoleSource implements RoleHolderSource {
  constructor(
    private readonly store: Pick<Store, 'records'>,
    private readonly signal?: AbortSignal,
  ) {}

  async holders(tenant: string, roles: readonly string[], period: TimeRange): Promise<RoleHolders> {
    const wanted = new Set(roles.map((r) => r.toLowerCase()));
    const events: StoredRecord[] = [];
    const query = { range: { start: 0, end: period.end }, tenants: [tenant], operations: [ROLE_ADD, ROLE_REMOVE] };
    // Role changes are rare, so one search over all history is cheap (no slicing as reports/query.ts does).
    for await (const r of this.store.records.search(query, this.signal ? { signal: this.signal } : {})) {
      if (r.outcome !== 'failure') events.push(r);
    }
    events.reverse(); // the store answers newest first; spans are built oldest first
    const spans = buildSpans(events, wanted);
    return { source: 'audit-log', holders: spans.filter((h) => overlaps(h, period)) };
  }
}

export interface RoleEvent {
  kind: 'add' | 'remove';
  role: string;
  upn: string;
  userId?: string;
  at: number;
}

/** Reads one role-membership record; null when it names no role or no member. */
export function roleEvent(record: StoredRecord): RoleEvent | null {
  const data = auditData(record);
  const kind = record.operation.toLowerCase() === ROLE_ADD.toLowerCase() ? 'add' : 'remove';
  const name = modified(data, 'Role.DisplayName');
  const role = (kind === 'add' ? name?.newValue || name?.oldValue : name?.oldValue || name?.newValue) ?? '';
  const targets = Array.isArray(field(data, 'Target')) ? (field(data, 'Target') as Record<string, unknown>[]) : [];
  const upnTarget = targets.find((t) => Number(field(t, 'Type')) === 5 && text(field(t, 'ID')).includes('@'));
  const idTarget = targets.find((t) => Number(field(t, 'Type')) === 2 && /^[0-9a-f-]{36}$/i.test(text(field(t, 'ID'))));
  const upn = text(field(upnTarget ?? {}, 'ID')) || (record.objectId?.includes('@') ? record.objectId : '');
  if (!role || !upn) return null;
  const userId = idTarget ? text(field(idTarget, 'ID')) : undefined;
  return { kind, role, upn: upn.toLowerCase(), at: record.creationTime, ...(userId ? { userId } : {}) };
}

/** Oldest-first events → [from, to) spans per (member, role). */
function buildSpans(records: StoredRecord[], wanted: Set<string>): RoleHolder[] {
  const done: RoleHolder[] = [];
  const open = new Map<string, RoleHolder>();
  const seen = new Set<string>();
  for (const record of records) {
    const e = roleEvent(record);
    if (!e || !wanted.has(e.role.toLowerCase())) continue;
    const key = `${e.upn}\u0000${e.role.toLowerCase()}`;
    const current = open.get(key);
    if (e.kind === 'add') {
      if (!current)
        open.set(key, {
          userPrincipalName: e.upn,
          role: e.role,
          from: e.at,
          to: null,
          ...(e.userId ? { userId: e.userId } : {}),
        });
    } else if (current) {
      done.push({ ...current, to: e.at });
      open.delete(key);
    } else if (!seen.has(key)) {
      // Removed before any add was logged: held since before the log began.
      done.push({
        userPrincipalName: e.upn,
        role: e.role,
        from: null,
        to: e.at,
        ...(e.userId ? { userId: e.userId } : {}),
      });
    }
    seen.add(key);
  }
  return [...done, ...open.values()];
}

function overlaps(h: RoleHolder, period: TimeRange): boolean {
  return (h.from === null || h.from < period.end) && (h.to === null || h.to > period.start);
}
