import type { StoredRecord } from '../core/record.js';
import type { SearchQuery } from '../core/search-query.js';
import { DAY, HOUR, MINUTE } from '../core/time.js';
import type { Store } from '../store/contract.js';
import type { ReportInput } from './types.js';

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

/**
 * The SQL stores' first keyset page (store/sqlite/records.ts). They page a search by keyset, and when
 * the filter is a list (several operations) the database sorts every remaining match again for each
 * page: a 160,000-row sign-in scan re-read its rows dozens of times (bench/reports.bench.ts). Slices
 * of 100 to 199 rows are read by one query each.
 */
const FIRST_PAGE = 200;
const MIN_WIDTH = MINUTE;
const MAX_WIDTH = 30 * DAY;

/**
 * Streams the matching records, newest first, honouring the caller's abort signal: the rows and the
 * order of one search, read in consecutive time slices [start, end) from the period's end back. A slice
 * starts an hour wide and halves after one that needed a second page or doubles after one under half a page, so dense data is read
 * in small queries and a sparse year in a few.
 */
export async function* scan(deps: { store: Pick<Store, 'records'>; signal?: AbortSignal }, query: SearchQuery): AsyncIterable<StoredRecord> {
  const options = deps.signal ? { signal: deps.signal } : {};
  let width = HOUR;
  for (let end = query.range.end; end > query.range.start; ) {
    const start = Math.max(query.range.start, end - width);
    let rows = 0;
    for await (const record of deps.store.records.search({ ...query, range: { start, end } }, options)) {
      rows++;
      yield record;
    }
    end = start;
    width = nextWidth(width, rows);
  }
}

/** The next slice's width from how many rows the last one held. */
export function nextWidth(width: number, rows: number): number {
  if (rows >= FIRST_PAGE) return Math.max(MIN_WIDTH, Math.floor(width / 2));
  if (rows < FIRST_PAGE / 2) return Math.min(MAX_WIDTH, width * 2);
  return width;
}
