/**
 * Correlation state: event_count, value_count and temporal rules over tumbling windows of CreationTime
 * (a window is [k·timespan, (k+1)·timespan) per tenant and group), so a record that arrives late or out
 * of order joins the window it belongs to, whatever came before it. A window fires once its condition
 * holds, with every record it holds then; records that join it afterwards come as further hits of the
 * same group (alerts count them), so the records behind a window are the same whatever the arrival
 * order — what live and retro runs compare.
 */
import { toIso } from '../core/time.js';
import type { Hit } from './contract.js';
import { flat, groupKeyOf, groupValue, makeHit, type Member } from './hits.js';
import type { RecordView } from './record-view.js';
import type { CorrelationRule } from './types.js';

interface Window {
  tenant: string;
  groupKey: string;
  groupFacts: Record<string, string>;
  start: number;
  ids: Set<string>;
  members: Member[];
  rulesSeen: Set<number>;
  values: Set<string>;
  fired: boolean;
  pending: Member[];
}

export class CorrelationWindows {
  private readonly windows = new Map<string, Window>();
  private readonly dirty = new Set<Window>();

  constructor(readonly rule: CorrelationRule) {}

  /**
   * A record matched the rule's `index`-th correlated rule. `primed`: a record an earlier process already
   * counted (prime): it rejoins its window, and a window that holds is fired with nothing to report.
   */
  add(view: RecordView, index: number, primed = false): void {
    const r = view.record;
    const values = this.rule.groupBy.map((g) => groupValue(g.get(view)));
    const groupKey = groupKeyOf(values);
    const start = Math.floor(r.creationTime / this.rule.timespan) * this.rule.timespan;
    const key = `${r.tenant}\u0000${groupKey}\u0000${start}`;
    let w = this.windows.get(key);
    if (!w) {
      const groupFacts = Object.fromEntries(this.rule.groupBy.map((g, i) => [g.name, values[i]!]));
      w = {
        tenant: r.tenant,
        groupKey,
        groupFacts,
        start,
        ids: new Set(),
        members: [],
        rulesSeen: new Set(),
        values: new Set(),
        fired: false,
        pending: [],
      };
      this.windows.set(key, w);
    }
    if (w.ids.has(r.id)) return;
    const member = { id: r.id, t: r.creationTime };
    w.ids.add(r.id);
    w.members.push(member);
    w.rulesSeen.add(index);
    if (this.rule.valueField) {
      const value = flat(this.rule.valueField.get(view));
      if (value !== '') w.values.add(value.toLowerCase());
    }
    if (primed) {
      w.fired ||= this.holds(w);
      return;
    }
    if (w.fired) w.pending.push(member);
    else if (this.holds(w)) {
      w.fired = true;
      w.pending = [...w.members];
    }
    if (w.pending.length) this.dirty.add(w);
  }

  private holds(w: Window): boolean {
    switch (this.rule.type) {
      case 'event_count':
        return w.members.length >= this.rule.min;
      case 'value_count':
        return w.values.size >= this.rule.min;
      case 'temporal':
        return w.rulesSeen.size >= this.rule.min;
    }
  }

  /** The hits the records added since the last call completed. */
  drain(): Hit[] {
    const hits: Hit[] = [];
    for (const w of this.dirty) {
      const facts: Record<string, string> = {
        ...w.groupFacts,
        window: `${toIso(w.start)}/${toIso(w.start + this.rule.timespan)}`,
        count: String(w.members.length),
      };
      if (this.rule.valueField) facts[`distinct ${this.rule.valueField.name}`] = String(w.values.size);
      hits.push(makeHit(this.rule.info, w.tenant, w.groupKey, w.pending, facts));
      w.pending = [];
    }
    this.dirty.clear();
    return hits;
  }

  /** Forgets windows that ended before `horizon` (per tenant): no record can join them any more. */
  evict(horizonOf: (tenant: string) => number): void {
    for (const [key, w] of this.windows)
      if (w.start + this.rule.timespan < horizonOf(w.tenant)) this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }
}
