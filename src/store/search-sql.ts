import { AppError } from '../core/errors.js';
import type { CountDimension, GroupCount, SearchCursor, SearchQuery } from '../core/search-query.js';
import { ipKeyBounds } from './ip-key.js';
import { HEAD_COLUMNS, SELECT_COLUMNS, toRecordHead, type SelectedRow } from './columns.js';
import type { SearchOptions } from './contract.js';
import type { RecordHead } from '../core/record.js';
import type { TimeRange } from '../core/time.js';

/**
 * SearchQuery → SQL WHERE clause, written once for both adapters (each compile.ts supplies the dialect).
 * Every value a person typed is a bound parameter, never spliced into the SQL text: an injection
 * attempt is just a string that matches nothing. Semantics of core/search-query.ts: AND across
 * filters, OR within one; an empty list in a filter matches nothing (OR over no alternatives).
 */
export interface SqlDialect {
  /** Binds a value and returns its placeholder. */
  bind(value: string | number): string;
  /** Case-insensitive substring test of `column` against a term (JavaScript toLowerCase() semantics). */
  contains(column: 'raw' | 'object_id', term: string): string;
  /**
   * Optional index pre-filter for substring terms on a column (a superset of the rows where the column
   * contains any of them within the search's period), or null when no index can narrow them (ADR 0033).
   */
  substringPrefilter?(column: 'raw' | 'object_id', terms: string[], range: TimeRange): string | null;
  /** How the tenant column is written in a filter (SQLite: `+tenant`, see its compile.ts). */
  readonly tenantColumn?: string;
  /** Marks a condition few records meet, for a planner that cannot know it (SQLite: unlikely()). */
  rare?(condition: string): string;
}

/** The WHERE clause of a search (without the keyword). */
export function compileWhere(query: SearchQuery, d: SqlDialect, after?: SearchCursor): string {
  const parts = [`creation_time >= ${d.bind(query.range.start)}`, `creation_time < ${d.bind(query.range.end)}`];
  const list = (
    column: string,
    values: (string | number)[] | undefined,
    mark = (condition: string) => condition,
  ): void => {
    if (values === undefined) return;
    if (values.length === 0) parts.push('1 = 0');
    else parts.push(mark(`${column} IN (${values.map((v) => d.bind(v)).join(', ')})`));
  };
  const lower = (values: string[] | undefined): string[] | undefined => values?.map((v) => v.toLowerCase());
  list(d.tenantColumn ?? 'tenant', query.tenants);
  list('user_key', lower(query.users));
  list('operation_key', lower(query.operations));
  list('record_type', query.recordTypes);
  list('workload_key', lower(query.workloads));
  // Unindexed, and met by few records (an admin's or delegate's logon, a third-party application):
  // marked rare, SQLite reads the operation index and sorts the few matches instead of walking every
  // record of the period in time order (mailbox-access over 60 days of a million records: 0.95 s → 0.3 s).
  const rare = (condition: string): string => (d.rare ? d.rare(condition) : condition);
  list('logon_type', query.logonTypes, rare);
  if (query.appsOtherThan) {
    const others = lower(query.appsOtherThan)!;
    parts.push(
      rare(others.length ? `app_id NOT IN (${others.map((v) => d.bind(v)).join(', ')})` : 'app_id IS NOT NULL'),
    );
  }
  if (query.ips) parts.push(anyOf(query.ips.map((f) => ipCondition(ipKeyBounds(f), d))));
  const substrings = (column: 'raw' | 'object_id', terms: string[] | undefined): void => {
    if (!terms) return;
    const pre = terms.length ? d.substringPrefilter?.(column, terms, query.range) : null;
    if (pre) parts.push(pre);
    parts.push(anyOf(terms.map((t) => d.contains(column, t))));
  };
  substrings('object_id', query.objects);
  substrings('raw', query.freeText);
  if (after) {
    // Keyset continuation in the newest-first order (creation_time, tenant, id all descending).
    parts.push(
      `(creation_time, tenant, id) < (${d.bind(after.creationTime)}, ${d.bind(after.tenant)}, ${d.bind(after.id)})`,
    );
  }
  return parts.join(' AND ');
}

function ipCondition(bounds: [string, string] | null, d: SqlDialect): string {
  if (!bounds) return '1 = 0';
  if (bounds[0] === bounds[1]) return `client_ip_key = ${d.bind(bounds[0])}`;
  return `client_ip_key BETWEEN ${d.bind(bounds[0])} AND ${d.bind(bounds[1])}`;
}

function anyOf(conditions: string[]): string {
  if (conditions.length === 0) return '1 = 0';
  return conditions.length === 1 ? conditions[0]! : `(${conditions.join(' OR ')})`;
}

