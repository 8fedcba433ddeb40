import type { Pool, PoolClient } from 'pg';
import type { StoreNotice } from '../backfill.js';

/**
 * Indexes of the state tables made on every start, outside the numbered migrations, so adding one takes no schema
 * version. SQLite: the same (sqlite/schema.ts STATE_INDEXES).
 *
 * Built inside the migration's transaction, an index over a table that holds millions of rows (a trail kept for
 * years) held that table's SHARE lock until the migration committed: every other process's write to it waited for
 * the whole build. So one is made in the migration only while its table is empty (a new store: the build is
 * instant); otherwise after the migration committed, by buildStateIndexes, CONCURRENTLY (ADR 0019 decision 9).
 */
export interface StateIndex {
  name: string;
  table: string;
  /** The index's column list, as CREATE INDEX takes it. */
  columns: string;
  /** What is slower while it is missing (told when a build fails). */
  slowerWithout: string;
}

export const STATE_INDEXES: readonly StateIndex[] = [
  // One caller's entries of one action since a moment (ConsoleAuditFilter actor, action, from), read before a call
  // that may only repeat one is recorded (server/auth/repeats.ts). Without it that listing read every caller's
  // entries since that moment (EXPLAIN: Index Scan using console_audit_at, the caller and action a Filter).
  {
    name: 'console_audit_caller',
    table: 'console_audit',
    columns: '(lower(actor), action, at)',
    slowerWithout: "the console's look for a caller's repeated calls in its audit trail",
  },
];

/**
 * The session advisory lock of one schema's state index builds: the class after text-index.ts's, the key the
 * schema's hash. A session's, not a transaction's: CREATE INDEX CONCURRENTLY runs in no transaction block.
 */
const BUILD_LOCK = '29817, hashtext(current_schema())';

/** How long each of a build's waits for running transactions lasts at most (buildStateIndexes). */
export const DEFAULT_BUILD_WAIT_MS = 30_000;

/** PostgreSQL's lock_not_available: a wait that ran past lock_timeout. */
const LOCK_TIMEOUT = '55P03';

/**
 * In the migration's transaction, under its lock: makes each missing index whose table is empty (nothing to wait
 * for). One whose table holds rows, or one an interrupted build left invalid, is left to buildStateIndexes.
 */
export async function makeStateIndexesOfEmptyTables(client: PoolClient): Promise<void> {
  for (const index of STATE_INDEXES) {
    const { rows } = await client.query<{ empty: boolean }>(
      `SELECT NOT EXISTS (SELECT 1 FROM ${index.table}) AS empty WHERE to_regclass($1) IS NULL`,
      [index.name],
    );
    if (rows[0]?.empty)
      await client.query(`CREATE INDEX IF NOT EXISTS ${index.name} ON ${index.table} ${index.columns}`);
  }
}

/**
 * After the migration committed: builds each state index that is missing, or invalid (a CONCURRENTLY build that
 * was stopped leaves its index invalid, unused by queries but still written, and IF NOT EXISTS would then skip it
 * for ever), with CREATE INDEX CONCURRENTLY, so other processes go on writing the table meanwhile. The build waits
 * for the transactions already running in the database (any of them that holds a snapshot, not only those on its
 * table), and a start waits for the build: each of those waits is bounded by `waitMs` (lock_timeout, which
 * PostgreSQL applies to them), so a transaction left open elsewhere (a session idle in transaction) delays a start
 * by that much, not for ever. The build then stops, its index left invalid for the next start to build again.
 *
 * One process builds at a time: the others, finding the lock held, start without the index (the one holding it is
 * building it) instead of waiting, or of dropping as invalid the index being built. The lock is held on a
 * connection of its own, closed at the end, which releases it (as a process that dies does).
 *
 * A build that fails does not stop the start: the queries the index serves are right without it, only slower.
 * What failed and what to do is told through `notice`; the next start tries again.
 */
