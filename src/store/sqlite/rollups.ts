/**
 * The rollups in SQLite (store/rollups.ts, docs/adr/0031-rollups.md): the one function every path that
 * writes or deletes records calls, inside its own write transaction, with the delta of what it really
 * inserted or deleted.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { TimeRange } from '../../core/time.js';
import { DAY_MS, daySql, rollupConflictKey, ROLLUP_TABLES, type RollupDelta, type RollupTable } from '../rollups.js';

/** Tables and indexes of the rollups (part of the schema migration that added them). */
export const ROLLUP_SCHEMA = `
  CREATE TABLE rollup_counts (
    day INTEGER NOT NULL, tenant TEXT NOT NULL, record_type INTEGER NOT NULL, operation_key TEXT NOT NULL,
    workload TEXT, workload_key TEXT, n INTEGER NOT NULL);
  CREATE UNIQUE INDEX rollup_counts_key ON rollup_counts (${rollupConflictKey(ROLLUP_TABLES[0]!)});
  CREATE TABLE rollup_users (day INTEGER NOT NULL, tenant TEXT NOT NULL, user_key TEXT, n INTEGER NOT NULL);
  CREATE UNIQUE INDEX rollup_users_key ON rollup_users (${rollupConflictKey(ROLLUP_TABLES[1]!)});`;

/**
 * Each UTC day's seq span: every stored record of that day has lo <= seq <= hi (a superset: deletions
 * leave it as it was until the day holds no record). Records arrive roughly in time order, so a period's
 * records lie in a narrow band of seqs, and a search whose candidates come by seq (the substring index,
 * compile.ts) skips the candidates outside it without reading them. Filled from the records stored
 * before by the migration that added it.
 */
export const SEQ_SPAN_SCHEMA = `
  CREATE TABLE rollup_seq_days (day INTEGER PRIMARY KEY, lo INTEGER NOT NULL, hi INTEGER NOT NULL);
  INSERT INTO rollup_seq_days (day, lo, hi)
    SELECT ${daySql('creation_time')} AS d, min(seq), max(seq) FROM records GROUP BY d;`;

/**
 * `column` (a seq) within the seq span of the days `range` overlaps. No day in the table means no record in
 * the period: the NULL bounds then keep every row out.
 */
export function seqSpanCondition(column: string, range: TimeRange, bind: (value: number) => string): string {
  const days = `FROM rollup_seq_days WHERE day > ${bind(range.start - DAY_MS)} AND day < ${bind(range.end)}`;
  return `${column} >= (SELECT min(lo) ${days}) AND ${column} <= (SELECT max(hi) ${days})`;
}

interface Prepared {
  upsert: Statement[];
  clear: Statement[];
  widenSpan: Statement;
  forgetSpan: Statement;
}
const prepared = new WeakMap<Database, Prepared>();

function statements(db: Database): Prepared {
  let p = prepared.get(db);
  if (!p) {
    p = {
      upsert: ROLLUP_TABLES.map((t) => db.prepare(upsertSql(t))),
      clear: ROLLUP_TABLES.map((t) => db.prepare(clearSql(t))),
      widenSpan: db.prepare(
        `INSERT INTO rollup_seq_days (day, lo, hi) VALUES (?, ?, ?)
         ON CONFLICT (day) DO UPDATE SET lo = min(lo, excluded.lo), hi = max(hi, excluded.hi)`,
      ),
      forgetSpan: db.prepare(
        `DELETE FROM rollup_seq_days WHERE day = @day AND NOT EXISTS (SELECT 1 FROM ${ROLLUP_TABLES[0]!.name} WHERE day = @day)`,
      ),
    };
    prepared.set(db, p);
  }
  return p;
}

function upsertSql(table: RollupTable): string {
  const columns = ['day', ...table.columns, ...table.derived, 'n'];
  return `INSERT INTO ${table.name} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
    ON CONFLICT (${rollupConflictKey(table)}) DO UPDATE SET n = n + excluded.n`;
}

/** Rows of one (day, tenant) whose count fell to zero: gone, so a rollup never holds an empty group. */
function clearSql(table: RollupTable): string {
  return `DELETE FROM ${table.name} WHERE day = ? AND tenant = ? AND n = 0`;
}

/**
 * Applies a delta to every rollup table. Call it inside the transaction that inserted or deleted the
 * records the delta counts (insertAll, the retention sweep, a tenant's removal): the counts then move
 * with the records or not at all.
 */
export function applyRollups(db: Database, delta: RollupDelta): void {
  if (delta.isEmpty) return;
  const { upsert, clear, widenSpan, forgetSpan } = statements(db);
  // One writer at a time in SQLite: no lock order to keep, so the keys are not sorted.
  delta.changes(false).forEach(({ rows }, i) => {
    const cleared = new Map<string, readonly unknown[]>();
    for (const { values, n } of rows) {
      upsert[i]!.run(...values, n);
      if (n < 0) cleared.set(`${values[0]}\u0000${values[1]}`, values.slice(0, 2));
    }
    for (const dayTenant of cleared.values()) clear[i]!.run(...dayTenant);
  });
  for (const [day, [lo, hi]] of delta.seqSpans()) widenSpan.run(day, lo, hi);
  for (const day of delta.daysRemovedFrom()) forgetSpan.run({ day });
}
