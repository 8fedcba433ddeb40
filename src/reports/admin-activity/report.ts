import { z } from 'zod';
import type { StoredRecord } from '../../core/record.js';
import type { TimeRange } from '../../core/time.js';
import { RECORD_COLUMNS, recordRow } from '../rows.js';
import { commonParams, stringList } from '../params.js';
import { baseQuery, scan } from '../query.js';
import { ROLE_ADD, ROLE_REMOVE, roleEvent } from '../../analysis/roles/audit-log.js';
import { BUILTIN_ROLE_NAMES } from '../../analysis/roles/names.js';
import { closeNames } from '../../search/suggest.js';
import { resolveRoleHolders } from '../../analysis/roles/holders.js';
import { heldAt, type RoleHolder } from '../../analysis/roles/source.js';
import type { ReportDefinition, ReportDeps, ReportInput, ReportRow } from '../types.js';
import { meta } from './meta.js';
import { ADMIN_RECORD_TYPES, SHAREPOINT_ADMIN_OPERATIONS, adminCategory } from '../../analysis/admin-actions.js';

const parameters = commonParams.extend({
  roles: stringList.default(['Global Administrator']).describe('role display names whose holders count; repeatable'),
  scope: z
    .enum(['admin', 'all'])
    .default('admin')
    .describe('admin: admin-center actions only; all: everything the holders did'),
});
type Params = z.output<typeof parameters>;

export const adminActivity: ReportDefinition<typeof parameters> = {
  ...meta,
  parameters,
  columns: [...RECORD_COLUMNS, 'category', 'roles', 'roleSource'],
  async run(input, deps) {
    const rows: ReportRow[] = [];
    const sources = new Set<string>();
    const notes: string[] = [];
    let holderCount = 0;
    const heldRoles = new Set<string>();
    // Notes name a tenant as the other notes do (by its registered name), not by its key.
    const names = new Map((await deps.store.tenants.list()).map((t) => [t.tenantId, t.name]));
    for (const tenant of input.tenants ?? (await candidateTenants(input.period, deps))) {
      const name = names.get(tenant) ?? tenant;
      const { source, holders, note } = await resolveRoleHolders(tenant, input.params.roles, input.period, deps, name);
      sources.add(source);
      if (note) notes.push(note);
      holderCount += new Set(holders.map((h) => h.userPrincipalName)).size;
      for (const h of holders) heldRoles.add(h.role);
      if (holders.length === 0) continue;
      for (const record of await holderRecords(tenant, holders, input, deps)) {
        const held = holders.filter((h) => h.userPrincipalName === record.userKey && heldAt(h, record.creationTime));
        if (held.length === 0) continue;
        input.count(record);
        rows.push(
          recordRow(record, {
            category: adminCategory(record) ?? 'other',
            roles: [...new Set(held.map((h) => h.role))].join(', '),
            roleSource: source,
          }),
        );
      }
    }
    const totals: Record<string, string | number> = {
      roleSource: [...sources].sort().join(', ') || 'none',
      holders: holderCount,
    };
    if (notes.length) totals.roleSourceNotes = notes.join(' | ');
    const unknown = await unknownRoleNotes(input, heldRoles, deps);
    if (unknown.length) totals.roleNotes = unknown.join(' | ');
    return { rows, totals };
  },
};

/** What to suggest for an unknown role when no name is close: the roles this report is most often run for. */
const USUAL_ROLES = ['Global Administrator', 'Privileged Role Administrator', 'Exchange Administrator'];

/**
 * A note for each role asked for that no tenant can have: not a built-in Entra ID role, held by nobody per
 * the role source, and named in no stored role event (a custom role's only trace). A mistyped role must not
 * read as "No findings", as a mistyped user does not (reports/notices.ts).
 */
async function unknownRoleNotes(input: ReportInput<Params>, held: Set<string>, deps: ReportDeps): Promise<string[]> {
  const known = new Set([...BUILTIN_ROLE_NAMES, ...held].map((n) => n.toLowerCase()));
  const asked = input.params.roles.filter((r) => !known.has(r.toLowerCase()));
  if (asked.length === 0) return [];
  const logged = new Set<string>();
  const query = {
    range: { start: 0, end: input.period.end },
    ...(input.tenants ? { tenants: input.tenants } : {}),
    operations: [ROLE_ADD, ROLE_REMOVE],
  };
  for await (const r of deps.store.records.search(query, deps.signal ? { signal: deps.signal } : {})) {
    const role = roleEvent(r)?.role;
    if (role) logged.add(role);
  }
  const names = [...BUILTIN_ROLE_NAMES, ...held, ...logged];
  const lower = new Set(names.map((n) => n.toLowerCase()));
  return asked
    .filter((role) => !lower.has(role.toLowerCase()))
    .map((role) => {
      const close = closeNames(role, names, 3);
      const meant = (close.length ? close : USUAL_ROLES).map((n) => `"${n}"`).join(', ');
      return `no Entra ID role is named "${role}" (no built-in role, no role event stored), so it has no holders; did you mean ${meant}?`;
    });
}

/**
 * Without --tenant: the tenants that can have holders, i.e. the registered ones (Graph may know them)
 * and those with role-membership events up to the period's end. Any other tenant has no known holder.
 */
async function candidateTenants(period: TimeRange, deps: ReportDeps): Promise<string[]> {
  const keys = new Set((await deps.store.tenants.list()).map((t) => t.tenantId));
  const logged = await deps.store.records.countBy(
    { range: { start: 0, end: period.end }, operations: [ROLE_ADD, ROLE_REMOVE] },
    'tenant',
  );
  for (const row of logged) if (typeof row.key === 'string') keys.add(row.key);
  return [...keys].sort();
}

/** The holders' records in the period: admin record types, plus SharePoint admin operations (two narrow searches). */
async function holderRecords(
  tenant: string,
  holders: RoleHolder[],
  input: ReportInput<Params>,
  deps: ReportDeps,
): Promise<StoredRecord[]> {
  const users = [...new Set(holders.map((h) => h.userPrincipalName))];
  const asked = input.users;
  const who = asked ? users.filter((u) => asked.includes(u)) : users;
  if (who.length === 0) return [];
  const scoped = { ...input, tenants: [tenant], users: who };
  const queries =
    input.params.scope === 'all'
      ? [baseQuery(scoped)]
      : [
          baseQuery(scoped, { recordTypes: Object.keys(ADMIN_RECORD_TYPES).map(Number) }),
          baseQuery(scoped, { operations: [...SHAREPOINT_ADMIN_OPERATIONS], workloads: ['SharePoint', 'OneDrive'] }),
        ];
  const found: StoredRecord[] = [];
  for (const q of queries) for await (const r of scan(deps, q)) found.push(r);
  return found.sort((a, b) => b.creationTime - a.creationTime || (a.id < b.id ? 1 : -1));
}
