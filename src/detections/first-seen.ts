/**
 * First-seen ("new terms", a tenantwatch extension): a record whose value (an address, a country, an
 * application…) no record of the same group (user…) carried in the `days` before it. Whether a value
 * is new depends on every earlier record, and records come up to a day late: a candidate is decided
 * once the tenant's newest CreationTime is `lateness` past it (or at flush), so a late record that
 * turns out to be earlier takes the hit instead — the same hits whatever the arrival order.
 * History before a retro run's start is fed through observe(): it makes values known, never new.
 *
 * A value is only called new where the tenant's records reach a whole look-back before it: what a
 * tenant collected for a week cannot say that an address went unseen for 30 days (the demo's first week
 * raised 333 "new address" alerts out of 421, one for every user's first sign-in). Such a candidate is
 * decided as not new; the rule starts raising once the stored history is as long as its look-back.
 */
import type { StoredRecord } from '../core/record.js';
import type { Hit } from './contract.js';
import { flat, groupKeyOf, groupValue, makeHit, recordFacts } from './hits.js';
import { RecordView } from './record-view.js';
import type { FirstSeenSpec, RecordRule } from './types.js';

interface Candidate {
  key: string;
  t: number;
  id: string;
  tenant: string;
  groupKey: string;
  /** Kept to state the hit's facts only if it is one (most candidates of a busy value are not). */
  record: StoredRecord;
  value: string[];
  groupValues: string[];
}

export class FirstSeenState {
  private readonly times = new Map<string, number[]>();
  private pending: Candidate[] = [];
  private readonly spec: FirstSeenSpec;
  /** Values unseen before but not called new: the tenant's history did not reach the whole look-back. */
  withheld = 0;

  constructor(readonly rule: RecordRule) {
    this.spec = rule.firstSeen!;
  }

  add(view: RecordView, observeOnly: boolean): void {
    const value = this.spec.fields.map((f) => flat(f.get(view)).toLowerCase());
    if (value.every((v) => v === '')) return;
    const groupValues = this.spec.groupBy.map((g) => groupValue(g.get(view)));
    const groupKey = groupKeyOf(groupValues);
    const r = view.record;
    const key = `${r.tenant}\u0000${groupKey.toLowerCase()}\u0000${value.join('\u0000')}`;
    // Already preceded within the look-back: it can never be first, whatever arrives later.
    const known = this.precededWithin(key, r.creationTime);
    insert(this.times, key, r.creationTime);
    if (observeOnly || known) return;
    this.pending.push({ key, t: r.creationTime, id: r.id, tenant: r.tenant, groupKey, record: r, value, groupValues });
  }

  /**
   * Decides the candidates at or before each tenant's horizon (all of them when `horizonOf` is null).
   * `historyFrom` gives the tenant's earliest record known: a candidate whose look-back starts before it
   * cannot be called new.
   */
  decide(horizonOf: ((tenant: string) => number) | null, historyFrom: (tenant: string) => number, trim = false): Hit[] {
    const hits: Hit[] = [];
    const keep: Candidate[] = [];
    for (const c of this.pending) {
      if (horizonOf && c.t > horizonOf(c.tenant)) {
        keep.push(c);
        continue;
      }
      if (this.precededWithin(c.key, c.t)) continue;
      if (historyFrom(c.tenant) > c.t - this.spec.window) this.withheld++;
      else hits.push(makeHit(this.rule.info, c.tenant, c.groupKey, [{ id: c.id, t: c.t }], this.facts(c)));
    }
    this.pending = keep;
    if (horizonOf && trim) this.trim(horizonOf);
    return hits;
  }

  private precededWithin(key: string, t: number): boolean {
    const list = this.times.get(key);
    if (!list) return false;
    const from = t - this.spec.window;
    return list.some((x) => x >= from && x < t);
  }

  private facts(c: Candidate): Record<string, string> {
    const facts = recordFacts(new RecordView(c.record), this.rule.fields);
    this.spec.fields.forEach((f, i) => (facts[`new ${f.name}`] = c.value[i]!));
    this.spec.groupBy.forEach((g, i) => (facts[g.name] = c.groupValues[i]!));
    return facts;
  }

  /** Drops times no undecided or future record can look back to. */
  private trim(horizonOf: (tenant: string) => number): void {
    const oldest = new Map<string, number>();
    for (const c of this.pending) oldest.set(c.tenant, Math.min(oldest.get(c.tenant) ?? Infinity, c.t));
    for (const [key, list] of this.times) {
      const tenant = key.slice(0, key.indexOf('\u0000'));
      const limit = Math.min(horizonOf(tenant), oldest.get(tenant) ?? Infinity) - this.spec.window;
      let cut = 0;
      while (cut < list.length - 1 && list[cut]! < limit) cut++;
      if (cut) list.splice(0, cut);
    }
  }
}

function insert(map: Map<string, number[]>, key: string, t: number): void {
  const list = map.get(key);
  if (!list) {
    map.set(key, [t]);
    return;
  }
  let i = list.length;
  while (i > 0 && list[i - 1]! > t) i--;
  list.splice(i, 0, t);
}
