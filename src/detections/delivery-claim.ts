/**
 * The claim alert routing takes before it sends an alert through a channel, so that of several processes routing
 * from one store (`serve` beside `collect --follow`, several servers on one PostgreSQL) one sends it and the others
 * leave it: a lease in the store's ledger (the API the collector and the forwarder hold their streams and sinks
 * by), keyed per alert and channel. A claim never loses an alert: it is let go after the channel took the alert
 * and the store recorded it, or after the send failed; one whose process died runs out after its term, and the
 * next run that finds the alert still due takes it over and sends it (at once when the holder was a process of
 * this machine that no longer exists). Its term covers one attempt of the channel and the wait before the next, and
 * the holder renews it before every attempt (holdClaim), so a holder that died on another machine frees the alert
 * within about one attempt, not the channel's whole retry run (an email: minutes, not an hour); a holder that finds
 * its claim taken over stops before its next attempt (ADR 0026).
 */
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { isDeadLocalOwner } from '../runtime/lease-owner.js';
import type { LedgerStore } from '../store/contract.js';

export type ClaimLeases = Pick<LedgerStore, 'acquireLease' | 'leaseHolder' | 'reclaimLease' | 'renewLease'>;

/** Every claim's key starts so, and no other lease's: run-out claims are dropped by it (dropExpiredLeases). */
export const CLAIM_PREFIX = 'alert:';

/** A sink's name has no colon (sinks/config.ts), so channel and alert id never run into each other. */
export function claimKey(alertId: string, channel: string): string {
  return `${CLAIM_PREFIX}${channel}:${alertId}`;
}

/**
 * Added to a channel's longest attempt and wait to make a claim's term: the store's round trips beside the send
 * (reading the deliveries again, renewing, the delivery row, the sink's statistics and dead letters) and hosts
 * sharing one store whose clocks differ by some seconds (each compares the term with its own clock).
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

/**
 * A claim while its channel sends, renewed before each attempt. What renew throws ends the send: the channel's
 * beforeAttempt contract (sinks/deliver.ts ends the delivery on it, not as a failed attempt to retry).
 */
export interface HeldClaim {
  /** The channel's beforeAttempt: extends the claim for another term, or throws. */
  renew(): Promise<void>;
  /** When the claim's term now runs out. */
  until(): number;
  /** True once a renewal found another process holding the claim (or nobody: it was dropped after it ran out). */
  lost(): boolean;
}

/**
 * Holds the claim `key` of `owner` (taken until `until`) while a channel sends: each renewal moves its term to
 * `termMs` from then, only while `owner` still holds it (renewLease, a compare-and-set on the owner). A renewal that
 * finds it taken over — this process was paused, or its clock or the store lagged past the term — throws before the
 * attempt, so the new holder alone sends from then on; one the store cannot answer throws too, since without
 * knowing who holds the claim the next attempt might double the alert (it stays due for the next pass).
 */
export function holdClaim(
  leases: ClaimLeases,
  claim: { key: string; owner: string; until: number; termMs: number },
  clock: Clock,
): HeldClaim {
  let until = claim.until;
  let lost = false;
  return {
    async renew() {
      const next = clock.now() + claim.termMs;
      if (await leases.renewLease(claim.key, claim.owner, next)) {
        until = next;
        return;
      }
      lost = true;
      throw new AppError('CONFLICT', `Another process took over the claim ${claim.key}`, {
        hint: 'A claim runs out when its holder does not renew it in time; that process sends the alert, this one stops',
      });
    },
    until: () => until,
    lost: () => lost,
  };
}
