/**
 * The forwarder: one loop per sink over the store's tail. Each loop holds the sink's lease, reads the
 * records after its cursor (`sink:<name>`), keeps those its filter takes, delivers them completely
 * (deliver.ts) and only then moves the cursor — so a crash replays at most the batch in flight and
 * never skips one. The store is the buffer: a sink that was down for a day starts where it stopped.
 */
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { SinkRef, SinkRow, SinkStatsChange, SinkStore } from '../core/sink.js';
import type { Item } from './alert.js';
import { deliverItems, type DeliverOutcome } from './deliver.js';
import type { SinkDriver } from './driver.js';
import { EVENTS } from './events.js';
import { lastErrorText, STAGE_LABEL, type SinkFailure } from './failure.js';
import { compileFilter } from './filter.js';
import { leaseKey, takeLease } from './lease.js';
import { sinkConsumer, type ForwardStore } from './ports.js';
import type { RetryPolicy } from './retry.js';

export interface ForwardOptions {
  store: ForwardStore;
  clock: Clock;
  logger: Logger;
  policy: RetryPolicy;
  /** Lease owner name of this process (lease.ts leaseOwner). */
  owner: string;
  signal: AbortSignal;
  /** Records read from the tail per step (default 2,000). */
  readLimit?: number;
  /** Wait between polls when caught up (default 1 s). */
  idleMs?: number;
  /** Lease term (default: sinkLeaseMs of the driver); renewed before each request, after every batch and during retry waits. */
  leaseMs?: number;
  /** Stop when caught up with the store (forward --once) instead of waiting for more. */
  once?: boolean;
  /** Removes secrets from receiver messages before they are stored (last error, dead letter reasons). */
  scrub?: (text: string) => string;
  /** Read batches delivered at once (default: the driver's `inFlight`, else 1). */
  inFlight?: number;
}

export type SinkRunResult =
  | { sink: string; state: 'caught-up'; delivered: number; dead: number }
  | { sink: string; state: 'busy'; holder: string | null }
  | { sink: string; state: 'failed'; reason: string }
  | { sink: string; state: 'stopped' };

/** The least lease term of a sink; a driver whose one attempt can take longer gets longer (sinkLeaseMs). */
const LEASE_MS = 120_000;
/** Beyond a driver's longest attempt: the store's writes after it (cursor, statistics) and clocks a little apart. */
const LEASE_MARGIN_MS = 60_000;

/**
 * A sink's lease term: longer than one request. The lease is renewed before each request and while waiting between
 * two, never during one; with a fixed two minutes, and renewed only once per batch read from the store (several
 * requests), another process could take the sink over while a batch was still being sent (a HEC acknowledgement
 * may be awaited for minutes), and two senders then moved one cursor.
 */
export function sinkLeaseMs(driver: Pick<SinkDriver, 'longestAttemptMs'>): number {
  return Math.max(LEASE_MS, driver.longestAttemptMs + LEASE_MARGIN_MS);
}

/** Runs one sink until caught up (once) or until the signal fires; never throws for the sink's own failures. */
export async function runSink(options: ForwardOptions, row: SinkRow, driver: SinkDriver): Promise<SinkRunResult> {
  const { store, clock, logger } = options;
  const leaseMs = options.leaseMs ?? sinkLeaseMs(driver);
  const lease = await takeLease(store.ledger, row.name, options.owner, clock.now(), leaseMs);
  if (!lease.held) {
    const holder = await store.ledger.leaseHolder(leaseKey(row.name));
    logger.info(
      { event: EVENTS.leaseBusy, sink: row.name, holder: holder?.owner },
      'another process sends to this sink',
    );
    return { sink: row.name, state: 'busy', holder: holder?.owner ?? null };
  }
  if (lease.reclaimedFrom)
    logger.warn({ event: EVENTS.leaseReclaimed, sink: row.name, from: lease.reclaimedFrom }, 'took over a dead sender');
  const stats = new StatsKeeper(row, options.owner, clock);
  stats.scrub = options.scrub ?? ((t) => t);
  try {
    return await loop(options, row, driver, stats, leaseMs);
  } catch (error) {
    if (error instanceof LeaseLost) return leftToHolder(store, row.name);
    throw error;
  } finally {
    await stats.save(store.sinks).catch(() => undefined);
    await store.ledger.releaseLease(leaseKey(row.name), options.owner).catch(() => undefined);
  }
}

