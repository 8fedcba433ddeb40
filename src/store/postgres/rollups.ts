/**
 * The rollups in PostgreSQL (store/rollups.ts, docs/adr/0031-rollups.md): the one function every path that
 * writes or deletes records calls, inside its own transaction, with the delta of what it really inserted
 * (RETURNING of ON CONFLICT DO NOTHING) or deleted.
 */
import type { PoolClient } from 'pg';
import { rollupConflictKey, ROLLUP_TABLES, type RollupDelta, type RollupTable } from '../rollups.js';

/** Tables and indexes of the rollups (part of the schema migration that added them). Keys sort as bytes (COLLATE "C"), as the records' do. */
export const ROLLUP_SCHEMA = `
  CREATE TABLE rollup_counts (
    day bigint NOT NULL, tenant text COLLATE "C" NOT NULL, record_type integer NOT NULL,
    operation_key text COLLATE "C" NOT NULL, workload text COLLATE "C", workload_key text COLLATE "C", n bigint NOT NULL);
  CREATE UNIQUE INDEX rollup_counts_key ON rollup_counts (${rollupConflictKey(ROLLUP_TABLES[0]!)});
  CREATE TABLE rollup_users (day bigint NOT NULL, tenant text COLLATE "C" NOT NULL, user_key text COLLATE "C", n bigint NOT NULL);
  CREATE UNIQUE INDEX rollup_users_key ON rollup_users (${rollupConflictKey(ROLLUP_TABLES[1]!)});`;

const TYPES: Record<string, string> = { day: 'bigint', record_type: 'integer', n: 'bigint' };

/**
 * Applies a delta to every rollup table: one statement per table (its rows in key order, so two
 * transactions touching the same keys lock them in the same order), then the rows of the touched
 * (day, tenant) pairs that fell to zero are removed. Call it inside the transaction that inserted or
 * deleted the records the delta counts.
 */
export async function applyRollups(client: PoolClient, delta: RollupDelta): Promise<void> {
  if (delta.isEmpty) return;
  for (const { table, rows } of delta.changes()) {
    if (rows.length === 0) continue;
    const columns = ['day', ...table.columns, ...table.derived, 'n'];
    const arrays = columns.map((_, i) => rows.map((r) => (i < r.values.length ? r.values[i] : r.n)));
    await client.query(upsertSql(table, columns), arrays);
    if (delta.removes) await client.query(clearSql(table), [arrays[0], arrays[1]]);
  }
}

function upsertSql(table: RollupTable, columns: string[]): string {
  const unnest = columns.map((c, i) => `$${i + 1}::${TYPES[c] ?? 'text'}[]`).join(', ');
  return `INSERT INTO ${table.name} (${columns.join(', ')})
    SELECT ${columns.join(', ')} FROM unnest(${unnest}) WITH ORDINALITY AS u(${columns.join(', ')}, o) ORDER BY o
    ON CONFLICT (${rollupConflictKey(table)}) DO UPDATE SET n = ${table.name}.n + excluded.n`;
}

function clearSql(table: RollupTable): string {
  return `DELETE FROM ${table.name} AS r USING (SELECT DISTINCT * FROM unnest($1::bigint[], $2::text[]) AS k(day, tenant)) AS k
    WHERE r.day = k.day AND r.tenant = k.tenant AND r.n = 0`;
}
