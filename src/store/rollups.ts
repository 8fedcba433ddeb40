/**
 * Rollups (docs/adr/0031-rollups.md): exact record counts per UTC day, kept as records arrive and leave,
 * so a count or a count by dimension over whole days reads a few rows per day instead of every record.
 * Both stores keep the same tables; this file holds what they share: which tables exist and what each can
 * answer, and the delta a write or a delete brings (RollupDelta). Each store applies a delta with ONE
 * function (sqlite/rollups.ts, postgres/rollups.ts `applyRollups`), called in the same transaction as the
 * write or delete, by every path that writes or deletes records.
 */
import type { CountDimension, SearchQuery } from '../core/search-query.js';
import { RECORD_COLUMNS } from './columns.js';

export const DAY_MS = 86_400_000;

/** The UTC day an instant falls in (its start, epoch ms); negative instants round down too. */
export function dayOf(t: number): number {
  return t - (((t % DAY_MS) + DAY_MS) % DAY_MS);
}

/** The same day bucket in SQL (both dialects), over a column of epoch ms. */
export function daySql(column: string): string {
  return `${column} - ((${column} % ${DAY_MS}) + ${DAY_MS}) % ${DAY_MS}`;
}

/** One rollup table: its key columns (after `day`), which of them may be NULL, and what it can answer. */
export interface RollupTable {
  readonly name: string;
  /** Key columns after `day`, each a records column of the same name and type. */
  readonly columns: readonly string[];
  /** Columns stored with the row but not part of its identity (a function of the key: workload_key of workload). */
  readonly derived: readonly string[];
  /** Key columns that may be NULL: the unique index keys them as (coalesce(c, ''), c IS NULL). */
  readonly nullable: readonly string[];
  /** Count dimensions it answers, with the column each reads. */
  readonly dimensions: Partial<Record<CountDimension, string>>;
  /** Search filters it answers, with the column each compares (lower-cased values where the records' column is a key). */
  readonly filters: Partial<Record<keyof SearchQuery, string>>;
}

/**
 * Two tables. `rollup_counts`: day × tenant × record type × operation × workload, the Purview-style facets and
 * the timeline. `rollup_users`: day × tenant × user, for the counts by user (top users, the notices on user
 * filters) — kept apart because a user × operation table would hold nearly a row per ten records (200
 * records per active user a day across ~20 operations) and save little, while day × tenant × user is about
 * one row per 200 records and answers a month's top users from a few thousand rows.
 */
export const ROLLUP_TABLES: readonly RollupTable[] = [
  {
    name: 'rollup_counts',
    columns: ['tenant', 'record_type', 'operation_key', 'workload'],
    derived: ['workload_key'],
    nullable: ['workload'],
    dimensions: {
      day: 'day',
      tenant: 'tenant',
      recordType: 'record_type',
      operation: 'operation_key',
      workload: 'workload',
    },
    filters: { tenants: 'tenant', operations: 'operation_key', recordTypes: 'record_type', workloads: 'workload_key' },
  },
  {
    name: 'rollup_users',
    columns: ['tenant', 'user_key'],
    derived: [],
    nullable: ['user_key'],
    dimensions: { day: 'day', tenant: 'tenant', user: 'user_key' },
    filters: { tenants: 'tenant', users: 'user_key' },
  },
];

/** The records columns a delta is computed from, in this order (a RETURNING list, or picked from recordValues). */
export const ROLLUP_SOURCE_COLUMNS = [
  'tenant',
  'creation_time',
  'record_type',
  'operation_key',
  'workload',
  'workload_key',
  'user_key',
] as const;
export type RollupSourceColumn = (typeof ROLLUP_SOURCE_COLUMNS)[number];
/** One record's values of ROLLUP_SOURCE_COLUMNS, as stored (numbers may come back from PostgreSQL as text). */
export type RollupSourceRow = readonly unknown[];

/**
 * Per table and per row layout (0: a source row, ROLLUP_SOURCE_COLUMNS; 1: a record's stored values,
 * RECORD_COLUMNS): where its key and derived columns sit, and which key columns are numbers.
 */
const PLANS = ROLLUP_TABLES.map((table) => {
  const inSource = (c: string): number => ROLLUP_SOURCE_COLUMNS.indexOf(c as RollupSourceColumn);
  const inRecord = (c: string): number => RECORD_COLUMNS.indexOf(c as (typeof RECORD_COLUMNS)[number]);
  return {
    key: [table.columns.map(inSource), table.columns.map(inRecord)],
    numeric: table.columns.map((c) => c === 'record_type'),
    derived: [table.derived.map(inSource), table.derived.map(inRecord)],
  };
});
/** Where creation_time sits in each layout. */
const TIME_AT = [ROLLUP_SOURCE_COLUMNS.indexOf('creation_time'), RECORD_COLUMNS.indexOf('creation_time')];

