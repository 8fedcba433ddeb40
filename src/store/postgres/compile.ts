import type { TimeRange } from '../../core/time.js';
import type { CountDimension, SearchCursor, SearchQuery } from '../../core/search-query.js';
import {
  compileWhere,
  countOrder,
  dimensionExpression,
  groupCountsSql,
  headSliceSql,
  ORDER_NEWEST_FIRST,
  searchPageSql,
} from '../search-sql.js';
import type { SqlDialect } from '../search-sql.js';
import { rollupCountBySql, rollupCountSql, rollupPlan } from '../rollup-sql.js';
import { SELECT_COLUMNS } from '../columns.js';
import { wordsCandidates, type WordLookup } from './text-index.js';

/** A compiled statement: SQL text with positional parameters ($1…) and their values. */
export interface Compiled {
  sql: string;
  params: (string | number)[];
}

/**
 * PostgreSQL's dialect. Substrings use strpos(lower(x), term) with the term lower-cased in
 * JavaScript: no LIKE pattern at all, so % _ \ in a search are ordinary characters. On ASCII text
 * lower() is exactly JavaScript's toLowerCase(); beyond ASCII it follows the database's Unicode
 * rules (docs/adr/0003-free-text-index.md lists the rare differences). With the substring index ready
 * (text-index.ts), objects and free text are first narrowed to the candidate rows it finds.
 */
class PostgresDialect implements SqlDialect {
  readonly params: (string | number)[] = [];

  /**
   * `drive`: a page (compileSearch) is read from the first narrowed filter's candidates, which then leaves no
   * condition in the WHERE clause.
   */
  constructor(
    private readonly text: WordLookup | null = null,
    private readonly drive = false,
  ) {}

  /** The candidates' keys of the first substring filter the index narrowed, when it drives the page. */
  drivenBy: string | null = null;

  substringPrefilter(column: 'raw' | 'object_id', terms: string[], range: TimeRange): string | null {
    if (!this.text?.state.ready) return null;
    const candidates = wordsCandidates(this.text, column, terms, range, (v) => this.bind(v));
    if (candidates === null) return null;
    if (this.drive && this.drivenBy === null) {
      this.drivenBy = candidates;
      return 'TRUE';
    }
    return `(creation_time, seq) IN (${candidates})`;
  }

  bind(value: string | number): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  contains(column: 'raw' | 'object_id', term: string): string {
    return `strpos(lower(${column}), ${this.bind(term.toLowerCase())}) > 0`;
  }
}

export function compileSearch(
  query: SearchQuery,
  text: WordLookup | null,
  after: SearchCursor | undefined,
  limit: number,
  columns = SELECT_COLUMNS,
): Compiled {
  const d = new PostgresDialect(text, true);
  const where = compileWhere(query, d, after);
  if (d.drivenBy === null) return { sql: searchPageSql(where, d.bind(limit), columns), params: d.params };
  // Narrowed by the substring index: the candidates' keys newest first, each record read and tested in turn
  // until the page is full. Joined the usual way, every candidate's row was read and then sorted (at ten
  // million records a month's object search read 6,621 rows at random for a page of 100). OFFSET 0 keeps the
  // planner from flattening the per-candidate read back into such a join; WITH TIES stops the walk at the
  // page's last instant whatever the planner estimates, and the outer sort orders those few rows by
  // (tenant, id) within an instant.
  const candidates = d.drivenBy;
  const from = after ? ` AND creation_time <= ${d.bind(after.creationTime)}` : '';
  const size = d.bind(limit);
  const sql = `SELECT * FROM (SELECT r.* FROM (${candidates}${from} ORDER BY creation_time DESC) c
      CROSS JOIN LATERAL (SELECT ${columns} FROM records
        WHERE creation_time = c.creation_time AND seq = c.seq AND ${where} OFFSET 0) r
      ORDER BY c.creation_time DESC FETCH FIRST ${size} ROWS WITH TIES) page
    ORDER BY ${ORDER_NEWEST_FIRST} LIMIT ${size}`;
  return { sql, params: d.params };
}

export function compileHeadSlice(query: SearchQuery, text: WordLookup | null, limit: number | null): Compiled {
  const d = new PostgresDialect(text);
  const where = compileWhere(query, d);
  return { sql: headSliceSql(where, limit === null ? null : d.bind(limit)), params: d.params };
}

export function compileCount(query: SearchQuery, text: WordLookup | null): Compiled {
  const d = new PostgresDialect(text);
  const plan = rollupPlan(query, []);
  if (plan) return { sql: rollupCountSql(query, plan, d), params: d.params };
  return { sql: `SELECT count(*) AS n FROM records WHERE ${compileWhere(query, d)}`, params: d.params };
}

export function compileCountBy(
  query: SearchQuery,
  dimension: CountDimension,
  text: WordLookup | null,
  limit: number | undefined,
): Compiled {
  const d = new PostgresDialect(text);
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
  text: WordLookup | null,
): Compiled {
  const d = new PostgresDialect(text);
  return { sql: groupCountsSql(dimensions, compileWhere(query, d)), params: d.params };
}
