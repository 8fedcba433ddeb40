/**
 * The Evaluator (contract.ts) over a RuleSet: each record is offered only to the rules whose
 * prefilter (operation, else record type, else workload) it passes, through maps built once; its raw
 * AuditData is parsed at most once for all of them (RecordView). Record rules hit at once;
 * correlations keep tumbling windows (windows.ts); first-seen rules decide once a candidate can no
 * longer be preceded by a late record (first-seen.ts).
 *
 * Build one with `createEvaluator(loadRuleSet({paths}), {domains})`.
 */
import { DAY } from '../core/time.js';
import type { Logger } from '../core/log.js';
import type { StoredRecord } from '../core/record.js';
import type { Evaluator, Hit, PushOptions } from './contract.js';
import { DomainBook } from './domains.js';
import { FirstSeenState } from './first-seen.js';
import { append, hitOrder, makeHit, recordFacts } from './hits.js';
import { lower, RecordView } from './record-view.js';
import type { Need } from './sigma/detection.js';
import type { CorrelationRule, RecordRule, RuleSet } from './types.js';
import { CorrelationWindows } from './windows.js';
import { DETECTION_EVENTS } from './events.js';

export interface EvaluatorOptions {
  /** The tenants' own domains, for "outside the organisation" (`external`). */
  domains?: DomainBook;
  /**
   * How late a record may arrive (default one day, the UAL's): first-seen candidates wait this long
   * past the tenant's newest record, and correlation windows are kept this long. Infinity for a retro
   * run, which decides everything at flush().
   */
  lateness?: number;
  /**
   * Told when a rule throws on a record (a shape nobody foresaw): that rule passes the record over and every
   * other rule and record goes on, so one odd record never stops a live pass (whose cursor would then never
   * move past it) or a retro run. The runners log it.
   */
  onFault?: (fault: RecordFault) => void;
}

/** Reports a rule that failed on a record at warn, naming both, so a person can look at the record. */
export function ruleFaultLogger(logger: Logger): (fault: RecordFault) => void {
  return (fault) =>
    logger.warn(
      { event: DETECTION_EVENTS.ruleFailed, ...fault },
      `the rule "${fault.rule}" failed on record ${fault.recordId} of ${fault.tenant} and passed it over (${fault.error})`,
    );
}

/** A rule that failed on one record (EvaluatorOptions.onFault). */
export interface RecordFault {
  ruleId: string;
  rule: string;
  tenant: string;
  recordId: string;
  error: string;
}

/** push: evaluate and raise; observe: look-back history for first-seen; prime: restore a live runner's state. */
type Mode = 'push' | 'observe' | 'prime';

interface Entry {
  rule: RecordRule;
  /** Correlations fed by this rule, with the rule's place in each. */
  feeds: { windows: CorrelationWindows; index: number }[];
  firstSeen: FirstSeenState | null;
}

export class RuleEvaluator implements Evaluator {
  private readonly byOp = new Map<string, Entry[]>();
  private readonly byType = new Map<number, Entry[]>();
  private readonly byWorkload = new Map<string, Entry[]>();
  private readonly always: Entry[] = [];
  private readonly windows: CorrelationWindows[] = [];
  private readonly firstSeen: FirstSeenState[] = [];
  private readonly newest = new Map<string, number>();
  /** Each tenant's earliest CreationTime known: the store's (history()) or the earliest record offered. */
  private readonly oldest = new Map<string, number>();
  private readonly historyFrom = (tenant: string): number => this.oldest.get(tenant) ?? Infinity;
  private readonly domains: DomainBook;
  private readonly lateness: number;
  private readonly onFault: ((fault: RecordFault) => void) | undefined;
  private pushes = 0;

