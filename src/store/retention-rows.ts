/** Retention rows as both SQL stores read them (retention-contract.ts). */
import type { RetentionRemoval } from './retention-contract.js';

/** The policy row of the default (every tenant without its own): a key no tenant has. */
export const DEFAULT_POLICY_KEY = '*';

export const REMOVAL_COLUMNS = 'tenant, started_at, before, records, oldest, newest, complete, updated_at';

/** One row of REMOVAL_COLUMNS as an array (PostgreSQL sends bigints as text, booleans as booleans). */
export type RemovalSelect = readonly unknown[];

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function removalRow(row: RemovalSelect): RetentionRemoval {
  return {
    tenant: row[0] as string,
    startedAt: Number(row[1]),
    before: Number(row[2]),
    records: Number(row[3]),
    oldest: num(row[4]),
    newest: num(row[5]),
    complete: row[6] === true || Number(row[6]) === 1,
    updatedAt: Number(row[7]),
  };
}