async function loop(
  options: ForwardOptions,
  row: SinkRow,
  driver: SinkDriver,
  stats: StatsKeeper,
  leaseMs: number,
): Promise<SinkRunResult> {
  const { store, clock, logger, signal } = options;
  const consumer = sinkConsumer(row.name);
  const takes = compileFilter(row.filter);
  const wantsRecords = row.takes !== 'alerts';
  const depth = Math.max(1, options.inFlight ?? driver.inFlight ?? 1);
  // Deliveries run under their own signal, so a failed one can stop the ones behind it.
  const inner = new AbortController();
  const stop = (): void => inner.abort(signal.reason);
  signal.addEventListener('abort', stop, { once: true });
  let readAt = await store.cursors.get(consumer);
  /** The cursor as this forwarder read it at its start or last stored it: no one else moves it while it holds the lease. */
  let stored = readAt;
  /**
   * Read batches in flight, oldest first. The cursor moves over the head only, once it is confirmed:
   * always a contiguous prefix of the tail, so a crash or a failure replays what was in flight and
   * never skips a batch that completed before an older one.
   */
  const queue: { next: string; delivery: Promise<DeliverOutcome> }[] = [];
  let delivered = 0;
  let dead = 0;
  logger.info({ event: EVENTS.started, sink: row.name, kind: row.kind, inFlight: depth }, 'forwarding');
  try {
    while (!signal.aborted) {
      if (queue.length < depth) {
        const batch = await store.records.tail(readAt, { limit: options.readLimit ?? 2_000, signal });
        if (batch.records.length > 0) {
          const items: Item[] = wantsRecords
            ? batch.records.filter(takes).map((record) => ({ kind: 'record' as const, record }))
            : [];
          const delivery = deliverItems(
            {
              sink: row.name,
              driver,
              policy: options.policy,
              clock,
              logger,
              signal: inner.signal,
              onFailure: (f) => stats.failed(f),
              scrub: options.scrub,
              beforeAttempt: () => renew(options, row.name, leaseMs),
              wait: async (ms, waitSignal) => {
                // A receiver that stays down: its error reaches sink status now, not once the batch ends.
                await stats.save(store.sinks).catch(() => undefined); // kept for the next save
                await waitHoldingLease(options, row.name, leaseMs, ms, waitSignal);
              },
            },
            items,
          );
          delivery.catch(() => undefined); // awaited in order below
          queue.push({ next: batch.next, delivery });
          readAt = batch.next;
          continue;
        }
        if (queue.length === 0) {
          if (options.once) {
            logger.info({ event: EVENTS.caughtUp, sink: row.name, delivered, dead }, 'caught up with the store');
            return { sink: row.name, state: 'caught-up', delivered, dead };
          }
          await clock.sleep(options.idleMs ?? 1_000, signal).catch(() => undefined);
          await renew(options, row.name, leaseMs);
          continue;
        }
      }
      const head = queue.shift()!;
      let outcome: DeliverOutcome;
      try {
        outcome = await head.delivery;
      } catch (e) {
        if (signal.aborted) break;
        if (e instanceof LeaseLost) throw e;
        const failure = e as SinkFailure;
        return {
          sink: row.name,
          state: 'failed',
          reason: (options.scrub ?? ((t: string) => t))(
            `${STAGE_LABEL[failure.stage] ?? 'failed'}: ${failure.message}`,
          ),
        };
      }
      // Moved or removed by someone else: `sink remove` (then maybe `sink add` again under the name, a new receiver
      // that starts at the start or now) while a batch was out. Storing this position would make that new sink
      // start here, and it would never get what came before; sending on would feed the removed one. (Another
      // process that took the sink over moves it too: the lease says so first, and this one leaves it to it.)
      await renew(options, row.name, leaseMs);
      if ((await store.cursors.get(consumer)) !== stored) {
        logger.warn(
          { event: EVENTS.cursorMoved, sink: row.name },
          'the sink was removed or added again while a batch was out: this forwarder stops sending to it',
        );
        return { sink: row.name, state: 'stopped' };
      }
      if (outcome.dead.length) await store.sinks.addDeadLetters(row, outcome.dead);
      // The cursor moves only now: every item of the batch is confirmed or dead-lettered. And only while the sink
      // exists, checked with the write: a removal since the check above (or during a first batch, when there was no
      // cursor to see go) must not bring the removed sink's cursor back.
      if (!(await store.sinks.moveCursor(row, head.next, clock.now()))) {
        logger.info(
          { event: EVENTS.sinkRemoved, sink: row.name },
          'the sink was removed while a batch was out: its cursor is not kept, and nothing more is sent to it',
        );
        return { sink: row.name, state: 'stopped' };
      }
      stored = head.next;
      delivered += outcome.delivered;
      dead += outcome.dead.length;
      stats.delivered(outcome.delivered, outcome.resent);
      logger.debug(
        { event: EVENTS.batchDelivered, sink: row.name, delivered: outcome.delivered, dead: outcome.dead.length },
        'batch delivered',
      );
      await stats.save(store.sinks);
      await renew(options, row.name, leaseMs);
    }
  } finally {
    signal.removeEventListener('abort', stop);
    inner.abort(new Error('the forwarder stopped'));
    await Promise.allSettled(queue.map((q) => q.delivery));
  }
  logger.info({ event: EVENTS.stopped, sink: row.name, delivered, dead }, 'stopped');
  return { sink: row.name, state: 'stopped' };
}

