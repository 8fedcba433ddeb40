import type { RecordHead } from '../core/record.js';
import { toIso, utcDay } from '../core/time.js';
import type { CountEntry, Counted, ReportSummary } from './types.js';

/**
 * Counts the audit records behind a report's findings by user, operation, workload, UTC day and
 * tenant. A record counted twice (two findings about one record) is counted once: the summary
 * speaks about records, rows may be fewer (aggregates) or the same.
 */
export class SummaryTally {
  /** Record ids counted, per tenant (no key to build per record: a report may count 160,000). */
  private readonly seen = new Map<string, Set<string>>();
  private readonly dims = {
    byUser: new Map<string, number>(),
    byOperation: new Map<string, number>(),
    byWorkload: new Map<string, number>(),
    byDay: new Map<string, number>(),
    byTenant: new Map<string, number>(),
  };

  /** Records counted by countOnce, whose ids are not kept. */
  private once = 0;

  count(record: RecordHead): void {
    let ids = this.seen.get(record.tenant);
    if (!ids) this.seen.set(record.tenant, (ids = new Set()));
    if (ids.has(record.id)) return;
    ids.add(record.id);
    this.tally(record);
  }

  /**
   * Counts a record the caller knows is counted nowhere else: each record of one read of the store,
   * counted in that read's loop only (the store holds a (tenant, id) once). Its id is not kept: a set of
   * 160,000 ids was a tenth of the sign-ins report's time.
   */
  countOnce(record: RecordHead): void {
    this.once++;
    this.tally(record);
  }

  /** What countOnce counted here, as plain data: a worker thread's part of a run, added with addCounted. */
  counted(): Counted {
    const d = this.dims;
    return {
      records: this.once,
      byUser: [...d.byUser],
      byOperation: [...d.byOperation],
      byWorkload: [...d.byWorkload],
      byDay: [...d.byDay],
      byTenant: [...d.byTenant],
    };
  }

  /** Adds what another tally counted with countOnce (its records are counted nowhere here). */
  addCounted(counted: Counted): void {
    this.once += counted.records;
    for (const name of ['byUser', 'byOperation', 'byWorkload', 'byDay', 'byTenant'] as const) {
      const into = this.dims[name];
      for (const [key, n] of counted[name]) into.set(key, (into.get(key) ?? 0) + n);
    }
  }

  private tally(record: RecordHead): void {
    bump(this.dims.byUser, record.userKey ?? '(none)');
    bump(this.dims.byOperation, record.operation);
    bump(this.dims.byWorkload, record.workload ?? '(none)');
    bump(this.dims.byDay, this.dayOf(record.creationTime));
    bump(this.dims.byTenant, record.tenant);
  }

  /** The UTC date of an instant, formatted once per day seen (a million records share a few days). */
  private readonly days = new Map<number, string>();
  private dayOf(t: number): string {
    const day = utcDay(t);
    let text = this.days.get(day);
    if (text === undefined) this.days.set(day, (text = toIso(day).slice(0, 10)));
    return text;
  }

  summary(rows: number, totals: ReportSummary['totals'] = {}): ReportSummary {
    return {
      records: [...this.seen.values()].reduce((n, ids) => n + ids.size, this.once),
      rows,
      byUser: largestFirst(this.dims.byUser),
      byOperation: largestFirst(this.dims.byOperation),
      byWorkload: largestFirst(this.dims.byWorkload),
      // Days in time order, as a chart's x axis wants them.
      byDay: [...this.dims.byDay].sort(([a], [b]) => a.localeCompare(b)).map(([key, count]) => ({ key, count })),
      byTenant: largestFirst(this.dims.byTenant),
      totals,
    };
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function largestFirst(map: Map<string, number>): CountEntry[] {
  return [...map].sort(([ka, a], [kb, b]) => b - a || ka.localeCompare(kb)).map(([key, count]) => ({ key, count }));
}
