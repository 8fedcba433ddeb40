import { ManualClock } from '../../core/clock.js';
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
  extra: { tenants?: Partial<TenantRow>[]; roleSource?: RoleHolderSource } = {},
): Promise<ReportResult> {
  const store = await fixtureStore(records, extra.tenants ?? []);
  try {
    return await executeReport(def, params, {
      store,
      clock: new ManualClock(NOW),
      ...(extra.roleSource ? { roleSource: extra.roleSource } : {}),
    });
  } finally {
    await store.close();
  }
}

/** The ids of the rows, sorted, for exact comparisons. */
export function rowIds(result: ReportResult): string[] {
  return result.rows.map((r) => String(r.id)).sort();
}

export function idsOf(records: readonly AuditRecord[]): string[] {
  return records.map((r) => r.id).sort();
}
