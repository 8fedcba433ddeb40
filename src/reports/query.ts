import type { StoredRecord } from '../core/record.js';
import type { SearchQuery } from '../core/search-query.js';
import type { ReportDeps, ReportInput } from './types.js';

/**
 * The store query a report starts from: the period, the tenants and (when given) the users; a report
 * adds its own operations, record types or workloads so that the store narrows first and only the
 * candidates' raw AuditData is read in code.
 */
export function baseQuery(input: Omit<ReportInput<unknown>, 'params' | 'count'>, extra: Omit<Partial<SearchQuery>, 'range'> = {}): SearchQuery {
  const query: SearchQuery = { range: { ...input.period }, ...extra };
  if (input.tenants) query.tenants = input.tenants;
  if (input.users?.length) query.users = input.users;
  return query;
}

/** Streams the matching records, newest first, honouring the caller's abort signal. */
export function scan(deps: ReportDeps, query: SearchQuery): AsyncIterable<StoredRecord> {
  return deps.store.records.search(query, deps.signal ? { signal: deps.signal } : {});
}
