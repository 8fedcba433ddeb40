/**
 * The rollups in PostgreSQL (store/rollups.ts, docs/adr/0031-rollups.md): the one function every path that
 * writes or deletes records calls, inside its own transaction, with the delta of what it really inserted
 * (RETURNING of ON CONFLICT DO NOTHING) or deleted.
 *
 * Several writers share a PostgreSQL store (collectors, an import, the sweep), so a delta is INSERTed as
 * new rows, never an upsert of one row per key: an upsert would hold that row's lock until commit, and two
 * transactions writing the same tenant, day and operation would wait for each other (the tail's
 * concurrent-writer test hung exactly so). A key may therefore have several rows, positive and negative;
 * readers sum them (rollup-sql.ts), and compactRollups folds them into one row per key now and then.
 */
import type { Pool, PoolClient } from 'pg';
import { ROLLUP_TABLES, type RollupDelta, type RollupTable } from '../rollups.js';
import { inTransaction } from './transaction.js';

/** Tables of the rollups (part of the schema migration that added them). Keys sort as bytes (COLLATE "C"), as the records' do. */
export const ROLLUP_SCHEMA = `
  CREATE TABLE rollup_counts (
    day bigint NOT NULL, tenant text COLLATE "C" NOT NULL, record_type integer NOT NULL,
    operation_key text COLLATE "C" NOT NULL, workload text COLLATE "C", workload_key text COLLATE "C", n bigint NOT NULL);
  CREATE INDEX rollup_counts_day ON rollup_counts (day, tenant);
  CREATE TABLE rollup_users (day bigint NOT NULL, tenant text COLLATE "C" NOT NULL, user_key text COLLATE "C", n bigint NOT NULL);
  CREATE INDEX rollup_users_day ON rollup_users (day, tenant);`;

const TYPES: Record<string, string> = { day: 'bigint', record_type: 'integer', n: 'bigint' };

/** Applies a delta to every rollup table: its rows appended, one statement per table, no row locked. */
export async function applyRollups(client: PoolClient, delta: RollupDelta): Promise<void> {
  if (delta.isEmpty) return;
  for (const { table, rows } of delta.changes()) {
    if (rows.length === 0) continue;
    const columns = ['day', ...table.columns, ...table.derived, 'n'];
    const arrays = columns.map((_, i) => rows.map((r) => (i < r.values.length ? r.values[i] : r.n)));
    const unnest = columns.map((c, i) => `$${i + 1}::${TYPES[c] ?? 'text'}[]`).join(', ');
    await client.query(`INSERT INTO ${table.name} (${columns.join(', ')}) SELECT * FROM unnest(${unnest})`, arrays);
  }
}

/** Days folded per transaction: a short transaction, whatever the table's size. */
const COMPACT_DAYS = 31;
const DAY = 86_400_000;

/** Table bytes per live row above which shrinkRollups rewrites a rollup table (a folded row takes ~100). */
const SHRINK_BYTES_PER_ROW = 1_000;
/** Tables this small are never rewritten: a few pages read in a blink however empty. */
const SHRINK_FROM_BYTES = 1 << 20;
/** How long shrinkRollups waits for the lock of a table others are reading or writing before it leaves it as it is. */
const SHRINK_LOCK_TIMEOUT = '3s';

/**
 * Rewrites a rollup table a large load left mostly empty. Every batch appends its delta rows and compactRollups
 * folds them afterwards, so a million-record import leaves 7,920 live rows in 12 MB (1,535 pages) and ten million
 * in 106 MB; VACUUM only makes the room reusable, and a month's count by operation then read every page (6.4 ms at
 * a million, a sequential scan). VACUUM FULL copies the live rows into a new file; it locks the table while it
 * does (milliseconds for these rows), and waits at most SHRINK_LOCK_TIMEOUT for writers or readers holding it,
 * else leaves the table for the next load or optimize.
 */
