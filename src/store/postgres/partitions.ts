/**
 * The monthly partitions of PostgreSQL's records (docs/adr/0035-postgres-partitions.md): one partition per UTC
 * calendar month of CreationTime, named records_yYYYYmMM, created when a batch needs it and dropped whole by
 * retention (retention-months.ts).
 *
 * A partition is created as a plain table and then ATTACHed: ATTACH PARTITION takes a SHARE UPDATE EXCLUSIVE
 * lock on `records`, which readers and writers never wait for, while CREATE TABLE … PARTITION OF takes ACCESS
 * EXCLUSIVE and would stop every search and insert until the creating transaction commits (and a writer
 * creates the month inside its own transaction). The same SHARE UPDATE EXCLUSIVE lock, taken first, makes two
 * processes creating the same month take turns: the second finds the first's table once it commits. There is
 * no DEFAULT partition: attaching a month beside one locks the DEFAULT partition ACCESS EXCLUSIVE and scans it,
 * so every search would wait; any month, year 0001 or 9999 included, simply gets its own partition.
 *
 * The substring index's posted words (record_words, text-index.ts) are partitioned by the same months
 * (record_words_yYYYYmMM, schema version 12): a month's partition of each is created and dropped with the
 * other, in the same transaction, so a search's period reads only its months' words and their indexes.
 */
import type { Pool, PoolClient } from 'pg';
import { AppError } from '../../core/errors.js';
import { inTransaction } from './transaction.js';

export interface Month {
  /** The partition's table name: records_y2026m11. */
  name: string;
  /** [lo, hi): epoch ms of the month's first instant and of the next month's. */
  lo: number;
  hi: number;
}

/** Outside Date's range (±8.64e15 ms) a month has no bounds of its own; these stand in (creation_time is bigint). */
const DATE_MIN = -8_640_000_000_000_000;
const DATE_MAX = 8_640_000_000_000_001;

function utcMonthStart(year: number, month: number): number {
  // Date.UTC reads years 0-99 as 1900-1999: set the full year explicitly (as core/time.ts does).
  const d = new Date(0);
  d.setUTCFullYear(year, month, 1);
  return d.getTime();
}

/** The UTC calendar month an instant falls in. */
export function monthOf(t: number): Month {
  const d = new Date(t);
  const year = d.getUTCFullYear();
  if (!Number.isInteger(t) || Number.isNaN(year)) {
    throw new AppError('BAD_INPUT', `A record's CreationTime ${t} is not an instant PostgreSQL can store`, {
      hint: 'CreationTime must be whole epoch milliseconds within ±8.64e15 (what a JavaScript Date holds)',
    });
  }
  const month = d.getUTCMonth();
  const lo = utcMonthStart(year, month);
  const hi = utcMonthStart(year, month + 1);
  const y = year < 0 ? `n${String(-year).padStart(4, '0')}` : String(year).padStart(4, '0');
  return {
    name: `records_y${y}m${String(month + 1).padStart(2, '0')}`,
    lo: Number.isNaN(lo) ? DATE_MIN : lo,
    hi: Number.isNaN(hi) ? DATE_MAX : hi,
  };
}

/** The distinct months of some instants; consecutive instants of one month cost a comparison. */
export function monthsOf(times: Iterable<number>): Month[] {
  const out = new Map<string, Month>();
  let last: Month | undefined;
  for (const t of times) {
    if (last && t >= last.lo && t < last.hi) continue;
    last = monthOf(t);
    out.set(last.name, last);
  }
  return [...out.values()];
}

/**
 * Which of the named partitions do not exist, asked by a writer as its first statement. Naming `records`
 * takes a lock on it while the statement is parsed, held to the end of the transaction: a partition cannot be
 * dropped (DROP needs ACCESS EXCLUSIVE on `records`) between this answer and the insert, and one dropped
 * before it is already gone from the catalog this statement reads. `extra` is evaluated in the same statement
 * (the tail's writer lock, tail.ts).
 */
export function missingMonthsSql(extra: string): string {
  return `SELECT ${extra} AS locked,
            ARRAY(SELECT m FROM unnest($1::text[]) AS m WHERE to_regclass(m) IS NULL) AS missing,
            (SELECT count(*) FROM ONLY records) AS held`;
}

/**
 * Creates the months that do not exist yet, inside the caller's transaction (see the header for the lock).
 * Returns the months it created.
 */
