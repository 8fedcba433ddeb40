/**
 * Retention in PostgreSQL (contract: RetentionStore, docs/adr/0032-retention.md). A month wholly older than the
 * limit of every tenant with records in it is dropped whole (retention-months.ts, ADR 0035); batched DELETEs
 * (removeBatch) take the rest: the edge month and months shared with a tenant whose limit is later.
 */
import type { Pool, PoolClient } from 'pg';
import type {
  RemovalSpan,
  RetentionPolicy,
  RetentionRemoval,
  RetentionStore,
  SweepKey,
  WholeMonthOptions,
  WholeMonthRemoval,
} from '../contract.js';
import { DROP_LOCK_TIMEOUT_MS, removeWholeMonths } from './retention-months.js';
import { DEFAULT_POLICY_KEY, REMOVAL_COLUMNS, removalRow } from '../retention-rows.js';
import { RollupDelta, ROLLUP_SOURCE_COLUMNS } from '../rollups.js';
import { applyRollups, compactRollups } from './rollups.js';
import { inTransaction } from './transaction.js';

export const RETENTION_SCHEMA = `
  CREATE TABLE retention_policies (tenant text COLLATE "C" PRIMARY KEY, keep_ms bigint NOT NULL, updated_at bigint NOT NULL);
  CREATE TABLE retention_removals (
    tenant text COLLATE "C" NOT NULL, started_at bigint NOT NULL, before bigint NOT NULL, records bigint NOT NULL,
    oldest bigint, newest bigint, complete boolean NOT NULL, updated_at bigint NOT NULL,
    PRIMARY KEY (tenant, started_at));`;

/**
 * Deletes at most `limit` of a tenant's records with CreationTime in [from, before), oldest first, with their
 * keys (record_keys, so the same record may be stored again later) and their posted words (record_words), and moves the rollups by what was really
 * deleted, inside the caller's transaction (the sweep's batch, a tenant's removal). Read and deleted through
 * (tenant, creation_time), which also picks the partitions.
 */
export async function deleteRecords(
  client: PoolClient,
  tenant: string,
  from: number,
  before: number,
  limit: number,
): Promise<RemovalSpan> {
  const { rows } = await client.query<unknown[]>({
    text: `WITH d AS (SELECT creation_time, seq FROM records WHERE tenant = $1 AND creation_time >= $2 AND creation_time < $3
                      ORDER BY creation_time LIMIT $4),
           gone AS (DELETE FROM records r USING d WHERE r.tenant = $1 AND r.creation_time = d.creation_time AND r.seq = d.seq
                    RETURNING r.id, r.seq, ${ROLLUP_SOURCE_COLUMNS.map((c) => `r.${c}`).join(', ')}),
           keys AS (DELETE FROM record_keys k USING gone WHERE k.tenant = $1 AND k.id = gone.id),
           words AS (DELETE FROM record_words w USING gone
                      WHERE w.creation_time >= $2 AND w.creation_time < $3
                        AND w.creation_time = gone.creation_time AND w.seq = gone.seq)
           SELECT ${ROLLUP_SOURCE_COLUMNS.join(', ')} FROM gone`,
    values: [tenant, from, before, limit],
    rowMode: 'array',
  });
  const delta = new RollupDelta();
  let oldest: number | null = null;
  let newest: number | null = null;
  for (const row of rows) {
    delta.add(row, -1);
    const t = Number(row[1]);
    if (oldest === null || t < oldest) oldest = t;
    if (newest === null || t > newest) newest = t;
  }
  await applyRollups(client, delta);
  return { records: rows.length, oldest, newest };
}

const ACCOUNT = `INSERT INTO retention_removals (tenant, started_at, before, records, oldest, newest, complete, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (tenant, started_at) DO UPDATE SET
    records = retention_removals.records + excluded.records,
    oldest = least(retention_removals.oldest, excluded.oldest),
    newest = greatest(retention_removals.newest, excluded.newest),
    complete = retention_removals.complete OR excluded.complete, updated_at = excluded.updated_at`;

