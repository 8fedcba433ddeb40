/**
 * The alerts' part of `optimize --rekey` (ADR 0039, "The merge", point 5), shared by both adapters: what an alert
 * filed under an upper-case GUID tenant, or naming records by upper-case Ids, becomes once its records are merged.
 *
 * An alert's id is derived from its rule, tenant, group key and window (detections/alerts/identity.ts, ADR 0020), and
 * the tenant counts in its key form: an alert an earlier version filed under `ABC…` had an id of its own, which the
 * next hit of the same rule, group and window (now keyed `abc…`) no longer finds. So the merge carries the alert to
 * the id a current version derives: its history, deliveries and hit claims go with it, and where an alert already
 * holds that id (raised under the lower-case key after the upgrade, before the merge) the two become one.
 * The derivation is handed in (AlertIdentity) because it belongs to detections, which the store does not import.
 */
import { severityRank } from '../core/severity.js';
import type { AlertIdentity, AlertRekey, AlertRow } from './contract.js';
import { rekeyedAlert } from './rekey.js';

/** What becomes of one alert: the row under its new id, and the hit keys to claim for it. */
export interface AlertMove {
  /** The alert as read (its id is the old one). */
  from: AlertRow;
  /** The alert keyed as a current version keys it (id, tenant and record ids). */
  to: AlertRow;
  /**
   * The keys its hits have now (AlertIdentity.hitKey): one per record it names, as a hit of one record (the hit of
   * every rule but a correlation) keys it, so a retro `detect` over the merged records finds them applied.
   */
  claims: string[];
}

/** Null when the alert is keyed as a current version keys it already. */
export function alertMove(row: AlertRow, identity: AlertIdentity): AlertMove | null {
  const keyed = rekeyedAlert(row.tenant, row.recordIds);
  if (!keyed) return null;
  const to: AlertRow = {
    ...row,
    id: identity.alertId(row.ruleId, keyed.tenant, row.groupKey, row.windowStart),
    tenant: keyed.tenant,
    recordIds: keyed.recordIds,
  };
  const claims = to.recordIds.map((id) =>
    identity.hitKey({ ruleId: to.ruleId, tenant: to.tenant, groupKey: to.groupKey, recordIds: [id], firstSeen: 0 }),
  );
  return { from: row, to, claims };
}

/** What rekey reports of the moves made (or, in a dry run, to make): how many, and the ids that changed. */
export function rekeyed(moves: readonly AlertMove[]): AlertRekey {
  return {
    changed: moves.length,
    renamed: moves.filter((m) => m.to.id !== m.from.id).map((m) => ({ from: m.from.id, to: m.to.id })),
  };
}

/**
 * Two alerts of one rule, tenant, group and window (the one moved and the one already under its id) as one: the
 * hits and records of both (record ids up to the larger bound given), the widest span, the highest severity, the
 * status of the one judged last (a person's later decision, or a hit raised after one was resolved), due for
 * delivery again unless both were delivered.
 */
export function mergeAlerts(held: AlertRow, moved: AlertRow, maxRecordIds: number): AlertRow {
  const known = new Set(held.recordIds);
  const both = moved.recordIds.filter((id) => known.has(id)).length;
  const judged = (a: AlertRow): number => a.statusAt ?? a.createdAt;
  const last = judged(moved) > judged(held) ? moved : held;
  const [older, newer] = moved.createdAt < held.createdAt ? [moved, held] : [held, moved];
  const notified = held.notifiedAt !== null && moved.notifiedAt !== null;
  return {
    ...held,
    severity: severityRank(moved.severity) > severityRank(held.severity) ? moved.severity : held.severity,
    title: newer.title,
    status: last.status,
    statusBy: last.statusBy,
    statusAt: last.statusAt,
    firstSeen: Math.min(held.firstSeen, moved.firstSeen),
    lastSeen: Math.max(held.lastSeen, moved.lastSeen),
    hits: held.hits + moved.hits,
    recordIds: [...new Set([...older.recordIds, ...newer.recordIds])].slice(0, maxRecordIds),
    recordTotal: held.recordTotal + moved.recordTotal - both,
    facts: { ...newer.facts, ...older.facts },
    snoozedUntil: laterOf(held.snoozedUntil, moved.snoozedUntil),
    notifiedAt: notified ? Math.max(held.notifiedAt!, moved.notifiedAt!) : null,
    createdAt: older.createdAt,
    updatedAt: Math.max(held.updatedAt, moved.updatedAt),
  };
}

function laterOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}
