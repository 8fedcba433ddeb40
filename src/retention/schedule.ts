/**
 * The scheduled sweep inside `collect --follow` and `serve`: one sweep, then a pause of the injected clock,
 * until the signal fires. Processes sharing a store take turns through a lease (`retention/sweep`), so two
 * never sweep at once; a holder whose process died on this host is taken over at once (runtime/lease-owner.ts).
 * It runs on the caller's event loop (no thread): each batch is one short transaction.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Store } from '../store/contract.js';
import { isDeadLocalOwner, leaseOwner } from '../runtime/lease-owner.js';
import { EVENTS } from './events.js';
import { sweepRetention, type TenantSweep } from './sweep.js';

export const SWEEP_LEASE = 'retention/sweep';
/** Between sweeps: records become due by the day, so a few sweeps a day keep every limit within hours. */
export const SWEEP_EVERY_MS = 6 * 3_600_000;
const LEASE_MS = 30 * 60_000;

export interface ScheduleOptions {
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  everyMs?: number;
  owner?: string;
  /** Told after each sweep this process ran (tests). */
  onSweep?: (result: TenantSweep[]) => void;
}

export async function runRetentionSchedule(
  store: Pick<Store, 'records' | 'retention' | 'ledger'>,
  options: ScheduleOptions,
): Promise<void> {
  const owner = options.owner ?? leaseOwner();
  while (!options.signal.aborted) {
    try {
      if (await takeLease(store, owner, options.clock.now())) {
        try {
          options.onSweep?.(await sweepRetention(store, { ...options }));
        } finally {
          await store.ledger.releaseLease(SWEEP_LEASE, owner);
        }
      }
    } catch (error) {
      options.logger.error(
        { event: EVENTS.sweepFailed, error: (error as Error).message },
        'the retention sweep failed',
      );
    }
    try {
      await options.clock.sleep(options.everyMs ?? SWEEP_EVERY_MS, options.signal);
    } catch {
      return;
    }
  }
}

async function takeLease(store: Pick<Store, 'ledger'>, owner: string, now: number): Promise<boolean> {
  if (await store.ledger.acquireLease(SWEEP_LEASE, owner, now + LEASE_MS, now)) return true;
  const holder = await store.ledger.leaseHolder(SWEEP_LEASE);
  return (
    holder !== null &&
    isDeadLocalOwner(holder.owner) &&
    (await store.ledger.reclaimLease(SWEEP_LEASE, holder.owner, owner, now + LEASE_MS))
  );
}
