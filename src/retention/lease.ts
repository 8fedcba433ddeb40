/**
 * The sweep lease (`retention/sweep`): one sweep at a time among the processes sharing a store, whether the
 * schedule in `collect --follow` and `serve` (schedule.ts) or `tenantwatch retention sweep`. Two at once would
 * be safe (each batch is its own transaction) but would do the same work twice. A holder whose process died on
 * this host is taken over at once (runtime/lease-owner.ts); a dry run removes nothing and needs no lease.
 */
import type { Logger } from '../core/log.js';
import type { Store } from '../store/contract.js';
import { isDeadLocalOwner } from '../runtime/lease-owner.js';
import { EVENTS } from './events.js';

export const SWEEP_LEASE = 'retention/sweep';
/** Every sweep takes the lease for this long, so its start is `until − SWEEP_LEASE_MS`. */
export const SWEEP_LEASE_MS = 30 * 60_000;

export type LeaseStore = Pick<Store, 'ledger'>;

/** Who holds the lease: its owner (`host:pid:xxxxxxxx`), since when and until when (epoch ms). */
export interface SweepLeaseHolder {
  owner: string;
  since: number;
  until: number;
}

/** What running under the lease came to: the result, or the holder that kept this process out (null: unknown). */
export type UnderLease<T> = { ran: true; result: T } | { ran: false; holder: SweepLeaseHolder | null };

/**
 * Runs `sweep` holding the lease, released after it whether it ended or failed; else says who holds it. When
 * the sweep failed, its error is the one thrown: a release that fails too (the database went away) is logged,
 * and the lease expires by itself.
 */
export async function underSweepLease<T>(
  store: LeaseStore,
  owner: string,
  now: number,
  logger: Logger,
  sweep: () => Promise<T>,
): Promise<UnderLease<T>> {
  const taken = await takeSweepLease(store, owner, now);
  if (taken !== true) return { ran: false, holder: taken };
  let result: T;
  try {
    result = await sweep();
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
  await store.ledger.releaseLease(SWEEP_LEASE, owner);
  return { ran: true, result };
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
