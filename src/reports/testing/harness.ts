import { ManualClock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { AuditRecord } from '../../core/record.js';
import type { TenantRow } from '../../store/contract.js';
import { executeReport } from '../engine.js';
import type { RoleHolderSource } from '../../analysis/roles/source.js';
import type { ReportDefinition, ReportResult } from '../types.js';
import { NOW } from './builders.js';
import { fixtureStore } from './store.js';

/** Runs one report over fixture records in an in-memory SQLite store, at the builders' NOW (default period: 7 days back). */
export async function runOver(
  def: ReportDefinition,
  records: readonly AuditRecord[],
  params: Record<string, unknown> = {},
  extra: { tenants?: Partial<TenantRow>[]; roleSource?: RoleHolderSource; logger?: Logger } = {},
): Promise<ReportResult> {
  const store = await fixtureStore(records, extra.tenants ?? []);
  try {
    const result = await executeReport(def, params, {
      store,
      clock: new ManualClock(NOW),
      ...(extra.roleSource ? { roleSource: extra.roleSource } : {}),
      ...(extra.logger ? { logger: extra.logger } : {}),
    });
    undeclaredFields(def, result);
    return result;
  } finally {
    await store.close();
  }
}

/**
 * Every field of every row must be one of the report's declared columns: the CSV header is those whatever
 * rows are found, so a field left out would land after them, unnamed by an empty result's header.
 */
function undeclaredFields(def: ReportDefinition, result: ReportResult): void {
  const declared = new Set(def.columns);
  const extra = new Set(result.rows.flatMap((row) => Object.keys(row).filter((key) => !declared.has(key))));
  if (extra.size) throw new Error(`${def.id}: rows carry fields its columns do not declare: ${[...extra].join(', ')}`);
}

/** The ids of the rows, sorted, for exact comparisons. */
export function rowIds(result: ReportResult): string[] {
  return result.rows.map((r) => String(r.id)).sort();
}

export function idsOf(records: readonly AuditRecord[]): string[] {
  return records.map((r) => r.id).sort();
}
