import { AppError } from '../../core/errors.js';
import { ALL_TENANTS, type TenantGroupRow } from '../../store/auth-contract.js';
import type { Store, TenantRow } from '../../store/contract.js';
import { resolveTenantKeys, storedKeys, type KeyLookup } from '../../search/tenants.js';
import { quoted } from '../../core/quote.js';
import { isGuid } from '../../core/guid.js';

/**
 * Which tenants a caller may see. Computed once per request by the auth hook (request.scope) from the
 * user's tenants and tenant groups, narrowed by an API token's own list. Every route that reads
 * tenant data asks it: `allows(tenant)` for one tenant (by name or key), `filterTenants(requested)`
 * for a list a request names, `keys` for "every tenant I may see".
 */
export class TenantScope {
  private constructor(
    /** True: every tenant, present and future. */
    readonly all: boolean,
    /** The tenant keys records carry (GUIDs, or import labels), exactly as stored. */
    readonly keys: readonly string[],
    /** Lower-case names and keys the caller may name. */
    private readonly names: ReadonlySet<string>,
    /** The keys no registered tenant has: import labels, as the user's list spells them (maybe in another case). */
    private readonly labels: readonly string[] = [],
  ) {}

  static everything(): TenantScope {
    return new TenantScope(true, [], new Set());
  }

  static of(entries: readonly string[], tenants: readonly TenantRow[]): TenantScope {
    if (entries.includes(ALL_TENANTS)) return TenantScope.everything();
    const keys = new Set<string>();
    const names = new Set<string>();
    const labels = new Set<string>();
    for (const entry of entries) {
      const lower = entry.toLowerCase();
      const row = tenants.find((t) => t.name.toLowerCase() === lower || t.tenantId.toLowerCase() === lower);
      keys.add(row?.tenantId ?? entry);
      if (!row) labels.add(entry);
      for (const n of row ? [row.name, row.tenantId] : [entry]) names.add(n.toLowerCase());
    }
    return new TenantScope(false, [...keys], names, [...labels]);
  }

  /** The tenants both scopes allow (an API token within its user's scope). */
  narrow(other: TenantScope): TenantScope {
    if (other.all) return this;
    if (this.all) return other;
    const keys = this.keys.filter((k) => other.allows(k));
    const names = new Set([...this.names].filter((n) => other.names.has(n)));
    return new TenantScope(
      false,
      keys,
      names,
      this.labels.filter((l) => keys.includes(l)),
    );
  }

  /** True when the caller may see this tenant (name or key, any case). */
  allows(tenant: string): boolean {
    return this.all || this.names.has(tenant.toLowerCase());
  }

  /**
   * The tenants a request may read: the ones it names when all are allowed (FORBIDDEN otherwise, so a
   * request for another tenant's data is refused, never silently widened or narrowed), or — when it
   * names none — undefined for "every tenant" or the caller's own list (possibly empty: nothing).
   */
  filterTenants(requested?: readonly string[]): string[] | undefined {
    if (requested?.length) {
      const refused = requested.filter((t) => !this.allows(t));
      if (refused.length) throw forbiddenTenant(refused[0]!);
      return [...requested];
    }
    return this.all ? undefined : [...this.keys];
  }

  /**
   * filterTenants, then the names turned into the keys records carry (search/tenants.ts). The caller's
   * own list is already keys, but for its import labels: one listed as "CASE-2026" reads the records
   * imported as "Case-2026" (storedKeys), as a request naming it does; a label with no records yet stays.
   * Its GUIDs name every spelling stored, as a request naming them does: a version before ADR 0039 kept the case a
   * file wrote the OrganizationId in, so some of a tenant's records may be under the upper-case GUID until
   * `optimize --rekey` merges them (one look-up for the whole list: RecordStore.guidTenantKeys), and so do the spellings
   * `lookup` has something filed under (alerts whose records are gone: alertKeys).
   * Every route's tenant filter (search, reports, alerts with `alertKeys`) goes through here.
   */
  async searchTenants(
    store: Store,
    requested?: readonly string[],
    lookup: KeyLookup = {},
  ): Promise<string[] | undefined> {
    const allowed = this.filterTenants(requested);
    if (requested?.length) return resolveTenantKeys(store, allowed ?? [], lookup);
    if (allowed === undefined) return allowed;
    const out = allowed.filter((key) => !this.labels.includes(key));
    const guids = out.filter(isGuid);
    out.push(...(await store.records.guidTenantKeys(guids)), ...((await lookup.guidSpellings?.(guids)) ?? []));
    for (const label of this.labels) {
      const stored = await storedKeys(store, label);
      out.push(...(stored.length ? stored : [label]));
    }
    return [...new Set(out)];
  }
}

export function forbiddenTenant(tenant: string): AppError {
  return new AppError('FORBIDDEN', `Your account may not see tenant ${quoted(tenant, 100)}`, {
    hint: 'Ask an administrator to add the tenant (or its group) to your account',
  });
}

/**
 * Refuses a caller whose scope is not every tenant: managing accounts or registering a tenant must not
 * let an admin of some customers widen their own access (a new tenant is outside any list).
 */
export function requireEveryTenant(scope: TenantScope, what: string): void {
  if (!scope.all) {
    throw new AppError('FORBIDDEN', `${what} needs an administrator of every tenant`, {
      hint: 'Ask an administrator whose account covers all tenants',
    });
  }
}

/** The entries (tenants and the tenants of groups) a user or token lists, expanded. */
export function expandGroups(
  tenants: readonly string[],
  groups: readonly string[],
  all: readonly TenantGroupRow[],
): string[] {
  const wanted = new Set(groups.map((g) => g.toLowerCase()));
  return [...tenants, ...all.filter((g) => wanted.has(g.name.toLowerCase())).flatMap((g) => g.tenants)];
}