export async function createMonths(client: PoolClient, months: readonly Month[]): Promise<Month[]> {
  if (months.length === 0) return [];
  await client.query('LOCK TABLE records IN SHARE UPDATE EXCLUSIVE MODE');
  const { rows } = await client.query<{ m: string }>(
    'SELECT m FROM unnest($1::text[]) AS m WHERE to_regclass(m) IS NULL',
    [months.map((m) => m.name)],
  );
  const missing = new Set(rows.map((r) => r.m));
  const created = months.filter((m) => missing.has(m.name));
  if (created.length === 0) return [];
  // Before schema version 12 (an upgrade running version 10's step) the words are not partitioned, or absent.
  const { rows: kind } = await client.query<{ partitioned: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass('record_words') AND relkind = 'p') AS partitioned",
  );
  for (const month of created) {
    await client.query(
      `CREATE TABLE ${month.name} (LIKE records INCLUDING DEFAULTS);
       ALTER TABLE records ATTACH PARTITION ${month.name} FOR VALUES FROM (${month.lo}) TO (${month.hi});
       ${nameIndexesSql(month.name)}`,
    );
    if (kind[0]?.partitioned) await client.query(createWordsMonthSql(month));
  }
  return created;
}

/** The name of a month's partition of record_words: record_words_y2026m11 beside records_y2026m11. */
export function wordsPartition(month: Pick<Month, 'name'>): string {
  return `record_words_${month.name.slice('records_'.length)}`;
}

/**
 * Creates and attaches a month's partition of record_words. ATTACH gives it every index of record_words (the
 * word indexes too, once a build made them), empty and so at once; they are then named as records' are.
 */
export function createWordsMonthSql(month: Month): string {
  const name = wordsPartition(month);
  return `CREATE TABLE ${name} (LIKE record_words INCLUDING DEFAULTS);
    ALTER TABLE record_words ATTACH PARTITION ${name} FOR VALUES FROM (${month.lo}) TO (${month.hi});
    ${nameIndexesSql(name)}`;
}

/**
 * Makes sure the months of these instants have partitions, in a transaction of its own (the store creates the
 * current and the next month when it opens, so the collector's inserts find them).
 */
export async function ensureMonths(pool: Pool, times: readonly number[]): Promise<void> {
  const months = monthsOf(times);
  const { rows } = await pool.query<{ m: string }>(
    'SELECT m FROM unnest($1::text[]) AS m WHERE to_regclass(m) IS NULL',
    [months.map((m) => m.name)],
  );
  const missing = new Set(rows.map((r) => r.m));
  if (missing.size)
    await inTransaction(pool, (client) =>
      createMonths(
        client,
        months.filter((m) => missing.has(m.name)),
      ),
    );
}

/**
 * Renames a partition's indexes after the partitioned index each belongs to (records_time_y2026m11,
 * record_words_raw_y2026m11): ATTACH names them after their columns, and a plan that names its index then says
 * which one it uses.
 */
export function nameIndexesSql(partition: string): string {
  const suffix = monthSuffix(partition);
  return `DO $$DECLARE r record; BEGIN
    FOR r IN SELECT c.relname AS child, p.relname AS parent
               FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               JOIN pg_inherits h ON h.inhrelid = i.indexrelid JOIN pg_class p ON p.oid = h.inhparent
              WHERE i.indrelid = '${partition}'::regclass LOOP
      IF r.child <> r.parent || '_${suffix}' THEN
        EXECUTE format('ALTER INDEX %I RENAME TO %I', r.child, r.parent || '_${suffix}');
      END IF;
    END LOOP; END $$;`;
}

/** The month part of a partition's name: y2026m11 of records_y2026m11 and of record_words_y2026m11. */
export function monthSuffix(partition: string): string {
  const suffix = /_(yn?\d{4,}m\d{2})$/.exec(partition)?.[1];
  if (suffix === undefined) throw new Error(`${partition} is not the name of a month's partition`);
  return suffix;
}

/** A partition of `records` and its bounds, as the catalog holds them. */
export interface Partition extends Month {
  /** Its estimated row count (pg_class.reltuples; -1 when never analyzed). */
  estimate: number;
}

/** Every partition of `records`, oldest month first. */
export async function listPartitions(client: Pick<PoolClient, 'query'>): Promise<Partition[]> {
  const { rows } = await client.query<{ name: string; bound: string; estimate: number }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound, c.reltuples AS estimate
       FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
      WHERE h.inhparent = 'records'::regclass AND c.relkind = 'r'`,
  );
  const out: Partition[] = [];
  for (const row of rows) {
    const m = /FROM \('(-?\d+)'\) TO \('(-?\d+)'\)/.exec(row.bound);
    if (m) out.push({ name: row.name, lo: Number(m[1]), hi: Number(m[2]), estimate: Number(row.estimate) });
  }
  return out.sort((a, b) => a.lo - b.lo);
}