export class PostgresRetentionStore implements RetentionStore {
  constructor(
    private readonly pool: Pool,
    private readonly dropLockTimeoutMs = DROP_LOCK_TIMEOUT_MS,
  ) {}

  async setPolicy(policy: RetentionPolicy): Promise<void> {
    await this.pool.query(
      `INSERT INTO retention_policies (tenant, keep_ms, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (tenant) DO UPDATE SET keep_ms = excluded.keep_ms, updated_at = excluded.updated_at`,
      [policy.tenant ?? DEFAULT_POLICY_KEY, policy.keepMs, policy.updatedAt],
    );
  }

  async clearPolicy(tenant: string | null): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM retention_policies WHERE tenant = $1', [
      tenant ?? DEFAULT_POLICY_KEY,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async policies(): Promise<RetentionPolicy[]> {
    const { rows } = await this.pool.query<unknown[]>({
      text: 'SELECT tenant, keep_ms, updated_at FROM retention_policies ORDER BY tenant <> $1, tenant',
      values: [DEFAULT_POLICY_KEY],
      rowMode: 'array',
    });
    return rows.map(([tenant, keepMs, updatedAt]) => ({
      tenant: tenant === DEFAULT_POLICY_KEY ? null : (tenant as string),
      keepMs: Number(keepMs),
      updatedAt: Number(updatedAt),
    }));
  }

  async preview(tenant: string, before: number): Promise<RemovalSpan> {
    const { rows } = await this.pool.query<unknown[]>({
      text: 'SELECT count(*), min(creation_time), max(creation_time) FROM records WHERE tenant = $1 AND creation_time < $2',
      values: [tenant, before],
      rowMode: 'array',
    });
    const [n, oldest, newest] = rows[0]!;
    return {
      records: Number(n),
      oldest: oldest === null ? null : Number(oldest),
      newest: newest === null ? null : Number(newest),
    };
  }

  async removeBatch(sweep: SweepKey, from: number, limit: number, at: number): Promise<RemovalSpan> {
    return inTransaction(this.pool, async (client) => {
      const span = await deleteRecords(client, sweep.tenant, from, sweep.before, limit);
      await client.query(ACCOUNT, accountValues(sweep, span, at, false));
      return span;
    });
  }

  async removeWholeMonths(
    sweeps: readonly SweepKey[],
    at: number,
    options: WholeMonthOptions = {},
  ): Promise<WholeMonthRemoval[]> {
    return removeWholeMonths(
      this.pool,
      async (client, sweep, span) => void (await client.query(ACCOUNT, accountValues(sweep, span, at, false))),
      sweeps,
      { ...options, lockTimeoutMs: this.dropLockTimeoutMs },
    );
  }

  /** Also folds the tenant's rollup rows: a sweep appended a negative row per key and day it touched. */
  async completeSweep(sweep: SweepKey, at: number): Promise<void> {
    await this.pool.query(ACCOUNT, accountValues(sweep, { records: 0, oldest: null, newest: null }, at, true));
    await compactRollups(this.pool, sweep.tenant);
  }

  async removals(tenant?: string): Promise<RetentionRemoval[]> {
    const where = tenant === undefined ? '' : ' WHERE tenant = $1';
    const { rows } = await this.pool.query<unknown[]>({
      text: `SELECT ${REMOVAL_COLUMNS} FROM retention_removals${where} ORDER BY started_at, tenant`,
      values: tenant === undefined ? [] : [tenant],
      rowMode: 'array',
    });
    return rows.map(removalRow);
  }
}

function accountValues(sweep: SweepKey, span: RemovalSpan, at: number, complete: boolean): unknown[] {
  return [sweep.tenant, sweep.startedAt, sweep.before, span.records, span.oldest, span.newest, complete, at];
}