  constructor(set: RuleSet, options: EvaluatorOptions = {}) {
    this.domains = options.domains ?? new DomainBook();
    this.lateness = options.lateness ?? DAY;
    this.onFault = options.onFault;
    const entries = new Map<RecordRule, Entry>();
    const entryOf = (rule: RecordRule): Entry => {
      let e = entries.get(rule);
      if (!e) entries.set(rule, (e = { rule, feeds: [], firstSeen: null }));
      return e;
    };
    for (const rule of set.rules) {
      if (!rule.applies) continue;
      if (rule.kind === 'correlation') this.addCorrelation(rule, entryOf);
      else {
        const e = entryOf(rule);
        if (rule.kind === 'first-seen') this.firstSeen.push((e.firstSeen = new FirstSeenState(rule)));
      }
    }
    for (const e of entries.values()) this.index(e);
  }

  private addCorrelation(rule: CorrelationRule, entryOf: (r: RecordRule) => Entry): void {
    const w = new CorrelationWindows(rule);
    this.windows.push(w);
    rule.rules.forEach((r, index) => entryOf(r).feeds.push({ windows: w, index }));
  }

  private index(e: Entry): void {
    const { need } = e.rule;
    const put = <K>(map: Map<K, Entry[]>, keys: Iterable<K>): void => {
      for (const k of keys) map.set(k, [...(map.get(k) ?? []), e]);
    };
    if (need.operations) put(this.byOp, need.operations);
    else if (need.recordTypes) put(this.byType, need.recordTypes);
    else if (need.workloads) put(this.byWorkload, need.workloads);
    else this.always.push(e);
  }

  push(records: readonly StoredRecord[], options: PushOptions = {}): Hit[] {
    const hits: Hit[] = [];
    for (const record of records) this.offer(record, hits, 'push');
    return this.finish(hits, options.decide ?? true);
  }

  /** History only: makes values known to first-seen rules (a retro run's look-back); raises nothing. */
  observe(records: readonly StoredRecord[]): void {
    for (const record of records) this.offer(record, [], 'observe');
  }

  /**
   * Restores what an earlier process of the live runner knew (prime.ts): records it already pushed, with
   * each tenant's newest CreationTime it had seen. Correlation windows get their members back (a window
   * that holds is marked fired: its hits were raised then), first-seen values before the horizon become
   * known and the ones after it candidates again. Nothing is raised. Call before the first push.
   */
  prime(records: readonly StoredRecord[], newest: ReadonlyMap<string, number>): void {
    for (const [tenant, t] of newest) if (t > (this.newest.get(tenant) ?? -Infinity)) this.newest.set(tenant, t);
    for (const record of records) this.offer(record, [], 'prime');
  }

  /** The rules whose state outlives a push (correlated or first-seen): what prime() needs records for. */
  statefulRules(): { rules: RecordRule[]; span: number } {
    const rules = new Set<RecordRule>();
    let span = 0;
    for (const w of this.windows) {
      w.rule.rules.forEach((r) => rules.add(r));
      span = Math.max(span, w.rule.timespan);
    }
    for (const f of this.firstSeen) {
      rules.add(f.rule);
      span = Math.max(span, f.rule.firstSeen!.window);
    }
    return { rules: [...rules], span: span + this.lateness };
  }

  wants(): { operations: string[]; recordTypes: number[]; workloads: string[] } | undefined {
    if (this.always.length) return undefined;
    return {
      operations: [...this.byOp.keys()],
      recordTypes: [...this.byType.keys()],
      workloads: [...this.byWorkload.keys()],
    };
  }

  /** Per first-seen rule, the values not called new for want of history so far (`rules test` says so). */
  withheld(): { rule: RecordRule; values: number }[] {
    return this.firstSeen.filter((f) => f.withheld > 0).map((f) => ({ rule: f.rule, values: f.withheld }));
  }

  history(oldest: ReadonlyMap<string, number>): void {
    for (const [tenant, t] of oldest) if (t < (this.oldest.get(tenant) ?? Infinity)) this.oldest.set(tenant, t);
  }

  advance(newest: Readonly<Record<string, number>>): void {
    for (const [tenant, t] of Object.entries(newest))
      if (t > (this.newest.get(tenant) ?? -Infinity)) this.newest.set(tenant, t);
  }

