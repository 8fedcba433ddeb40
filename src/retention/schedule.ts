/**
 * The scheduled sweep inside `collect --follow` and `serve`: one sweep, then a pause of the injected clock,
 * until the signal fires. Processes sharing a store take turns through the sweep lease (lease.ts), which
 * `tenantwatch retention sweep` takes too, so two never sweep at once; a process that finds it held leaves
 * that sweep to its holder. It runs on the caller's event loop (no thread): each batch is one short transaction.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Store } from '../store/contract.js';
import { leaseOwner } from '../runtime/lease-owner.js';
import { EVENTS } from './events.js';
import { underSweepLease } from './lease.js';
import { sweepRetention, type TenantSweep } from './sweep.js';

/** Between sweeps: records become due by the day, so a few sweeps a day keep every limit within hours. */
export const SWEEP_EVERY_MS = 6 * 3_600_000;

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
      const swept = await underSweepLease(store, { owner, clock: options.clock, logger: options.logger }, (lease) =>
        sweepRetention(store, { ...options, keepLease: lease.keep }),
      );
      if (swept.ran) options.onSweep?.(swept.result);
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