/** Newest first; ties broken by tenant, then id, both descending too, so one index serves the order and the cursor. */
export const ORDER_NEWEST_FIRST = 'creation_time DESC, tenant DESC, id DESC';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The SQL expression a count is grouped by (day/hour: the UTC bucket start in epoch ms). */
export function dimensionExpression(dimension: CountDimension): string {
  switch (dimension) {
    case 'operation':
      return 'operation_key';
    case 'user':
      return 'user_key';
    case 'workload':
      return 'workload';
    case 'recordType':
      return 'record_type';
    case 'tenant':
      return 'tenant';
    case 'day':
      return `creation_time - ((creation_time % ${DAY_MS}) + ${DAY_MS}) % ${DAY_MS}`;
    case 'hour':
      return `creation_time - ((creation_time % ${HOUR_MS}) + ${HOUR_MS}) % ${HOUR_MS}`;
    case 'clientIp':
      return 'client_ip';
    case 'outcome':
      return 'outcome';
  }
}

/**
 * Counts by several dimensions at once (RecordStore.groupCounts), largest group first, ties by the keys
 * in order. The SQL is the same in both dialects; an operation is shown as one of its stored spellings.
 */
export function groupCountsSql(dimensions: readonly CountDimension[], where: string): string {
  if (dimensions.length === 0)
    throw new AppError('BAD_INPUT', 'groupCounts needs at least one dimension', {
      hint: 'Name the dimensions to group by',
    });
  const keys = dimensions.map(
    (dim, i) => `${dim === 'operation' ? 'min(operation)' : dimensionExpression(dim)} AS k${i}`,
  );
  const groups = dimensions.map((dim) => dimensionExpression(dim));
  const order = dimensions.map((_, i) => `k${i} ASC NULLS LAST`);
  return `SELECT ${keys.join(', ')}, count(*) AS n FROM records WHERE ${where} GROUP BY ${groups.join(', ')} ORDER BY n DESC, ${order.join(', ')}`;
}

/** Dimensions whose keys are numbers (PostgreSQL sends them as text: bigint bucket starts, record types). */
export function numericDimension(dimension: CountDimension): boolean {
  return dimension === 'day' || dimension === 'hour' || dimension === 'recordType';
}

/** A groupCounts row read as an array (keys in dimension order, then the count; PostgreSQL sends bigints as text). */
export function toGroupCount(row: readonly unknown[], dimensions: readonly CountDimension[]): GroupCount {
  return {
    keys: dimensions.map((dim, i) =>
      row[i] === null ? null : numericDimension(dim) ? Number(row[i]) : (row[i] as string),
    ),
    count: Number(row[dimensions.length]),
  };
}

/** Orders count rows: largest first (ties by key), or time order for day/hour buckets. */
export function countOrder(dimension: CountDimension): string {
  return dimension === 'day' || dimension === 'hour' ? 'key ASC NULLS LAST' : 'n DESC, key ASC NULLS LAST';
}

/** True for a term the fast SQL path can compare exactly (see columns.ts, `plain`). */
export function isAsciiTerm(term: string): boolean {
  return !/[^\x00-\x7f]/.test(term);
}

/** The head columns of the matches, in no order (at most `limit` of them): one slice of RecordStore.headBatches. */
export function headSliceSql(where: string, limit: string | null): string {
  return `SELECT ${HEAD_COLUMNS} FROM records WHERE ${where}${limit === null ? '' : ` LIMIT ${limit}`}`;
}

/** The rows of a newest-first search page: whole records (SELECT_COLUMNS) or their summaries (SUMMARY_COLUMNS). */
export function searchPageSql(where: string, limit: string, columns = SELECT_COLUMNS): string {
  return `SELECT ${columns} FROM records WHERE ${where} ORDER BY ${ORDER_NEWEST_FIRST} LIMIT ${limit}`;
}

/** Streams check their caller's signal between pages: a cancelled search ends with an error, never looks complete. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new AppError('CANCELLED', 'The search was cancelled before it finished', {
      hint: 'Run it again to see every result',
    });
}

const FIRST_PAGE = 200;
const MAX_PAGE = 5_000;

/** The page size of a whole-period read, and the bounds of its slices' widths. */
const SLICE_WIDTH = { min: 60_000, max: 30 * 86_400_000 };

/**
 * RecordStore.search for both SQL stores: the matching rows, newest first. A page (a limit or a cursor
 * given) is read as keyset pages. A whole period is read in consecutive time slices [start, end) from the
 * period's end back, each slice as keyset pages: when the filter is a list (several operations) the
 * database sorts every remaining match again for each page, and a 160,000-row sign-in read re-read its rows
 * dozens of times (bench/reports.bench.ts). A slice starts an hour wide, halves after one that needed a
 * second page and doubles after one under half a page, so dense data is read in small queries and a sparse
 * year in a few. A free-text search is not sliced: its index would be consulted again for every slice.
 * `fetchPage` is the adapter's one query.
 */