/** The sink was taken over while this process sent to it: left to its new holder, as when it was busy at start. */
async function leftToHolder(store: ForwardStore, sink: string): Promise<SinkRunResult> {
  const holder = await store.ledger.leaseHolder(leaseKey(sink)).catch(() => null);
  return { sink, state: 'busy', holder: holder?.owner ?? null };
}

/**
 * A wait between attempts at one batch, renewing the lease at least every third of its term: a receiver
 * that is down (or asks, by Retry-After, for minutes) would otherwise outlast the lease, and another
 * process would take the sink over from a live sender and send the same batch beside it.
 */
async function waitHoldingLease(
  options: ForwardOptions,
  sink: string,
  leaseMs: number,
  ms: number,
  signal: AbortSignal,
): Promise<void> {
  const slice = Math.max(1, Math.floor(leaseMs / 3));
  for (let left = ms; left > 0; left -= slice) {
    await options.clock.sleep(Math.min(left, slice), signal);
    await renew(options, sink, leaseMs);
  }
}

/**
 * Extends the sink's lease while this process still holds it (renewLease: only its holder can). Taking it again
 * instead (acquireLease) would take back a sink another process took over, sent a batch to and let go: both would
 * then have sent from one cursor. A lease found lost ends this process's sending (LeaseLost).
 */
async function renew(options: ForwardOptions, sink: string, leaseMs: number): Promise<void> {
  if (await options.store.ledger.renewLease(leaseKey(sink), options.owner, options.clock.now() + leaseMs)) return;
  options.logger.warn({ event: EVENTS.leaseLost, sink }, 'another process took over this sink');
  throw new LeaseLost(sink);
}

class LeaseLost extends AppError {
  constructor(sink: string) {
    super('CONFLICT', `Another process took over sink ${sink}`, {
      hint: 'A lease runs out when its holder stops renewing it; this process stops sending to the sink',
    });
  }
}

/**
 * What the forwarder did since it last wrote the sink's statistics, and the records-per-second over the last
 * minute. It keeps no copy of the stored statistics: the alert channel of a sink that takes both writes them
 * too, so each save adds this process's part (SinkStore.addStats) to the row as it is then.
 */
class StatsKeeper {
  private change: SinkStatsChange;
  private window: { at: number; n: number }[] = [];
  scrub: (text: string) => string = (t) => t;

  constructor(
    /** The sink as the pass started: nothing is written for another sink added under its name since. */
    private readonly sink: SinkRef,
    private readonly owner: string,
    private readonly clock: Clock,
  ) {
    this.change = this.nothing();
  }

  delivered(n: number, resent: number): void {
    const now = this.clock.now();
    this.change.delivered = (this.change.delivered ?? 0) + n;
    this.change.resent = (this.change.resent ?? 0) + resent;
    if (n > 0) this.change.lastDeliveryAt = now;
    this.window.push({ at: now, n });
    this.window = this.window.filter((w) => w.at > now - 60_000);
    const span = Math.max(1, now - (this.window[0]?.at ?? now)) / 1000;
    const total = this.window.reduce((s, w) => s + w.n, 0);
    this.change.throughput = this.window.length > 1 ? Math.round(total / span) : 0;
  }

  failed(failure: SinkFailure): void {
    this.change.lastError = { message: lastErrorText(failure, this.scrub), at: this.clock.now() };
  }

  /** Adds what was done since the last save; kept for the next one when the store fails. */
  async save(sinks: Pick<SinkStore, 'addStats'>): Promise<void> {
    const change = { ...this.change, at: this.clock.now() };
    this.change = this.nothing();
    try {
      await sinks.addStats(this.sink, change);
    } catch (error) {
      this.change = {
        ...change,
        ...this.change,
        delivered: (change.delivered ?? 0) + (this.change.delivered ?? 0),
        resent: (change.resent ?? 0) + (this.change.resent ?? 0),
      };
      throw error;
    }
  }

  private nothing(): SinkStatsChange {
    return { at: this.clock.now(), owner: this.owner };
  }
}
