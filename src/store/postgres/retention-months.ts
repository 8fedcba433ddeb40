/**
 * Retention by whole months in PostgreSQL (RetentionStore.removeWholeMonths, docs/adr/0035-postgres-partitions.md):
 * a month's partition whose every record is older than its tenant's limit is dropped instead of deleted row by
 * row — a month of a busy tenant is millions of rows, each a DELETE, five index entries and later a vacuum.
 *
 * One transaction per month, so a kill at any instant leaves the store as it was or without the month:
 * 1. its partition locked EXCLUSIVE (writers of that month wait, readers go on), with a short lock_timeout;
 * 2. its records counted per tenant (count, oldest, newest), and every tenant checked again against its limit;
 * 3. the rollups of its days brought to zero (appended negated sums, rollups.ts cancelRollupDays);
 * 4. its keys deleted from record_keys (so a record removed may be stored again, as after a batched delete);
 * 5. each tenant's count added to the ledger row of its sweep (retention_removals), as removeBatch adds a batch;
 * 6. DROP TABLE of the month's records, which needs ACCESS EXCLUSIVE on `records` for a moment, then of its
 *    posted words (record_words_yYYYYmMM, the substring index's, text-index.ts) if `record_words` is free at once.
 * A month that cannot be locked within the timeout (a long search holds `records`, a writer of that month holds
 * the partition) or that a writer of that month deadlocks with is rolled back and left to the batched deletes;
 * one that another sweep dropped meanwhile is passed over.
 */
import type { Pool, PoolClient } from 'pg';
import type { RemovalSpan, SweepKey, WholeMonthOptions, WholeMonthRemoval } from '../contract.js';
import { listPartitions, wordsPartition, type Partition } from './partitions.js';
import { cancelRollupDays, compactRollups } from './rollups.js';
import { inTransaction } from './transaction.js';

/** How long a month's drop waits for a lock before it gives the month back to the batched deletes (ms). */
export const DROP_LOCK_TIMEOUT_MS = 3_000;

/** lock_not_available (lock_timeout) and deadlock_detected: the month is busy, not broken. */
const BUSY = new Set(['55P03', '40P01']);

type TenantSpan = RemovalSpan & { tenant: string };

/** Thrown inside a month's transaction to undo it: a writer waits for the month (see dropMonth). */
class WriterWaits extends Error {}

export async function removeWholeMonths(
  pool: Pool,
  account: (client: PoolClient, sweep: SweepKey, span: RemovalSpan) => Promise<void>,
  sweeps: readonly SweepKey[],
  options: WholeMonthOptions & { lockTimeoutMs: number },
): Promise<WholeMonthRemoval[]> {
  const limits = new Map(sweeps.map((s) => [s.tenant, s]));
  if (limits.size === 0) return [];
  const befores = sweeps.map((s) => s.before);
  const latest = Math.max(...befores);
  const earliest = Math.min(...befores);
  const out: WholeMonthRemoval[] = [];
  for (const partition of await listPartitions(pool)) {
    if (options.signal?.aborted || partition.hi > latest) break;
    // A month can take a while (its lock, its count, the drop): the lease is kept before each, as before a batch.
    if (options.keepLease && !(await options.keepLease())) break;
    const droppable = (tenants: readonly string[]): boolean =>
      tenants.length === 0
        ? partition.hi <= earliest
        : tenants.every((t) => (limits.get(t)?.before ?? -Infinity) >= partition.hi);
    const tenants = await tenantsIn(pool, partition.name);
    if (tenants === null || !droppable(tenants)) continue;
    const removed = await dropMonth(pool, partition, options.lockTimeoutMs, droppable, async (client, spans) => {
      for (const span of spans) await account(client, limits.get(span.tenant)!, span);
    });
    if (removed === null) continue;
    out.push({ month: partition.lo, tenants: removed });
    await compactRollups(pool, undefined, { from: partition.lo, to: partition.hi });
  }
  return out;
}

/**
 * The tenants with records in a partition: a loose scan of its (tenant, creation_time) index, a seek per tenant.
 * Null when the partition is gone (another sweep dropped it since the list).
 */