  flush(): Hit[] {
    const hits: Hit[] = [];
    for (const w of this.windows) append(hits, w.drain());
    for (const f of this.firstSeen) append(hits, f.decide(null, this.historyFrom));
    return hits.sort(hitOrder);
  }

  private offer(record: StoredRecord, hits: Hit[], mode: Mode): void {
    const view = new RecordView(record, this.domains);
    if (record.creationTime < (this.oldest.get(record.tenant) ?? Infinity))
      this.oldest.set(record.tenant, record.creationTime);
    if (mode === 'push' && record.creationTime > (this.newest.get(record.tenant) ?? -Infinity))
      this.newest.set(record.tenant, record.creationTime);
    const byOp = this.byOp.get(view.operationLower);
    if (byOp) this.run(byOp, view, hits, mode);
    const byType = this.byType.get(record.recordType);
    if (byType) this.run(byType, view, hits, mode);
    const byWorkload =
      record.workload && this.byWorkload.size ? this.byWorkload.get(lower(record.workload)) : undefined;
    if (byWorkload) this.run(byWorkload, view, hits, mode);
    if (this.always.length) this.run(this.always, view, hits, mode);
  }

  private run(entries: readonly Entry[], view: RecordView, hits: Hit[], mode: Mode): void {
    for (const e of entries) {
      try {
        this.runOne(e, view, hits, mode);
      } catch (error) {
        const { record } = view;
        this.onFault?.({
          ruleId: e.rule.info.id,
          rule: e.rule.info.title,
          tenant: record.tenant,
          recordId: record.id,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  private runOne(e: Entry, view: RecordView, hits: Hit[], mode: Mode): void {
    const record = view.record;
    if (mode !== 'push' && !e.firstSeen && !e.feeds.length) return;
    if (mode === 'observe' && !e.firstSeen) return;
    if (!passes(e.rule.need, view) || !e.rule.test(view)) return;
    if (mode === 'observe') {
      e.firstSeen!.add(view, true);
      return;
    }
    if (mode === 'prime') {
      for (const f of e.feeds) f.windows.add(view, f.index, true);
      // Decided by the earlier process when at or before its horizon: known; after it: a candidate again.
      const horizon = (this.newest.get(record.tenant) ?? -Infinity) - this.lateness;
      e.firstSeen?.add(view, record.creationTime <= horizon);
      return;
    }
    if (e.rule.generate && !e.firstSeen)
      hits.push(
        makeHit(
          e.rule.info,
          record.tenant,
          '',
          [{ id: record.id, t: record.creationTime }],
          recordFacts(view, e.rule.fields),
        ),
      );
    for (const f of e.feeds) f.windows.add(view, f.index);
    e.firstSeen?.add(view, false);
  }

  /** Live: windows report as they fire. Retro (lateness Infinity): each window once, whole, at flush. */
  private finish(hits: Hit[], decide: boolean): Hit[] {
    if (Number.isFinite(this.lateness)) {
      for (const w of this.windows) append(hits, w.drain());
      if (!decide) return hits.sort(hitOrder);
      const horizon = (tenant: string): number => (this.newest.get(tenant) ?? -Infinity) - this.lateness;
      const housekeeping = ++this.pushes % 64 === 0;
      for (const f of this.firstSeen) append(hits, f.decide(horizon, this.historyFrom, housekeeping));
      if (housekeeping) for (const w of this.windows) w.evict(horizon);
    }
    return hits.sort(hitOrder);
  }
}

function passes(need: Need, view: RecordView): boolean {
  const r = view.record;
  if (need.operations && !need.operations.has(view.operationLower)) return false;
  if (need.recordTypes && !need.recordTypes.has(r.recordType)) return false;
  if (need.workloads && !(r.workload && need.workloads.has(lower(r.workload)))) return false;
  return true;
}

export function createEvaluator(set: RuleSet, options: EvaluatorOptions = {}): RuleEvaluator {
  return new RuleEvaluator(set, options);
}
