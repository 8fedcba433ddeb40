import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Store } from '../store/contract.js';
import { raiseHits, recordKey, type AlertPolicy, type RaiseSummary } from './alerts/raise.js';
import type { Evaluator } from './contract.js';
import { DETECTION_EVENTS } from './events.js';
import { postureDriftHits } from './posture-drift.js';
import { deliverDue, type AlertChannel, type DeliverSummary, type RoutingConfig } from './routing.js';

/**
 * The live runner: rules on every new record, whoever stored it (collector, import, history fill).
 * It reads the store's tail after its own cursor, feeds the evaluator, raises the hits as alerts and
 * only then moves the cursor, so a crash replays a batch (harmless: hits are idempotent) and never
 * skips one. Then it checks posture drift and delivers what is due.
 */
export const LIVE_CONSUMER = 'detections:live';

/**
 * A pass decides first-seen values once it has read everything stored (or this many records): an import
 * of a whole export, however ordered, is decided as a retro run would decide it. Bounds what is held
 * (the candidates and the values' times) on a catch-up after a long stop.
 */
const HOLD_RECORDS = 1_000_000;

/** The evaluators already told where each tenant's stored records begin. */
const toldHistory = new WeakSet<Evaluator>();

/**
 * Where each evaluator's own reading stands (the position it last stored as the cursor). A pass goes on from
 * there, not from the stored cursor, which another process running live passes on the same store (`serve` beside
 * `collect --follow`) moves too: read from it, each process's evaluator saw only the records of its own passes,
 * and a brute force whose failures were stored half before one process's pass and half before the other's held
 * in neither's window, so it raised nothing. Reading what another process evaluated already costs a second
 * evaluation, whose hits are duplicates (hit identity). A new evaluator starts from the cursor, primed (prime.ts).
 */
const readTo = new WeakMap<Evaluator, string>();

/**
 * What the live runner needs of a store: its tail, how far back each tenant's records go, its cursors,
 * and where alerts and posture live.
 */
export interface TailSource {
  records: Pick<Store['records'], 'get' | 'tail' | 'oldest'>;
  cursors: Pick<Store['cursors'], 'get' | 'set'>;
}

export type LiveStore = TailSource & Pick<Store, 'alerts' | 'posture' | 'tenants' | 'ledger'>;

export interface LiveOptions {
  clock: Clock;
  logger: Logger;
  policy?: AlertPolicy;
  /** Records passed over per tail read (default 5,000; only the ones a rule can match are read whole). */
  batchSize?: number;
  /** Records read before the first-seen candidates are decided and the cursor stored, at most (default 1,000,000). */
  holdRecords?: number;
  signal?: AbortSignal;
  /** Check posture drift too (default true). */
  posture?: boolean;
  /** Delivery; without it alerts are stored and shown, not sent. */
  routing?: { config: RoutingConfig; channels: ReadonlyMap<string, AlertChannel> };
}

export interface LiveSummary {
  records: number;
  batches: number;
  hits: number;
  alerts: Omit<RaiseSummary, 'alerts'>;
  delivery: DeliverSummary | null;
}

function add(total: Omit<RaiseSummary, 'alerts'>, s: RaiseSummary): void {
  for (const k of ['raised', 'counted', 'reopened', 'duplicates', 'excluded', 'snoozed'] as const) total[k] += s[k];
}

/**
 * One pass: everything stored after the cursor, in batches, until the tail is caught up. The evaluator
 * keeps its correlation windows between passes, so keep one per process and pass it every time.
 */
export async function runLiveOnce(store: LiveStore, evaluator: Evaluator, options: LiveOptions): Promise<LiveSummary> {
  const deps = {
    store,
    clock: options.clock,
    logger: options.logger,
    ...(options.policy ? { policy: options.policy } : {}),
  };
  const limit = options.batchSize ?? 5_000;
  const summary: LiveSummary = {
    records: 0,
    batches: 0,
    hits: 0,
    alerts: { raised: 0, counted: 0, reopened: 0, duplicates: 0, excluded: 0, snoozed: 0 },
    delivery: null,
  };
  const holdAtMost = options.holdRecords ?? HOLD_RECORDS;
  let position = readTo.get(evaluator) ?? (await store.cursors.get(LIVE_CONSUMER));
  /** Records passed since the cursor was last stored (their first-seen candidates still undecided). */
  let holding = 0;
  // Records no rule's prefilter passes are only passed over, never read whole (most of them, most days).
  const only = evaluator.wants?.();
  // First-seen rules call a value new only where the stored history covers their look-back: the store says
  // where each tenant's records began when this evaluator first runs; what is stored after reaches it through
  // the tail (ADR 0037). Once per evaluator: the rollups' scan grows with tenants × days.
  if (evaluator.history && !toldHistory.has(evaluator)) {
    evaluator.history(await store.records.oldest());
    toldHistory.add(evaluator);
  }
  for (;;) {
    options.signal?.throwIfAborted();
    const batch = await store.records.tail(position, {
      limit,
      ...(only ? { only } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const scanned = batch.scanned ?? batch.records.length;
    const last = scanned < limit;
    if (!scanned && !holding) break;
    if (batch.newest) evaluator.advance?.(batch.newest);
    holding += scanned;
    // First-seen values are decided at the end of the pass (or every holdAtMost records), when every
    // record stored meanwhile is known, whatever order it was stored in; until then the cursor stays,
    // so a crash replays the held records (harmless: hits are idempotent) and loses no decision.
    const decide = last || holding >= holdAtMost;
    const hits = evaluator.push(batch.records, { decide });
    const held = new Map(batch.records.map((r) => [recordKey(r.tenant, r.id), r]));
    add(summary.alerts, await raiseHits(deps, hits, held));
    // Only now: the alerts for these records are committed.
    if (decide) {
      await store.cursors.set(LIVE_CONSUMER, batch.next, options.clock.now());
      readTo.set(evaluator, batch.next);
      holding = 0;
    }
    options.logger.debug({
      event: DETECTION_EVENTS.liveBatch,
      records: scanned,
      read: batch.records.length,
      hits: hits.length,
    });
    summary.records += scanned;
    if (scanned) summary.batches++;
    summary.hits += hits.length;
    position = batch.next;
    if (last) break;
  }
  if (options.posture !== false) {
    const drift = await postureDriftHits(store);
    const raised = await raiseHits(deps, drift);
    if (raised.raised) options.logger.info({ event: DETECTION_EVENTS.postureDrift, alerts: raised.raised });
    add(summary.alerts, raised);
    summary.hits += drift.length;
  }
  if (options.routing)
    summary.delivery = await deliverDue(
      { ...deps, routing: options.routing.config, channels: options.routing.channels },
      options.signal ? { signal: options.signal } : {},
    );
  return summary;
}
