import type { RoleHolder } from './source.js';

/**
 * Graph knows who holds a role NOW but not since when; the audit log knows the changes it saw. The
 * merge keeps the log's spans (exact from/to, including holders removed during the period) and adds
 * each Graph holder the log cannot explain: with no logged span it held the role all along
 * (from = to = null); with only closed spans it was re-added without a logged event, so it holds
 * it from the last logged removal on.
 */
export function mergeGraphWithLog(graph: readonly RoleHolder[], log: readonly RoleHolder[]): RoleHolder[] {
  const key = (h: RoleHolder) => `${h.userPrincipalName.toLowerCase()}\u0000${h.role.toLowerCase()}`;
  const logged = new Map<string, RoleHolder[]>();
  for (const h of log) logged.set(key(h), [...(logged.get(key(h)) ?? []), h]);
  const out = [...log];
  for (const h of graph) {
    const spans = logged.get(key(h));
    if (!spans) out.push({ ...h, from: null, to: null });
    else if (!spans.some((s) => s.to === null)) {
      const lastEnd = Math.max(...spans.map((s) => s.to ?? 0));
      out.push({ ...h, from: lastEnd, to: null });
    }
  }
  return out;
}