/** One row's change: its key values (day, then the table's columns, then the derived ones) and the count to add. */
export interface RollupChange {
  values: (string | number | null)[];
  n: number;
}

/** A trie level of a delta's table: key value → the next level, or at the last level the row's change. */
type Level = Map<unknown, unknown>;

/**
 * The change a write or delete makes to every rollup table: records counted by key, +1 for each row
 * really inserted, -1 for each row deleted. Rows are handed over in key order, so two PostgreSQL
 * transactions touching the same keys lock them in the same order (no deadlock).
 *
 * Each table's rows are found through a trie over their key values (day, then the table's columns; a Map
 * tells null, '' and numbers apart), so counting a row builds no string: keys built by hand and looked up
 * in one Map cost the import's writing thread a quarter of its time, JSON.stringify keys a third before that.
 */
export class RollupDelta {
  private readonly tries: Level[] = ROLLUP_TABLES.map(() => new Map());
  /** Each table's changes, in the order they were first counted. */
  private readonly rows: RollupChange[][] = ROLLUP_TABLES.map(() => []);
  /** Per UTC day, the lowest and highest seq of the rows inserted (SQLite's seq spans: sqlite/rollups.ts). */
  private readonly spans = new Map<number, [lo: number, hi: number]>();
  /** Days some row was deleted from (a day left with no record loses its seq span). */
  private readonly removedFrom = new Set<number>();
  private negative = false;
  /** What remember() asked to remember: the changes added to since (once per row and table), and `added` then. */
  private journal: { changes: RollupChange[]; added: number } | null = null;
  /** Rows counted in (+1) and out (-1). */
  added = 0;
  removed = 0;

  /** Counts one stored row (its ROLLUP_SOURCE_COLUMNS values); sign -1 for a deleted row. */
  add(row: RollupSourceRow, sign: 1 | -1 = 1): void {
    this.count(row, sign, 0);
  }

  /**
   * Counts one row just inserted from its values in RECORD_COLUMNS order (columns.ts recordValues), read in
   * place; `seq`, where the store numbers its rows (SQLite), widens that day's seq span.
   */
  addStored(values: readonly (string | number | null)[], seq?: number): void {
    const day = this.count(values, 1, 1);
    if (seq === undefined) return;
    const span = this.spans.get(day);
    if (span === undefined) this.spans.set(day, [seq, seq]);
    else if (seq < span[0]) span[0] = seq;
    else if (seq > span[1]) span[1] = seq;
  }

  /** Returns the row's UTC day. */
  private count(row: readonly unknown[], sign: 1 | -1, layout: 0 | 1): number {
    const day = dayOf(Number(row[TIME_AT[layout]!]));
    if (sign < 0) {
      this.negative = true;
      this.removed++;
      this.removedFrom.add(day);
    } else this.added++;
    for (let i = 0; i < PLANS.length; i++) {
      const plan = PLANS[i]!;
      const at = plan.key[layout]!;
      let level = this.tries[i]!;
      for (let k = 0; k <= at.length; k++) {
        const v = k === 0 ? day : (row[at[k - 1]!] ?? null);
        const next = level.get(k > 0 && plan.numeric[k - 1] && v !== null ? Number(v) : v);
        if (next === undefined) {
          this.counted(this.grow(i, level, k, day, row, layout), sign);
          break;
        }
        if (k === at.length) this.counted(next as RollupChange, sign);
        else level = next as Level;
      }
    }
    return day;
  }

  private counted(change: RollupChange, sign: 1 | -1): void {
    change.n += sign;
    if (this.journal) {
      if (sign < 0) throw new Error('a rollup delta remembers only rows counted in (remember())');
      this.journal.changes.push(change);
    }
  }

  /** A new change for this row, under `level` (keyed by the row's k-th key value: 0 the day), which it returns. */
  private grow(
    table: number,
    level: Level,
    k: number,
    day: number,
    row: readonly unknown[],
    layout: 0 | 1,
  ): RollupChange {
    const plan = PLANS[table]!;
    const values: (string | number | null)[] = [day];
    const at = plan.key[layout]!;
    for (let j = 0; j < at.length; j++) {
      const v = (row[at[j]!] ?? null) as string | number | null;
      values.push(plan.numeric[j] && v !== null ? Number(v) : v);
    }
    for (const d of plan.derived[layout]!) values.push((row[d] ?? null) as string | null);
    return this.insertPath(table, level, k, values);
  }

