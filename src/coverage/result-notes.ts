/**
 * What travels with every result over some tenants (search, report, export): the tenants' names, so no
 * output shows only GUIDs, and one line per covered tenant whose auditing makes the result incomplete —
 * "records nothing" when unified audit log ingestion is off, or mailbox actions not recorded (issue 18 item 1).
 * The facts are readAuditingFacts'; this only picks the tenants a result covers and words the lines.
 */
import type { StateStore } from '../store/contract.js';
import { readAuditingFacts } from './auditing.js';

export interface ResultNotes {
  /** Tenant id → name, for every registered tenant. */
  names: Map<string, string>;
  /** "tenant <name>: <note>" per covered tenant with something to say, in tenant-list order. */
  lines: string[];
  /** Ids of the covered tenants that record nothing at all. */
  recordsNothing: Set<string>;
}

/**
 * @param covered tenant ids (or import labels) the result covers; undefined or empty = every registered tenant.
 */
export async function readResultNotes(
  store: Pick<StateStore, 'posture' | 'tenants'>,
  covered: readonly string[] | undefined,
  now: number,
): Promise<ResultNotes> {
  const tenants = await store.tenants.list();
  const names = new Map(tenants.map((t) => [t.tenantId, t.name]));
  const asked = covered?.length ? new Set(covered.map((c) => c.toLowerCase())) : null;
  const inScope = tenants.filter(
    (t) => !asked || asked.has(t.tenantId.toLowerCase()) || asked.has(t.name.toLowerCase()),
  );
  const facts = await readAuditingFacts(store, inScope, now);
  const lines: string[] = [];
  const recordsNothing = new Set<string>();
  for (const t of inScope) {
    const fact = facts.get(t.tenantId);
    if (!fact?.note) continue;
    lines.push(`tenant ${t.name}: ${fact.note}`);
    if (fact.recordsNothing) recordsNothing.add(t.tenantId);
  }
  return { names, lines, recordsNothing };
}
