import { createHash } from 'node:crypto';
import { canonicalKey } from '../../core/guid.js';
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

/**
 * `al_` and 16 hex digits of the alert's key: short enough to type, the same in every run. A GUID tenant counts in its
 * key form (core/guid.ts canonicalKey, ADR 0039): records a version before kept under an upper-case GUID and the same
 * tenant's records keyed now (or merged by `optimize --rekey`) make one alert, not one per spelling. For a tenant key
 * in lower case (every one a current version stores) the id is the one it always was.
 */
export function alertId(ruleId: string, tenant: string, groupKey: string, window: number): string {
  return `al_${digest([ruleId, canonicalKey(tenant), groupKey, window], 16)}`;
}

/**
 * A hit is the same hit when its rule, tenant, group key and records are the same (a replay after a
 * crash, or a retro run over records the live run saw). A hit with no records (posture drift) is told
 * apart by its time instead. The tenant and record ids count in their key form, as in alertId: a retro run over
 * records merged by `optimize --rekey` finds the hits a run over their upper-case spelling applied.
 */
export function hitKey(hit: Pick<Hit, 'ruleId' | 'tenant' | 'groupKey' | 'recordIds' | 'firstSeen'>): string {
  const ids = hit.recordIds.map(canonicalKey).sort();
  return digest([hit.ruleId, canonicalKey(hit.tenant), hit.groupKey, ids, ids.length ? null : hit.firstSeen], 32);
}