  /** Puts a new change with these values (key values first) under `level`, which is keyed by values[k]. */
  private insertPath(table: number, level: Level, k: number, values: (string | number | null)[]): RollupChange {
    const last = ROLLUP_TABLES[table]!.columns.length;
    for (let j = k; j < last; j++) {
      const child: Level = new Map();
      level.set(values[j], child);
      level = child;
    }
    const change: RollupChange = { values, n: 0 };
    level.set(values[last], change);
    this.rows[table]!.push(change);
    return change;
  }

  /**
   * Starts remembering what is counted, so that undo() can take it back: a bulk load counts its batches
   * into the delta of its transaction, and a batch whose savepoint rolled back takes its counts back
   * (a delta per batch merged on success cost as much again as the counting).
   */
  remember(): void {
    this.journal = { changes: [], added: this.added };
  }

  /** Takes back what was counted since remember() (seq spans stay as wide: they may be wider than needed). */
  undo(): void {
    if (!this.journal) return;
    for (const c of this.journal.changes) c.n--;
    this.added = this.journal.added;
    this.journal = null;
  }

  /** Keeps what was counted since remember(), and stops remembering. */
  forget(): void {
    this.journal = null;
  }

  /** Each day's lowest and highest inserted seq (only rows counted with addStored(values, seq)). */
  seqSpans(): Iterable<[day: number, range: readonly [lo: number, hi: number]]> {
    return this.spans;
  }

  /** The days rows were deleted from. */
  daysRemovedFrom(): Iterable<number> {
    return this.removedFrom;
  }

  get isEmpty(): boolean {
    return this.rows.every((t) => t.length === 0);
  }

  /** True when some row was deleted: counts may have reached zero, and such rows are removed. */
  get removes(): boolean {
    return this.negative;
  }

  /**
   * Per table, its non-zero changes, in key order unless `ordered` is false (the order matters only where
   * concurrent writers lock rows: PostgreSQL; sorting a bulk load's keys was a tenth of SQLite's writing thread).
   */
  changes(ordered = true): { table: RollupTable; rows: RollupChange[] }[] {
    return ROLLUP_TABLES.map((table, i) => {
      const rows = this.rows[i]!.filter((c) => c.n !== 0);
      if (!ordered) return { table, rows };
      const keyed = rows.map((c): [string, RollupChange] => {
        let key = String(c.values[0]);
        for (let j = 1; j <= table.columns.length; j++) key += keyPart(c.values[j]!);
        return [key, c];
      });
      return { table, rows: keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c) };
    });
  }
}

/** One key value in a sort key: tagged (null apart from ''), NUL-separated; stored text never holds NUL. */
function keyPart(v: string | number | null): string {
  return v === null ? '\u0000n' : `\u0000v${v}`;
}

/** The unique key of a rollup table, as the index and ON CONFLICT write it (NULL keyed apart from ''). */
export function rollupConflictKey(table: RollupTable): string {
  return ['day', ...table.columns]
    .map((c) => (table.nullable.includes(c) ? `(coalesce(${c}, '')), (${c} IS NULL)` : c))
    .join(', ');
}

/** SQL that fills a rollup table from the records stored now (the migration's backfill; both dialects). */
export function rollupBackfillSql(table: RollupTable): string {
  const columns = [...table.columns, ...table.derived];
  const day = daySql('creation_time');
  return `INSERT INTO ${table.name} (day, ${columns.join(', ')}, n)
    SELECT ${day}, ${columns.map((c) => (table.derived.includes(c) ? `min(${c})` : c)).join(', ')}, count(*)
    FROM records GROUP BY ${day}, ${table.columns.join(', ')}`;
}

/** How a store answers firstDays' two questions (both over rollup_counts, days in ascending order). */
export interface FirstDayQueries {
  /** The first day at or after `from` with a rollup row of any of `tenants`; null when none. */
  nextDay(from: number, tenants: readonly string[]): Promise<number | null>;
  /** The tenants among `tenants` that have records on `day` (their rows there sum to more than zero). */
  tenantsOn(day: number, tenants: readonly string[]): Promise<string[]>;
}

/**
 * Each tenant's earliest day with records, walking the rollups' (day, tenant) index from the oldest day and
 * stopping once every tenant asked for is found: reading only the first days instead of grouping the whole table
 * (300 tenants over a year is 6.6 million rollup rows, 6.5 s to group in PostgreSQL). A tenant that starts later
 * is found by a seek past the days that hold none of the tenants still missing.
 */
export async function firstDays(tenants: readonly string[], q: FirstDayQueries): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let missing = [...new Set(tenants)];
  for (let day = await q.nextDay(-Infinity, missing); day !== null && missing.length > 0;) {
    for (const tenant of await q.tenantsOn(day, missing)) out.set(tenant, day);
    missing = missing.filter((t) => !out.has(t));
    day = missing.length > 0 ? await q.nextDay(day + DAY_MS, missing) : null;
  }
  return out;
}
