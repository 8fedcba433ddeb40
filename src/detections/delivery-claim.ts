/**
 * The claim alert routing takes before it sends an alert through a channel, so that of several processes routing
 * from one store (`serve` beside `collect --follow`, several servers on one PostgreSQL) one sends it and the others
 * leave it: a lease in the store's ledger (the API the collector and the forwarder hold their streams and sinks
 * by), keyed per alert and channel. A claim never loses an alert: it is let go after the channel took the alert
 * and the store recorded it, or after the send failed; one whose process died runs out after its term, and the
 * next run that finds the alert still due takes it over and sends it (at once when the holder was a process of
 * this machine that no longer exists). Its term is longer than the channel's whole send (retries included), so no
 * second process takes a claim over while its holder is still sending (ADR 0026).
 */
import { isDeadLocalOwner } from '../runtime/lease-owner.js';
import type { LedgerStore } from '../store/contract.js';

export type ClaimLeases = Pick<LedgerStore, 'acquireLease' | 'leaseHolder' | 'reclaimLease'>;

/** Every claim's key starts so, and no other lease's: run-out claims are dropped by it (dropExpiredLeases). */
export const CLAIM_PREFIX = 'alert:';

/** A sink's name has no colon (sinks/config.ts), so channel and alert id never run into each other. */
export function claimKey(alertId: string, channel: string): string {
  return `${CLAIM_PREFIX}${channel}:${alertId}`;
}

/**
 * Added to a channel's longest send to make a claim's term: the store's round trips beside the send (reading the
 * deliveries again, the delivery row, the sink's statistics and dead letters) and hosts sharing one store whose
 * clocks differ by some seconds (each compares the term with its own clock).
 */
export const CLAIM_MARGIN_MS = 60_000;

export type Claim =
  | { held: true; until: number; reclaimedFrom: string | null }
  | { held: false; holder: { owner: string; until: number } | null };

/**
 * Claims `key` for `owner` until `now + termMs`: when nobody holds it, its holder's term ran out, or its holder
 * was a process of this machine that no longer exists (then `reclaimedFrom` names it). Otherwise says who holds it.
 */
export async function claimDelivery(
  leases: ClaimLeases,
  key: string,
  owner: string,
  now: number,
  termMs: number,
): Promise<Claim> {
  const until = now + termMs;
  if (await leases.acquireLease(key, owner, until, now)) return { held: true, until, reclaimedFrom: null };
  const holder = await leases.leaseHolder(key);
  if (holder && isDeadLocalOwner(holder.owner) && (await leases.reclaimLease(key, holder.owner, owner, until)))
    return { held: true, until, reclaimedFrom: holder.owner };
  return { held: false, holder };
}
