import type { CountDimension, SearchCursor, SearchQuery } from '../../core/search-query.js';
import { compileWhere, countOrder, dimensionExpression, isAsciiTerm, ORDER_NEWEST_FIRST, SELECT_COLUMNS_SQL } from '../search-sql.js';
import type { SqlDialect } from '../search-sql.js';

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
 * times faster than instr(lower(x))); other rows and non-ASCII terms go through tw_contains. With the optional trigram index ready, free
 * text of three or more ASCII characters is first narrowed by FTS5, then checked exactly.
 */
class SqliteDialect implements SqlDialect {
  readonly params: Record<string, string | number> = {};
  private n = 0;
  constructor(private readonly textIndex: boolean) {}

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

  textPrefilter(terms: string[]): string | null {
    if (!this.textIndex || terms.some((t) => [...t].length < 3 || !isAsciiTerm(t))) return null;
    // detail=none keeps no positions, so no phrase queries: each term becomes the AND of its
    // trigrams, a superset of the rows holding it; the exact test that follows decides.
    const match = terms.map((t) => `(${trigrams(t).map((g) => `"${g.replaceAll('"', '""')}"`).join(' AND ')})`).join(' OR ');
    return `seq IN (SELECT rowid FROM records_text WHERE records_text MATCH ${this.bind(match)})`;
  }
}

/** LIKE's own characters (%, _ and the escape character) made literal. */
export function likeEscape(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function trigrams(term: string): string[] {
  const chars = [...term.toLowerCase()];
  const out = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) out.add(chars.slice(i, i + 3).join(''));
  return [...out];
}

export function compileSearch(query: SearchQuery, textIndex: boolean, after: SearchCursor | undefined, limit: number): Compiled {
  const d = new SqliteDialect(textIndex);
  const where = compileWhere(query, d, after);
  return { sql: `SELECT ${SELECT_COLUMNS_SQL} FROM records WHERE ${where} ORDER BY ${ORDER_NEWEST_FIRST} LIMIT ${d.bind(limit)}`, params: d.params };
}

export function compileCount(query: SearchQuery, textIndex: boolean): Compiled {
  const d = new SqliteDialect(textIndex);
  return { sql: `SELECT count(*) AS n FROM records WHERE ${compileWhere(query, d)}`, params: d.params };
}

export function compileCountBy(query: SearchQuery, dimension: CountDimension, textIndex: boolean, limit: number | undefined): Compiled {
  const d = new SqliteDialect(textIndex);
  const key = dimensionExpression(dimension);
  const tail = limit === undefined ? '' : ` LIMIT ${d.bind(limit)}`;
  const sql = `SELECT ${key} AS key, count(*) AS n FROM records WHERE ${compileWhere(query, d)} GROUP BY ${key} ORDER BY ${countOrder(dimension)}${tail}`;
  return { sql, params: d.params };
}
