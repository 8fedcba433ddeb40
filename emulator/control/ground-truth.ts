import { CONTENT_TYPES, type ContentType } from '../../src/core/record.js';
import { DAY } from '../../src/core/time.js';
import { recordId, type BlobCatalog } from '../management/blobs.js';
import { BLOB_LIFETIME_MS, ready, visible } from '../management/visibility.js';
import type { SubscriptionState } from '../state.js';
import type { World } from '../world.js';

/**
 * Ground truth for `GET /_emulator/records` (issue 3, control API), as NDJSON lines made one at a time
 * (a week of a big tenant is tens of MB, streamed rather than held). Without `available`: every record the
 * tenant has up to now (CreationTime ≤ now), once each by Id. With `available=true`: exactly what a client
 * that subscribed to every content type it may can list and fetch now, once each, so a collector's
 * end-to-end test can require its stored ids to equal it (none missing, none extra):
 * - for each content type the client could hold an enabled subscription to (see `subscriberView`),
 * - every record in a blob whose contentCreated ≤ now and that has not expired (< contentCreated + 7 d),
 * - minus blobs that subscription cannot list (made while it was stopped, or before `firstDataDelayMs`).
 */
export function* groundTruth(
  world: World,
  blobs: BlobCatalog,
  tenantId: string,
  available: boolean,
): Generator<string> {
  const seen = new Set<string>();
  const fresh = (id: string): boolean => {
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  };
  const now = world.now();
  if (!available) {
    const slotMs = world.tuning.slotMs;
    const first = world.sim.options.start - world.sim.options.days * DAY;
    for (let slot = Math.floor(first / slotMs); slot * slotMs <= now; slot++) {
      for (const r of blobs.slotRecords(tenantId, slot))
        if (r.creationTime <= now && fresh(recordId(r))) yield `${JSON.stringify(r.record)}\n`;
    }
    return;
  }
  for (const ct of CONTENT_TYPES) {
    const sub = subscriberView(world, tenantId, ct, now);
    if (!sub || !ready(world, sub, now)) continue;
    for (const b of blobs.blobsCreatedIn(tenantId, ct, now - BLOB_LIFETIME_MS + 1, now + 1)) {
      if (!visible(sub, b, now)) continue;
      for (const rec of blobs.blobRecords(b))
        if (fresh(typeof rec.Id === 'string' ? rec.Id : JSON.stringify(rec))) yield `${JSON.stringify(rec)}\n`;
    }
  }
}

/**
 * The subscription to `ct` that a client subscribing to everything holds now: the tenant's enabled one;
 * otherwise one started now, which needs UAL on (behaviour 16, also the `ualDisabled` fault) and closes any
 * open stop (content made while stopped stays lost, behaviour 17). Null when the token's permissions
 * cannot reach the feed (ActivityFeed.Read; DLP.All also needs ActivityFeed.ReadDlp).
 */
export function subscriberView(world: World, tenantId: string, ct: ContentType, now: number): SubscriptionState | null {
  const roles = world.grantedRoles(tenantId);
  if (!roles.includes('ActivityFeed.Read') || (ct === 'DLP.All' && !roles.includes('ActivityFeed.ReadDlp')))
    return null;
  const sub = world.state.tenant(tenantId).subscriptions[ct];
  if (sub?.status === 'enabled') return sub;
  if (!world.ualEnabledNow(tenantId)) return null;
  const stoppedSpans = (sub?.stoppedSpans ?? []).map(([from, to]): [number, number] => [from, to ?? now]);
  return { contentType: ct, status: 'enabled', webhook: null, enabledAt: now, stoppedSpans, notifiedUpTo: now };
}
