import type { CountDimension, SearchCursor, SearchQuery } from '../../core/search-query.js';
import {
  compileWhere,
  countOrder,
  dimensionExpression,
  groupCountsSql,
  isAsciiTerm,
  headSliceSql,
  ORDER_NEWEST_FIRST,
  searchPageSql,
} from '../search-sql.js';
import type { SqlDialect } from '../search-sql.js';
import { SELECT_COLUMNS } from '../columns.js';
import { rollupCountBySql, rollupCountSql, rollupPlan } from '../rollup-sql.js';
import type { SqliteTextIndex, TextColumn } from './text-index.js';
import type { TimeRange } from '../../core/time.js';
import { seqSpanCondition } from './rollups.js';

/** A compiled statement: SQL text with named parameters (@p1…) and their values. */
export interface Compiled {
  sql: string;
  params: Record<string, string | number>;
}

/** JavaScript's case-insensitive substring test, registered as an SQL function for non-ASCII rows and terms. */
export const CONTAINS_FUNCTION = 'tw_contains';

export function containsFolded(text: string | null, term: string): number {
  return text !== null && text.toLowerCase().includes(term.toLowerCase()) ? 1 : 0;
}

/**
 * SQLite's dialect. Substrings: on rows whose text is pure ASCII (`plain`) SQLite's LIKE folds case
 * exactly as JavaScript's toLowerCase() does, so LIKE with % _ \ escaped is exact (and about five
 * times faster than instr(lower(x))); other rows and non-ASCII terms go through tw_contains. With the optional
 * substring index built (text-index.ts), objects and free text are first narrowed to a superset of candidate
 * rows, then checked exactly.
 */
class SqliteDialect implements SqlDialect {
  readonly params: Record<string, string | number> = {};
  /**
   * Unary plus (a no-op on any value) keeps the tenant filter from driving the plan: tenants are
   * filtered inside the (creation_time, tenant) index. Left as a plain column, the planner took the
   * (tenant, id) key index, read all of a tenant's rows and sorted them: 130 ms instead of 0.5 ms for a
   * tenant's first page of a week on a million records.
   */
  readonly tenantColumn = '+tenant';

  /** SQLite's own hint: the planner takes the condition as true for 1 row in 16, not as unknown. */
  rare(condition: string): string {
    return `unlikely(${condition})`;
  }

  /** Whether the substring index gives the candidates (by seq: then every match is sorted for a page). */
  narrowed = false;
  private n = 0;
  constructor(private readonly text: SqliteTextIndex | null) {}

  bind(value: string | number): string {
    const name = `p${++this.n}`;
    this.params[name] = value;
    return `@${name}`;
  }

  contains(column: 'raw' | 'object_id', term: string): string {
    const t = this.bind(term.toLowerCase());
    if (!isAsciiTerm(term)) return `${CONTAINS_FUNCTION}(${column}, ${t})`;
    const pattern = this.bind(`%${likeEscape(term)}%`);
    return `(CASE WHEN plain = 1 THEN ${column} LIKE ${pattern} ESCAPE '\\' ELSE ${CONTAINS_FUNCTION}(${column}, ${t}) END)`;
  }

  substringPrefilter(column: TextColumn, terms: string[], range: TimeRange): string | null {
    const upto = this.text?.coveredUpTo() ?? null;
    if (upto === null) return null;
    const match = this.text!.matchExpression(column, terms);
    if (match === null) return null;
    const newer = `SELECT seq FROM records WHERE seq > ${this.bind(upto)}`;
    this.narrowed = true;
    if (match === '') return `seq IN (${newer})`;
    const table = this.text!.postings(column);
    // The period's seq span: the index gives its candidates in seq order, and those outside the span are
    // skipped without reading the record (at ten million records over 90 days, a month's search read a third
    // of the candidates instead of all).
    const span = seqSpanCondition('rowid', range, (v) => this.bind(v));
    // One IN list of rowids (the candidates, then the rows the index does not cover yet), so the planner
    // reads the candidates by rowid. Written as `IN (…) OR seq > covered` it walked the time index and
    // tested every row of the range instead: 1.0 s for a rare word over a million records.
    return `seq IN (SELECT rowid FROM ${table} WHERE ${table} MATCH ${this.bind(match)} AND ${span} UNION ALL ${newer})`;
  }
}

/** LIKE's own characters (%, _ and the escape character) made literal. */
export function likeEscape(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function compileSearch(
  query: SearchQuery,
  text: SqliteTextIndex | null,
  after: SearchCursor | undefined,
  limit: number,
  columns = SELECT_COLUMNS,
): Compiled {
  const d = new SqliteDialect(text);
  const where = compileWhere(query, d, after);
  if (!d.narrowed) return { sql: searchPageSql(where, d.bind(limit), columns), params: d.params };
  // Candidates by seq: every match goes through the sort for the newest first. The page's seqs are chosen
  // first, sorting only the keys, then its rows are read: sorting whole rows (raw is a kilobyte) made a month's
  // object search at ten million records take 90–160 ms instead of 70–100.
  const page = `SELECT seq FROM records WHERE ${where} ORDER BY ${ORDER_NEWEST_FIRST} LIMIT ${d.bind(limit)}`;
  return { sql: searchPageSql(`seq IN (${page})`, '-1', columns), params: d.params };
}

export function compileHeadSlice(query: SearchQuery, text: SqliteTextIndex | null, limit: number | null): Compiled {
  const d = new SqliteDialect(text);
  const where = compileWhere(query, d);
  return { sql: headSliceSql(where, limit === null ? null : d.bind(limit)), params: d.params };
}

export function compileCount(query: SearchQuery, text: SqliteTextIndex | null): Compiled {
  const d = new SqliteDialect(text);
  const plan = rollupPlan(query, []);
  if (plan) return { sql: rollupCountSql(query, plan, d), params: d.params };
  return { sql: `SELECT count(*) AS n FROM records WHERE ${compileWhere(query, d)}`, params: d.params };
}

export function compileCountBy(
  query: SearchQuery,
  dimension: CountDimension,
  text: SqliteTextIndex | null,
  limit: number | undefined,
): Compiled {
  const d = new SqliteDialect(text);
  const plan = rollupPlan(query, [dimension]);
  if (plan) return { sql: rollupCountBySql(query, plan, dimension, d, limit), params: d.params };
  const key = dimensionExpression(dimension);
  const tail = limit === undefined ? '' : ` LIMIT ${d.bind(limit)}`;
  const sql = `SELECT ${key} AS key, count(*) AS n FROM records WHERE ${compileWhere(query, d)} GROUP BY ${key} ORDER BY ${countOrder(dimension)}${tail}`;
  return { sql, params: d.params };
}

export function compileGroupCounts(
  query: SearchQuery,
  dimensions: readonly CountDimension[],
  text: SqliteTextIndex | null,
): Compiled {
  const d = new SqliteDialect(text);
  return { sql: groupCountsSql(dimensions, compileWhere(query, d)), params: d.params };
}
