/**
 * Live detection for one process: one Evaluator (its correlation windows and first-seen values live in
 * it), primed from the store on the first pass (prime.ts) so a restart forgets nothing, and a pass
 * (runLiveOnce) after every unit of storing — a collect pass, an import, a history fill. The totals
 * are what a command reports ("N alerts raised").
 */
import type { Store } from '../store/contract.js';
import { DomainBook } from './domains.js';
import { createEvaluator, ruleFaultLogger, type RuleEvaluator } from './evaluator.js';
import { DETECTION_EVENTS } from './events.js';
import { LIVE_CONSUMER, runLiveOnce, type LiveOptions, type LiveSummary } from './live.js';
import { primeEvaluator } from './prime.js';
import type { RuleSet } from './types.js';
import { countOf } from '../core/words.js';

export interface LiveTotals {
  passes: number;
  /** New records evaluated. */
  records: number;
  hits: number;
  raised: number;
  /** Hits counted on alerts that existed already. */
  counted: number;
  excluded: number;
  snoozed: number;
  delivered: number;
  deliveryFailed: number;
  /** Alerts left due because another process was sending them (routing.ts DeliverSummary.claimedElsewhere). */
  deliveryElsewhere: number;
}

export interface LiveDetections {
  /** Rules that evaluate (alerting or feeding a correlation). */
  readonly rules: number;
  readonly totals: LiveTotals;
  /** Everything stored since the last pass (since the cursor), then posture drift and delivery. */
  pass(signal?: AbortSignal): Promise<LiveSummary>;
}

export type LiveSessionOptions = Omit<LiveOptions, 'signal'>;

/** The totals of a session that has done nothing yet. */
export function noLiveTotals(): LiveTotals {
  return {
    passes: 0,
    records: 0,
    hits: 0,
    raised: 0,
    counted: 0,
    excluded: 0,
    snoozed: 0,
    delivered: 0,
    deliveryFailed: 0,
    deliveryElsewhere: 0,
  };
}

export function openLiveDetections(store: Store, ruleSet: RuleSet, options: LiveSessionOptions): LiveDetections {
  let evaluator: RuleEvaluator | null = null;
  const totals = noLiveTotals();
  const start = async (signal?: AbortSignal): Promise<RuleEvaluator> => {
    const domains = new DomainBook();
    for (const t of await store.tenants.list()) if (t.domain) domains.add(t.tenantId, t.domain);
    const created = createEvaluator(ruleSet, { domains, onFault: ruleFaultLogger(options.logger) });
    const primed = await primeEvaluator(store, created, LIVE_CONSUMER, signal ? { signal } : {});
    options.logger.info({ event: DETECTION_EVENTS.livePrimed, ...primed }, 'live detections resumed');
    return created;
  };
  return {
    rules: ruleSet.rules.filter((r) => r.applies).length,
    totals,
    async pass(signal) {
      evaluator ??= await start(signal);
      const s = await runLiveOnce(store, evaluator, { ...options, ...(signal ? { signal } : {}) });
      totals.passes++;
      totals.records += s.records;
      totals.hits += s.hits;
      totals.raised += s.alerts.raised + s.alerts.reopened;
      totals.counted += s.alerts.counted;
      totals.excluded += s.alerts.excluded;
      totals.snoozed += s.alerts.snoozed;
      totals.delivered += s.delivery?.delivered ?? 0;
      totals.deliveryFailed += s.delivery?.failed ?? 0;
      totals.deliveryElsewhere += s.delivery?.claimedElsewhere ?? 0;
      return s;
    },
  };
}

/** One line for a command's summary: what the rules saw and raised. */
export function liveLine(t: LiveTotals): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const parts = [`${countOf(t.raised, 'alert')} raised`, `${countOf(t.counted, 'hit')} counted on existing alerts`];
  if (t.excluded) parts.push(`${n(t.excluded)} excluded`);
  if (t.snoozed) parts.push(`${n(t.snoozed)} snoozed`);
  if (t.delivered || t.deliveryFailed || t.deliveryElsewhere) {
    const failed = t.deliveryFailed ? `, ${n(t.deliveryFailed)} delivery failed` : '';
    const elsewhere = t.deliveryElsewhere ? `, ${n(t.deliveryElsewhere)} being sent by another process` : '';
    parts.push(`${n(t.delivered)} delivered${failed}${elsewhere}`);
  }
  return `detections: ${countOf(t.records, 'new record')} evaluated: ${parts.join(', ')}`;
}
