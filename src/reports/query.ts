import type { RecordHead, StoredRecord } from '../core/record.js';
import type { SearchQuery } from '../core/search-query.js';
import { DAY, HOUR, MINUTE } from '../core/time.js';
import type { Store } from '../store/contract.js';
import type { ReportInput } from './types.js';

/**
 * The store query a report starts from: the period, the tenants and (when given) the users; a report
 * adds its own operations, record types or workloads so that the store narrows first and only the
 * candidates' raw AuditData is read in code.
 */
export function baseQuery(
  input: Omit<ReportInput<unknown>, 'params' | 'count'>,
  extra: Omit<Partial<SearchQuery>, 'range'> = {},
): SearchQuery {
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
export function scan(deps: ScanDeps, query: SearchQuery): AsyncIterable<StoredRecord> {
  return sliced(query, (slice) => deps.store.records.search(slice, deps.signal ? { signal: deps.signal } : {}));
}

/**
 * Every matching record's head, in batches and in no order (RecordStore.headBatches): for a report that
 * aggregates from the columns alone. 160,000 sign-ins over 60 days of the bench's million records: about
 * 1 s as whole records in search order, 0.65 s as heads in that order, 0.5 s as unordered head batches.
 */
export function headBatches(deps: ScanDeps, query: SearchQuery): AsyncIterable<readonly RecordHead[]> {
  return deps.store.records.headBatches(query, deps.signal ? { signal: deps.signal } : {});
}

export interface ScanDeps {
  store: Pick<Store, 'records'>;
  signal?: AbortSignal;
}

async function* sliced<T>(query: SearchQuery, read: (slice: SearchQuery) => AsyncIterable<T>): AsyncIterable<T> {
  let width = HOUR;
  for (let end = query.range.end; end > query.range.start;) {
    const start = Math.max(query.range.start, end - width);
    let rows = 0;
    for await (const row of read({ ...query, range: { start, end } })) {
      rows++;
      yield row;
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
