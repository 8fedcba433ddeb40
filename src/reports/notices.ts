import type { RecordStore } from '../store/contract.js';
import { unseenFilterValues, type FilterNotice } from '../search/unseen.js';
import type { ReportResult } from './types.js';

/**
 * The users a report was asked about that no stored record names in its period and tenants, each with the
 * user perhaps meant (search/unseen.ts): a typo must not read as "No findings", in the CLI or the console.
 */
export async function reportUserNotices(
  records: RecordStore,
  result: Pick<ReportResult, 'parameters'>,
): Promise<FilterNotice[]> {
  const p = result.parameters;
  const users = [p.user].flat().filter((u): u is string => typeof u === 'string' && u !== '');
  if (users.length === 0) return [];
  const range = { start: Date.parse(String(p.start)), end: Date.parse(String(p.end)) };
  if (!Number.isFinite(range.start) || !Number.isFinite(range.end)) return [];
  const tenants = Array.isArray(p.tenant) ? { tenants: p.tenant.map(String) } : {};
  return unseenFilterValues(records, { range, users, ...tenants });
}