export async function buildStateIndexes(
  pool: Pool,
  notice?: StoreNotice,
  waitMs = DEFAULT_BUILD_WAIT_MS,
): Promise<void> {
  const unbuilt = async (client: Pool | PoolClient): Promise<StateIndex[]> => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT name FROM unnest($1::text[]) AS name
        WHERE NOT EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass(name) AND indisvalid)`,
      [STATE_INDEXES.map((i) => i.name)],
    );
    return STATE_INDEXES.filter((i) => rows.some((r) => r.name === i.name));
  };
  let builder: PoolClient | undefined;
  try {
    if ((await unbuilt(pool)).length === 0) return;
    builder = await pool.connect();
    const { rows } = await builder.query<{ held: boolean }>(`SELECT pg_try_advisory_lock(${BUILD_LOCK}) AS held`);
    if (!rows[0]?.held) {
      notice?.(`Another process is building the index ${names(STATE_INDEXES)}: this one starts without waiting for it`);
      return;
    }
    // The connection is closed at the end: the setting ends with it.
    await builder.query(`SET lock_timeout = ${Math.max(1, Math.round(waitMs))}`);
    // Asked again under the lock: another process may have built one meanwhile.
    for (const index of await unbuilt(builder)) await buildOne(builder, index, waitMs, notice);
  } catch (error) {
    notice?.(buildFailed(STATE_INDEXES, error));
  } finally {
    builder?.release(true); // closing the connection releases the lock
  }
}

async function buildOne(client: PoolClient, index: StateIndex, waitMs: number, notice?: StoreNotice): Promise<void> {
  const started = performance.now();
  notice?.(
    `Building the index ${index.name} of ${index.table}: other processes go on writing it meanwhile, this start waits for the build (at most ${seconds(waitMs)} for each transaction already running in the database)`,
  );
  try {
    // Invalid: left by a build that was stopped (a process that died, a cancelled statement) or failed. Not one
    // being built: its builder would hold the lock.
    if (await invalid(client, index)) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index.name}`);
    await client.query(createConcurrently(index));
  } catch (error) {
    const waited = (error as { code?: unknown }).code === LOCK_TIMEOUT;
    notice?.(waited ? waitedTooLong(index, waitMs, await oldestTransaction(client)) : buildFailed([index], error));
    return;
  }
  notice?.(`Index ${index.name} built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function invalid(client: PoolClient, index: StateIndex): Promise<boolean> {
  const { rows } = await client.query('SELECT 1 FROM pg_index WHERE indexrelid = to_regclass($1) AND NOT indisvalid', [
    index.name,
  ]);
  return rows.length > 0;
}

function createConcurrently(index: StateIndex): string {
  return `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${index.name} ON ${index.table} ${index.columns}`;
}

/**
 * The database's oldest transaction but the builder's (what a build waits for longest), as a person can find it:
 * its process id, application and how long it has been open; null when it cannot be read.
 */
async function oldestTransaction(client: PoolClient): Promise<string | null> {
  try {
    const { rows } = await client.query<{ pid: number; app: string; seconds: number; state: string | null }>(
      `SELECT pid, application_name AS app, extract(epoch FROM now() - xact_start)::float8 AS seconds, state
         FROM pg_stat_activity
        WHERE datname = current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid()
        ORDER BY xact_start LIMIT 1`,
    );
    const oldest = rows[0];
    if (!oldest) return null;
    const app = oldest.app ? `, ${JSON.stringify(oldest.app)}` : '';
    const state = oldest.state ? `, ${oldest.state}` : '';
    return `process ${oldest.pid}${app}${state}, open for ${seconds(oldest.seconds * 1000)}`;
  } catch {
    return null;
  }
}

/** A build that gave up waiting for running transactions: what runs on, what it waited for, what to do. */
function waitedTooLong(index: StateIndex, waitMs: number, oldest: string | null): string {
  const which = oldest ? ` (the oldest: ${oldest})` : '';
  return (
    `The index ${index.name} was not built: its build waits for the transactions already running in the database ` +
    `to end, and one still ran after ${seconds(waitMs)}${which}. tenantwatch runs without it, ${index.slowerWithout} ` +
    `being slower; the next start tries again. A transaction left open (a session idle in transaction) keeps every ` +
    `such build waiting: end it, or build the index yourself once it has ended: ` +
    `DROP INDEX CONCURRENTLY IF EXISTS ${index.name}; ${createConcurrently(index)};`
  );
}

function seconds(ms: number): string {
  const s = ms / 1000;
  if (s >= 120) return `${Math.round(s / 60)} min`;
  return `${s >= 10 ? Math.round(s) : Number(s.toFixed(1))} s`;
}

function names(indexes: readonly StateIndex[]): string {
  return indexes.map((i) => i.name).join(', ');
}

/**
 * What a failed build leaves (slower queries; perhaps an invalid index, dropped by the next build) and what to do.
 * The driver's message names no credential (the URL is never in it).
 */
function buildFailed(indexes: readonly StateIndex[], error: unknown): string {
  const manual = indexes.map((i) => `DROP INDEX CONCURRENTLY IF EXISTS ${i.name}; ${createConcurrently(i)};`);
  return (
    `The index ${names(indexes)} could not be built (${(error as Error).message}): tenantwatch runs without it, ` +
    `${indexes.map((i) => i.slowerWithout).join('; ')} being slower. The next start builds it again; or build it ` +
    `yourself, in the store's schema, when the database is quiet: ${manual.join(' ')}`
  );
}