export function searchRows<T extends RecordHead>(
  query: SearchQuery,
  options: SearchOptions,
  fetchPage: (
    query: SearchQuery,
    after: SearchCursor | undefined,
    size: number,
  ) => SelectedRow[] | Promise<SelectedRow[]>,
  toRecord: (row: SelectedRow) => T,
): AsyncIterable<T> {
  const whole = options.limit === undefined && options.after === undefined && !query.freeText?.length;
  if (!whole) return keysetPages(options, (after, size) => fetchPage(query, after, size), toRecord);
  const newest = async (range: SearchQuery['range']): Promise<number | null> => {
    const [row] = await fetchPage({ ...query, range }, undefined, 1);
    return row ? toRecord(row).creationTime : null;
  };
  return timeSlices(
    query,
    (slice) => keysetPages(options, (after, size) => fetchPage(slice, after, size), toRecord),
    newest,
  );
}

/**
 * After an empty slice the read jumps to the newest match left (one short indexed query), and starts an
 * hour wide again: a period far wider than its records ("everything since 1970") was read as thousands of
 * empty 30-day slices.
 */
async function* timeSlices<T>(
  query: SearchQuery,
  read: (slice: SearchQuery) => AsyncIterable<T>,
  newest: (range: SearchQuery['range']) => Promise<number | null>,
): AsyncIterable<T> {
  let width = HOUR_MS;
  for (let end = query.range.end; end > query.range.start;) {
    const start = Math.max(query.range.start, end - width);
    let rows = 0;
    for await (const row of read({ ...query, range: { start, end } })) {
      rows++;
      yield row;
    }
    end = start;
    width = nextSliceWidth(width, rows);
    if (rows === 0 && end > query.range.start) {
      const next = await newest({ start: query.range.start, end });
      if (next === null) return;
      end = next + 1;
      width = HOUR_MS;
    }
  }
}

/** The next slice's width from how many rows the last one held. */
export function nextSliceWidth(width: number, rows: number): number {
  if (rows >= FIRST_PAGE) return Math.max(SLICE_WIDTH.min, Math.floor(width / 2));
  if (rows < FIRST_PAGE / 2) return Math.min(SLICE_WIDTH.max, width * 2);
  return width;
}

/**
 * Streams a newest-first search as keyset pages (200 rows, growing fourfold to 5,000): each page is one
 * short query continuing strictly after the last row, so no connection stays busy with a half-read
 * statement and memory stays bounded. `fetchPage` is the adapter's one query.
 */
async function* keysetPages<T extends RecordHead>(
  options: SearchOptions,
  fetchPage: (after: SearchCursor | undefined, size: number) => SelectedRow[] | Promise<SelectedRow[]>,
  toRecord: (row: SelectedRow) => T,
): AsyncIterable<T> {
  let after = options.after;
  let remaining = options.limit ?? Infinity;
  let page = FIRST_PAGE;
  while (remaining > 0) {
    throwIfAborted(options.signal);
    const size = Math.min(page, remaining);
    const rows = await fetchPage(after, size);
    for (const row of rows) {
      const record = toRecord(row);
      yield record;
      after = { creationTime: record.creationTime, tenant: record.tenant, id: record.id };
    }
    if (rows.length < size) return;
    remaining -= rows.length;
    page = Math.min(page * 4, MAX_PAGE);
  }
}

/**
 * How many rows an unordered slice aims at (a 60-day read of 160,000 sign-ins: about 40 queries; slices of
 * 500 to 20,000 rows measured the same), and the most one may return before it is read again narrower.
 */
export const SLICE_SIZES = { target: 5_000, cap: 25_000 };

/**
 * RecordStore.headBatches for both SQL stores: the period read in consecutive time slices [start, end)
 * from its end back, each one query without ORDER BY, so the database neither sorts nor pages (the
 * newest-first keyset pages of search re-sort a multi-operation match for every page). A slice is read
 * whole before it is handed on, so no connection stays busy while the caller works. It starts an hour
 * wide and is scaled toward `target` rows by the last one's count (at most eightfold each way). A slice
 * that reaches `cap` (a wide one after empty ones, ending in a dense stretch) is dropped and read again an
 * eighth as wide, so memory stays bounded; a single millisecond is read whole whatever it holds.
 */
export async function* headSlices(
  query: SearchQuery,
  options: { signal?: AbortSignal },
  fetchSlice: (slice: SearchQuery, limit: number | null) => SelectedRow[] | Promise<SelectedRow[]>,
  sizes = SLICE_SIZES,
): AsyncIterable<readonly RecordHead[]> {
  let width = HOUR_MS;
  for (let end = query.range.end; end > query.range.start;) {
    throwIfAborted(options.signal);
    const start = Math.max(query.range.start, end - width);
    const rows = await fetchSlice({ ...query, range: { start, end } }, end - start > 1 ? sizes.cap : null);
    if (rows.length >= sizes.cap && end - start > 1) {
      width = Math.max(1, Math.floor((end - start) / 8));
      continue;
    }
    if (rows.length > 0) yield rows.map(toRecordHead);
    end = start;
    width = Math.max(1, Math.round(width * Math.min(8, Math.max(1 / 8, sizes.target / Math.max(1, rows.length)))));
  }
}
