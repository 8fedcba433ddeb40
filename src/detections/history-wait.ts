/**
 * Which first-seen rules are still waiting for a tenant's history (ADR 0037): a rule calls a value new only
 * where the tenant's stored records reach its whole look-back, so for a tenant collected for a week the
 * 30-day new-address rule says nothing for three more weeks. The console says so next to the alerts, so an
 * empty list is not read as "no new addresses".
 */
import { DAY } from '../core/time.js';
import type { Store } from '../store/contract.js';
import type { RuleSet } from './types.js';

export interface FirstSeenLookBack {
  id: string;
  title: string;
  windowMs: number;
}

export interface HistoryWait {
  ruleId: string;
  title: string;
  /** The rule's look-back, in days. */
  days: number;
  /**
   * The tenants it waits for, by name (the registered name, else the key): since when their records go back
   * (null: none yet) and until when it waits.
   */
  tenants: { tenant: string; name: string; since: number | null; until: number | null }[];
}

/** The first-seen rules of a rule set that run, with their look-backs. */
export function firstSeenLookBacks(set: RuleSet): FirstSeenLookBack[] {
  return set.rules.flatMap((r) =>
    r.kind === 'first-seen' && r.applies ? [{ id: r.info.id, title: r.info.title, windowMs: r.firstSeen!.window }] : [],
  );
}

/**
 * For each rule, the tenants (of `tenants`, or every registered tenant and every tenant with records) whose
 * records do not reach its look-back back from `now`; rules that wait for no tenant are left out.
 */
export async function historyWaits(
  store: { records: Pick<Store['records'], 'oldest'>; tenants: Pick<Store['tenants'], 'list'> },
  rules: readonly FirstSeenLookBack[],
  tenants: readonly string[] | undefined,
  now: number,
): Promise<HistoryWait[]> {
  if (rules.length === 0) return [];
  const oldest = await store.records.oldest(tenants ? [...tenants] : undefined);
  // Registered tenants and tenants with records: a key neither knows (a typo) waits for nothing.
  const names = new Map((await store.tenants.list()).map((t) => [t.tenantId, t.name]));
  for (const key of oldest.keys()) if (!names.has(key)) names.set(key, key);
  const known = (tenants ? tenants.filter((t) => names.has(t)) : [...names.keys()])
    .map((tenant) => ({ tenant, name: names.get(tenant)!, since: oldest.get(tenant) ?? null }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const waits: HistoryWait[] = [];
  for (const rule of rules) {
    const waiting = known
      .map((t) => ({ ...t, until: t.since === null ? null : t.since + rule.windowMs }))
      .filter((t) => t.until === null || t.until > now);
    if (waiting.length)
      waits.push({ ruleId: rule.id, title: rule.title, days: Math.round(rule.windowMs / DAY), tenants: waiting });
  }
  return waits;
}