async function tenantsIn(pool: Pool, partition: string): Promise<string[] | null> {
  try {
    const { rows } = await pool.query<{ tenant: string }>(
      `WITH RECURSIVE t AS (SELECT min(tenant) AS tenant FROM ${partition}
         UNION ALL SELECT (SELECT min(tenant) FROM ${partition} WHERE tenant > t.tenant) FROM t WHERE t.tenant IS NOT NULL)
       SELECT tenant FROM t WHERE tenant IS NOT NULL`,
    );
    return rows.map((r) => r.tenant);
  } catch (error) {
    if (await dropped(pool, partition, error)) return null;
    throw error;
  }
}

/**
 * Whether an error means that the partition was dropped by someone else: another sweep (a manual `retention
 * sweep` beside the scheduled one, which takes no lease) listed the same month and dropped it first, and this
 * one's statement, waiting for its lock, then found no such table (undefined_table). Its records, rollups, keys
 * and ledger went with that sweep's transaction: nothing is left to do here.
 */
async function dropped(pool: Pool, partition: string, error: unknown): Promise<boolean> {
  if ((error as { code?: unknown }).code !== '42P01') return false;
  const { rows } = await pool.query<{ gone: boolean }>('SELECT to_regclass($1) IS NULL AS gone', [partition]);
  return rows[0]?.gone === true;
}

/** Drops one month (see the header); null when it was busy or no longer droppable under its lock. */
async function dropMonth(
  pool: Pool,
  partition: Partition,
  lockTimeoutMs: number,
  droppable: (tenants: readonly string[]) => boolean,
  account: (client: PoolClient, spans: readonly TenantSpan[]) => Promise<void>,
): Promise<TenantSpan[] | null> {
  try {
    return await inTransaction(
      pool,
      async (client) => {
        await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
        await client.query(`LOCK TABLE ${partition.name} IN EXCLUSIVE MODE`);
        const { rows } = await client.query<{ tenant: string; n: string; oldest: string; newest: string }>(
          `SELECT tenant, count(*) AS n, min(creation_time) AS oldest, max(creation_time) AS newest
           FROM ${partition.name} GROUP BY tenant ORDER BY tenant`,
        );
        const spans = rows.map((r) => ({
          tenant: r.tenant,
          records: Number(r.n),
          oldest: Number(r.oldest),
          newest: Number(r.newest),
        }));
        // A tenant whose record arrived since the first look may have a later limit: leave the month then.
        if (!droppable(spans.map((s) => s.tenant))) return null;
        await cancelRollupDays(client, partition.lo, partition.hi);
        await client.query('DELETE FROM record_keys WHERE creation_time >= $1 AND creation_time < $2', [
          partition.lo,
          partition.hi,
        ]);
        await account(client, spans);
        // A writer of this month that waits for it holds `records` (ADR 0035: a late record, an import of an old
        // export), and DROP needs `records`: a deadlock that PostgreSQL would end by failing the writer, which
        // waited first. Such a month goes back to the batched deletes, as a busy one does.
        const { rows: waiting } = await client.query<{ n: string }>(
          'SELECT count(*) AS n FROM pg_locks WHERE relation = $1::regclass AND NOT granted',
          [partition.name],
        );
        if (Number(waiting[0]!.n) > 0) throw new WriterWaits();
        await client.query(`DROP TABLE ${partition.name}`);
        // Its words last, without waiting: a search that locked the words first (a page the substring index drives)
        // and now waits for `records` would otherwise close a deadlock that PostgreSQL might end by failing the
        // search. Held, the month is left to the batched deletes, as when `records` is busy.
        await client.query(
          `LOCK TABLE record_words IN ACCESS EXCLUSIVE MODE NOWAIT; DROP TABLE IF EXISTS ${wordsPartition(partition)}`,
        );
        return spans;
      },
      { retryDeadlock: false },
    );
  } catch (error) {
    if (error instanceof WriterWaits || BUSY.has(String((error as { code?: unknown }).code))) return null;
    if (await dropped(pool, partition.name, error)) return null;
    throw error;
  }
}