export async function shrinkRollups(pool: Pool): Promise<void> {
  for (const table of ROLLUP_TABLES) {
    const { rows } = await pool.query<{ bytes: string; live: string }>(
      `SELECT pg_relation_size('${table.name}') AS bytes, (SELECT count(*) FROM ${table.name}) AS live`,
    );
    const bytes = Number(rows[0]!.bytes);
    if (bytes < SHRINK_FROM_BYTES || bytes < (Number(rows[0]!.live) + 1) * SHRINK_BYTES_PER_ROW) continue;
    const client = await pool.connect();
    try {
      await client.query(`SET lock_timeout = '${SHRINK_LOCK_TIMEOUT}'`);
      await client.query(`VACUUM (FULL, ANALYZE) ${table.name}`).catch((e: unknown) => {
        if ((e as { code?: string }).code !== '55P03') throw e; // lock_not_available: busy, left as it is
      });
    } finally {
      client.release(true); // it carries the timeout: closed, not pooled
    }
  }
}

/**
 * Folds every key's rows into one (and drops keys that sum to zero), a month of days per transaction.
 * Safe beside writers: a row appended meanwhile is not in the DELETE's snapshot and stays, and of two
 * compactions the second finds the first's rows gone (READ COMMITTED skips them), so nothing is counted
 * twice. Run after a bulk load, by optimize() and after a retention sweep.
 */
export async function compactRollups(
  pool: Pool,
  tenant?: string,
  days: { from: number; to: number } = { from: Number.MIN_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER },
): Promise<void> {
  const only = tenant === undefined ? '' : ' AND tenant = $3';
  const params = (day: number): unknown[] => [
    day,
    Math.min(day + COMPACT_DAYS * DAY, days.to),
    ...(tenant === undefined ? [] : [tenant]),
  ];
  for (const table of ROLLUP_TABLES) {
    const keys = ['day', ...table.columns];
    const { rows } = await pool.query<{ lo: string | null; hi: string | null }>(
      `SELECT min(day) AS lo, max(day) AS hi FROM ${table.name} WHERE day >= $1 AND day < $2${tenant === undefined ? '' : ' AND tenant = $3'}`,
      [days.from, days.to, ...(tenant === undefined ? [] : [tenant])],
    );
    if (rows[0]?.lo == null) continue;
    for (let day = Number(rows[0].lo); day <= Number(rows[0].hi); day += COMPACT_DAYS * DAY) {
      // Only where some key has several rows: a read, cheaper than rewriting a month that is already folded.
      const { rows: extra } = await pool.query<{ n: string }>(
        `SELECT count(*) - count(DISTINCT (${keys.join(', ')})) AS n FROM ${table.name} WHERE day >= $1 AND day < $2${only}`,
        params(day),
      );
      if (Number(extra[0]?.n ?? 0) > 0)
        await inTransaction(pool, (client) => client.query(compactSql(table, only), params(day)));
    }
  }
}

/**
 * Brings every key of the days in [from, to) to zero by appending its negated sum, inside the caller's
 * transaction: the rollups of a month whose records go at once (retention-months.ts). Appending, not
 * deleting, keeps it exact beside a compaction of the same days (which moves rows but keeps their sums): a
 * DELETE could miss the rows such a compaction inserts but has not committed yet.
 */
export async function cancelRollupDays(client: PoolClient, from: number, to: number): Promise<void> {
  for (const table of ROLLUP_TABLES) {
    const keys = ['day', ...table.columns];
    const columns = [...keys, ...table.derived];
    const values = columns.map((c) => (table.derived.includes(c) ? `min(${c})` : c));
    await client.query(
      `INSERT INTO ${table.name} (${columns.join(', ')}, n)
       SELECT ${values.join(', ')}, -sum(n) FROM ${table.name} WHERE day >= $1 AND day < $2
       GROUP BY ${keys.join(', ')} HAVING sum(n) <> 0`,
      [from, to],
    );
  }
}

function compactSql(table: RollupTable, only: string): string {
  const keys = ['day', ...table.columns];
  const columns = [...keys, ...table.derived];
  const values = columns.map((c) => (table.derived.includes(c) ? `min(${c})` : c));
  return `WITH gone AS (DELETE FROM ${table.name} WHERE day >= $1 AND day < $2${only} RETURNING *)
    INSERT INTO ${table.name} (${columns.join(', ')}, n)
    SELECT ${values.join(', ')}, sum(n) FROM gone GROUP BY ${keys.join(', ')} HAVING sum(n) <> 0`;
}
