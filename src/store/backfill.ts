import { AppError } from '../core/errors.js';
import type { AuditRecord } from '../core/record.js';

/**
 * Schema version 2 added the user_agent, app_id and logon_type columns (core/record.ts RecordFacts).
 * Rows stored before it get their values from their raw text once, after the migration: in batches of
 * BACKFILL_BATCH rows by seq, each committed with its progress in store_meta, so an interrupted start
 * resumes where it stopped and the journal never holds more than a batch. Both adapters use these.
 */
export const BACKFILL_BATCH = 5_000;

/** store_meta keys: the last seq that needs the backfill, and the last seq done. */
export const BACKFILL_TO = 'facts_backfill_to';
export const BACKFILL_DONE = 'facts_backfill_done';

/** Told once when a start has rows to fill (a million take ~11 s in SQLite), and once when it is done. */
export type StoreNotice = (message: string) => void;

/**
 * How a record's facts are read from its raw text: ingest's rule, handed in by whoever opens the store (the
 * CLI), because the store never imports ingest (the dependency rules).
 */
export type FactsFromRaw = (raw: string) => Pick<AuditRecord, 'userAgent' | 'appId' | 'logonType'>;

/** What an upgrade needs from the opener: whom to tell, and the facts rule for rows stored before version 2. */
export interface StoreUpgrade {
  onNotice?: StoreNotice | undefined;
  factsFromRaw?: FactsFromRaw | undefined;
}

/** The facts rule, or a clear error when a store that needs the backfill is opened without it. */
export function factsRule(upgrade: StoreUpgrade | undefined): FactsFromRaw {
  if (upgrade?.factsFromRaw) return upgrade.factsFromRaw;
  throw new AppError('STORE_SCHEMA', 'This store holds records from an earlier version that must be upgraded first', {
    hint: 'Run any tenantwatch command on it once (the CLI upgrades it), then try again',
  });
}

export function backfillStarting(rows: number): string {
  return `Upgrading the store: filling the user agent, app id and logon type of ${rows.toLocaleString('en-US')} records stored by an earlier version (once; about 11 s per million records)`;
}

export function backfillDone(ms: number): string {
  return `Store upgraded in ${(ms / 1000).toFixed(1)} s`;
}

/** The column values of the rows that have any fact (a row with none keeps its NULLs). */
export function backfillValues(
  rows: readonly (readonly [seq: number, raw: string])[],
  recordFactsFromRaw: FactsFromRaw,
): [seq: number, userAgent: string | null, appId: string | null, logonType: number | null][] {
  const out: [number, string | null, string | null, number | null][] = [];
  for (const [seq, raw] of rows) {
    const f = recordFactsFromRaw(raw);
    if (f.userAgent !== null || f.appId !== null || f.logonType !== null)
      out.push([seq, f.userAgent, f.appId, f.logonType]);
  }
  return out;
}
