/** Retention in SQLite (contract: RetentionStore, docs/adr/0032-retention.md). */
import type { Database } from 'better-sqlite3';
import type { RemovalSpan, RetentionPolicy, RetentionRemoval, RetentionStore, SweepKey } from '../contract.js';
import { removalRow, REMOVAL_COLUMNS, type RemovalSelect, DEFAULT_POLICY_KEY } from '../retention-rows.js';
import { RollupDelta, ROLLUP_SOURCE_COLUMNS } from '../rollups.js';
import { applyRollups } from './rollups.js';

/** Tables of retention (part of the schema migration that added the rollups). */
export const RETENTION_SCHEMA = `
  CREATE TABLE retention_policies (tenant TEXT PRIMARY KEY, keep_ms INTEGER NOT NULL, updated_at INTEGER NOT NULL);
  CREATE TABLE retention_removals (
    tenant TEXT NOT NULL, started_at INTEGER NOT NULL, before INTEGER NOT NULL, records INTEGER NOT NULL,
    oldest INTEGER, newest INTEGER, complete INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, started_at));`;

/**
 * Deletes at most `limit` of a tenant's records with CreationTime in [from, before), oldest first, and moves
 * the rollups by what was really deleted. Runs inside the caller's write transaction (the sweep's batch; a
 * tenant's removal), which is what keeps records and rollups equal. The time index is walked from `from`
 * (where the previous batch stopped), so a sweep reads the older records once, not once per batch.
 */
export function deleteRecords(db: Database, tenant: string, from: number, before: number, limit: number): RemovalSpan {
  const rows = db
    .prepare(
      `DELETE FROM records WHERE seq IN (
         SELECT seq FROM records WHERE +tenant = ? AND creation_time >= ? AND creation_time < ?
         ORDER BY creation_time LIMIT ?)
       RETURNING ${ROLLUP_SOURCE_COLUMNS.join(', ')}`,
    )
    .raw(true)
    .all(tenant, from, before, limit) as unknown[][];
  const delta = new RollupDelta();
  let oldest: number | null = null;
  let newest: number | null = null;
  for (const row of rows) {
    delta.add(row, -1);
    const t = row[1] as number;
    if (oldest === null || t < oldest) oldest = t;
    if (newest === null || t > newest) newest = t;
  }
  applyRollups(db, delta);
  return { records: rows.length, oldest, newest };
}

export class SqliteRetentionStore implements RetentionStore {
  constructor(private readonly db: Database) {}

  async setPolicy(policy: RetentionPolicy): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO retention_policies (tenant, keep_ms, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (tenant) DO UPDATE SET keep_ms = excluded.keep_ms, updated_at = excluded.updated_at`,
      )
      .run(policy.tenant ?? DEFAULT_POLICY_KEY, policy.keepMs, policy.updatedAt);
  }

  async clearPolicy(tenant: string | null): Promise<boolean> {
    return (
      this.db.prepare('DELETE FROM retention_policies WHERE tenant = ?').run(tenant ?? DEFAULT_POLICY_KEY).changes > 0
    );
  }

  async policies(): Promise<RetentionPolicy[]> {
    const rows = this.db
      .prepare('SELECT tenant, keep_ms, updated_at FROM retention_policies ORDER BY tenant <> ?, tenant')
      .raw(true)
      .all(DEFAULT_POLICY_KEY) as [string, number, number][];
    return rows.map(([tenant, keepMs, updatedAt]) => ({
      tenant: tenant === DEFAULT_POLICY_KEY ? null : tenant,
      keepMs,
      updatedAt,
    }));
  }

  async preview(tenant: string, before: number): Promise<RemovalSpan> {
    const row = this.db
      .prepare(
        'SELECT count(*), min(creation_time), max(creation_time) FROM records WHERE +tenant = ? AND creation_time < ?',
      )
      .raw(true)
      .get(tenant, before) as [number, number | null, number | null];
    return { records: row[0], oldest: row[1], newest: row[2] };
  }

  async removeBatch(sweep: SweepKey, from: number, limit: number, at: number): Promise<RemovalSpan> {
    // IMMEDIATE: the write lock first, so the batch never fails upgrading a read; short, so nobody waits long.
    return this.db
      .transaction(() => {
        const span = deleteRecords(this.db, sweep.tenant, from, sweep.before, limit);
        this.account(sweep, span, at);
        return span;
      })
      .immediate();
  }

  async completeSweep(sweep: SweepKey, at: number): Promise<void> {
    this.account(sweep, { records: 0, oldest: null, newest: null }, at, true);
  }

  async removals(tenant?: string): Promise<RetentionRemoval[]> {
    const where = tenant === undefined ? '' : ' WHERE tenant = ?';
    const rows = this.db
      .prepare(`SELECT ${REMOVAL_COLUMNS} FROM retention_removals${where} ORDER BY started_at, tenant`)
      .raw(true)
      .all(...(tenant === undefined ? [] : [tenant])) as RemovalSelect[];
    return rows.map(removalRow);
  }

  /** Adds a batch to its sweep's ledger row (created by the first batch). */
  private account(sweep: SweepKey, span: RemovalSpan, at: number, complete = false): void {
    this.db
      .prepare(
        `INSERT INTO retention_removals (tenant, started_at, before, records, oldest, newest, complete, updated_at)
         VALUES (@tenant, @startedAt, @before, @records, @oldest, @newest, @complete, @at)
         ON CONFLICT (tenant, started_at) DO UPDATE SET
           records = records + excluded.records,
           oldest = coalesce(min(oldest, excluded.oldest), oldest, excluded.oldest),
           newest = coalesce(max(newest, excluded.newest), newest, excluded.newest),
           complete = max(complete, excluded.complete), updated_at = excluded.updated_at`,
      )
      .run({ ...sweep, ...span, complete: complete ? 1 : 0, at });
  }
}
