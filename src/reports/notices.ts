import type { RecordStore } from '../store/contract.js';
import { unknownWorkloads, unseenFilterValues, type FilterNotice } from '../search/unseen.js';
import type { ReportResult } from './types.js';

/**
 * The users a report was asked about that no stored record names in its period and tenants, and the workloads
 * Microsoft 365 does not record, each with the one perhaps meant (search/unseen.ts): a typo must not read as
 * "No findings", in the CLI or the console. (Search's "OneDrive is not included" is not said: user-activity
 * includes OneDrive with SharePoint.)
 */
export async function reportFilterNotices(
  records: RecordStore,
  result: Pick<ReportResult, 'parameters'>,
): Promise<FilterNotice[]> {
  const p = result.parameters;
  const strings = (value: unknown): string[] =>
    [value].flat().filter((v): v is string => typeof v === 'string' && v !== '');
  const workloads = unknownWorkloads(strings(p.workload));
  const users = strings(p.user);
  if (users.length === 0) return workloads;
  const range = { start: Date.parse(String(p.start)), end: Date.parse(String(p.end)) };
  if (!Number.isFinite(range.start) || !Number.isFinite(range.end)) return workloads;
  const tenants = Array.isArray(p.tenant) ? { tenants: p.tenant.map(String) } : {};
  return [...workloads, ...(await unseenFilterValues(records, { range, users, ...tenants }))];
}
