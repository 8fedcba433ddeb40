/**
 * The sweep lease (`retention/sweep`): one sweep at a time among the processes sharing a store, whether the
 * schedule in `collect --follow` and `serve` (schedule.ts) or `tenantwatch retention sweep`. Two at once would
 * be safe (each batch is its own transaction) but would do the same work twice. A holder whose process died on
 * this host is taken over at once (runtime/lease-owner.ts); a dry run removes nothing and needs no lease.
 * A running sweep renews the lease as it goes (between batches, once SWEEP_RENEW_MS of the injected clock has
 * passed), so a sweep longer than the term is not overlapped; one that finds it lost to another process (it
 * stalled past the term and was taken over) stops there, like a stopped sweep.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Store } from '../store/contract.js';
import { isDeadLocalOwner } from '../runtime/lease-owner.js';
import { EVENTS } from './events.js';

export const SWEEP_LEASE = 'retention/sweep';
/** Every sweep takes (and renews) the lease for this long, so its last taking or renewal is `until − SWEEP_LEASE_MS`. */
export const SWEEP_LEASE_MS = 30 * 60_000;
/** How often a running sweep renews its lease: a third of the term, so a renewal can come late and it still holds. */
export const SWEEP_RENEW_MS = SWEEP_LEASE_MS / 3;

export type LeaseStore = Pick<Store, 'ledger'>;

/** Who holds the lease: its owner (`host:pid:xxxxxxxx`), when it last took or renewed it and until when (epoch ms). */
export interface SweepLeaseHolder {
  owner: string;
  since: number;
  until: number;
}

/**
 * What running under the lease came to: the result (`lost`: the sweep stopped because another process took the
 * lease over), or the holder that kept this process out (null: unknown).
 */
export type UnderLease<T> = { ran: true; result: T; lost: boolean } | { ran: false; holder: SweepLeaseHolder | null };

/** The lease a running sweep holds, for it to keep between batches (SweepOptions.keepLease). */
export interface HeldSweepLease {
  /** Renews the lease when SWEEP_RENEW_MS has passed since it was taken or renewed; false once it is lost. */
  keep: () => Promise<boolean>;
}

export interface SweepLeaseOptions {
  owner: string;
  clock: Clock;
  logger: Logger;
}

/**
 * Runs `sweep` holding the lease, released after it whether it ended or failed; else says who holds it. When
 * the sweep failed, its error is the one thrown: a release that fails too (the database went away) is logged,
 * and the lease expires by itself.
 */
export async function underSweepLease<T>(
  store: LeaseStore,
  { owner, clock, logger }: SweepLeaseOptions,
  sweep: (lease: HeldSweepLease) => Promise<T>,
): Promise<UnderLease<T>> {
  let renewed = clock.now();
  const taken = await takeSweepLease(store, owner, renewed);
  if (taken !== true) return { ran: false, holder: taken };
  let lost = false;
  const lease: HeldSweepLease = {
    keep: async () => {
      if (lost) return false;
      const now = clock.now();
      if (now - renewed < SWEEP_RENEW_MS) return true;
      if (await store.ledger.acquireLease(SWEEP_LEASE, owner, now + SWEEP_LEASE_MS, now)) {
        renewed = now;
        return true;
      }
      lost = true;
      const holder = await store.ledger.leaseHolder(SWEEP_LEASE);
      logger.warn(
        { event: EVENTS.leaseLost, holder: holder?.owner ?? null },
        'another process took over the retention sweep lease; this sweep stops (what was removed is accounted for)',
      );
      return false;
    },
  };
  let result: T;
  try {
    result = await sweep(lease);
  } catch (error) {
    await store.ledger
      .releaseLease(SWEEP_LEASE, owner)
      .catch((release: unknown) =>
        logger.warn(
          { event: EVENTS.leaseReleaseFailed, error: (release as Error).message },
          'could not let the retention sweep lease go after the sweep failed; it expires by itself',
        ),
      );
    throw error;
  }
  // Only this owner's lease is let go: one taken over stays its new holder's.
  await store.ledger.releaseLease(SWEEP_LEASE, owner);
  return { ran: true, result, lost };
}

/**
 * True when `owner` holds the lease now; else its holder. A holder that released it between the two reads
 * leaves it free, so taking it is tried once more; null when that too saw it taken and then released.
 */
async function takeSweepLease(store: LeaseStore, owner: string, now: number): Promise<true | SweepLeaseHolder | null> {
  const until = now + SWEEP_LEASE_MS;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await store.ledger.acquireLease(SWEEP_LEASE, owner, until, now)) return true;
    const holder = await store.ledger.leaseHolder(SWEEP_LEASE);
    if (holder === null) continue;
    if (isDeadLocalOwner(holder.owner) && (await store.ledger.reclaimLease(SWEEP_LEASE, holder.owner, owner, until)))
      return true;
    return { owner: holder.owner, since: holder.until - SWEEP_LEASE_MS, until: holder.until };
  }
  return null;
}
