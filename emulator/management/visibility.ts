import { DAY } from '../../src/core/time.js';
import type { SubscriptionState } from '../state.js';
import type { World } from '../world.js';
import type { BlobRef } from './blobs.js';

/**
 * What a subscription lets a client list and fetch, in one place so the API and the ground truth
 * (`/_emulator/records?available=true`) cannot drift apart:
 * - a blob is listed once its contentCreated has come (≤ now) and until it expires 7 days later (§2.6,
 *   behaviour 25: at contentCreated + 7 d the blob answers AF20051);
 * - content made while the subscription was stopped is never listed (behaviour 17);
 * - nothing is listed until `firstDataDelayMs` after the latest start (behaviour 26).
 */
export const BLOB_LIFETIME_MS = 7 * DAY;

export function visible(sub: SubscriptionState, b: BlobRef, now: number): boolean {
  if (b.contentCreated > now || now >= b.contentCreated + BLOB_LIFETIME_MS) return false;
  return !sub.stoppedSpans.some(([from, to]) => b.contentCreated >= from && (to === null || b.contentCreated < to));
}

export function ready(world: World, sub: SubscriptionState, now: number): boolean {
  return now >= sub.enabledAt + world.tuning.firstDataDelayMs;
}
