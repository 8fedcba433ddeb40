/**
 * What must be said next to a result so that it cannot mislead (issue 18): tenants the result covers that
 * record nothing (unified audit log off) or whose mailbox actions are not recorded, and filter values no
 * record ever had ("did you mean"). The auditing facts come with the tenant overview (src/coverage/auditing.ts).
 */
import type { FilterNotice, TenantOverview } from '../api.js';
import { localTimes } from '../format.js';

/** The tenants a result covers: the ones the filter names (by id or name), or all of them. */
export function coveredTenants(all: readonly TenantOverview[], asked: readonly string[] | undefined): TenantOverview[] {
  if (!asked || asked.length === 0) return [...all];
  const keys = new Set(asked.map((a) => a.toLowerCase()));
  return all.filter((t) => keys.has(t.tenantId.toLowerCase()) || keys.has(t.name.toLowerCase()));
}

/** One line per tenant with something to say: "<name>: records nothing: …". */
export function auditingLines(
  tenants: readonly TenantOverview[],
): { tenant: string; text: string; nothing: boolean }[] {
  return tenants
    .filter((t) => t.auditing.note)
    .map((t) => ({ tenant: t.name, text: localTimes(t.auditing.note!), nothing: t.auditing.recordsNothing }));
}

export function ResultNotices({
  tenants,
  notices = [],
  notes = [],
}: {
  tenants: readonly TenantOverview[];
  notices?: readonly FilterNotice[];
  /** A report's own notes (its totals named …Notes): where the role holders came from, why no address is new. */
  notes?: readonly string[];
}) {
  const lines = auditingLines(tenants);
  if (lines.length === 0 && notices.length === 0 && notes.length === 0) return null;
  return (
    <ul className="result-notices" aria-label="About this result">
      {lines.map((l) => (
        <li key={l.tenant} className={l.nothing ? 'notice-bad' : 'notice-warn'}>
          <strong>{l.tenant}</strong>: {l.text}
        </li>
      ))}
      {notices.map((n) => (
        <li key={`${n.filter}:${n.value}`} className="notice-warn">
          {n.message.charAt(0).toUpperCase() + n.message.slice(1)}.
          {n.suggestions.length ? <> Did you mean {n.suggestions.map((s) => `“${s}”`).join(', ')}?</> : null}
        </li>
      ))}
      {notes.map((n) => (
        <li key={n} className="notice-warn">
          {n}
        </li>
      ))}
    </ul>
  );
}
