import { createHash } from 'node:crypto';
import type { Hit } from '../contract.js';

/**
 * The identities that make raising alerts idempotent and make a live run and a retro run agree.
 *
 * Suppression windows are fixed, UTC-aligned slices of time (multiples of the window length since the
 * epoch) on the hit's CreationTime, not on when it was raised: records arrive late and out of order,
 * and a retro run months later must put a hit in the same alert the live run did. The cost is that two
 * hits either side of a window boundary make two alerts (docs/adr/0020-alert-identity.md).
 */
export function windowStart(firstSeen: number, windowMs: number): number {
  return Math.floor(firstSeen / windowMs) * windowMs;
}

function digest(parts: unknown[], length: number): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, length);
}

/** `al_` and 16 hex digits of the alert's key: short enough to type, the same in every run. */
export function alertId(ruleId: string, tenant: string, groupKey: string, window: number): string {
  return `al_${digest([ruleId, tenant, groupKey, window], 16)}`;
}

/**
 * A hit is the same hit when its rule, tenant, group key and records are the same (a replay after a
 * crash, or a retro run over records the live run saw). A hit with no records (posture drift) is told
 * apart by its time instead.
 */
export function hitKey(hit: Hit): string {
  const ids = [...hit.recordIds].sort();
  return digest([hit.ruleId, hit.tenant, hit.groupKey, ids, ids.length ? null : hit.firstSeen], 32);
}
