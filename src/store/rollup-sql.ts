/**
 * Counts read from the rollups (rollups.ts), written once for both SQL stores. A question is answered from
 * them when it allows it — a time range with only tenant / operation / workload / record type filters (or
 * tenant / user), counted in total or by a dimension the table keeps — and the whole days of its range come
 * from the rollup rows while the partial days at either edge are counted from the records. Anything else
 * is counted from the records. The answer is the same either way (the rollup conformance suite).
 */
import type { CountDimension, SearchQuery } from '../core/search-query.js';
import type { TimeRange } from '../core/time.js';
import { DAY_MS, dayOf, ROLLUP_TABLES, type RollupTable } from './rollups.js';
import { compileWhere, countOrder, dimensionExpression, type SqlDialect } from './search-sql.js';

/** Where a count reads: a rollup table for the whole days, the records for the edges. */
export interface RollupPlan {
  table: RollupTable;
  days: TimeRange;
  edges: TimeRange[];
}

/** The rollup plan of a count, or null when it must be counted from the records. */
export function rollupPlan(query: SearchQuery, dimensions: readonly CountDimension[]): RollupPlan | null {
  const { start, end } = query.range;
  const first = dayOf(start) === start ? start : dayOf(start) + DAY_MS;
  const last = dayOf(end);
  if (!(first < last)) return null;
  const table = ROLLUP_TABLES.find(
    (t) =>
      dimensions.every((d) => t.dimensions[d] !== undefined) &&
      (Object.keys(query) as (keyof SearchQuery)[]).every(
        (k) => k === 'range' || query[k] === undefined || t.filters[k] !== undefined,
      ),
  );
  if (!table) return null;
  const edges: TimeRange[] = [];
  if (start < first) edges.push({ start, end: first });
  if (last < end) edges.push({ start: last, end });
  return { table, days: { start: first, end: last }, edges };
}

/** The WHERE of the rollup rows of a plan: its whole days and the query's filters on the table's columns. */
function rollupWhere(query: SearchQuery, plan: RollupPlan, d: SqlDialect): string {
  const parts = [`day >= ${d.bind(plan.days.start)}`, `day < ${d.bind(plan.days.end)}`];
  for (const [filter, column] of Object.entries(plan.table.filters) as [keyof SearchQuery, string][]) {
    const values = query[filter] as (string | number)[] | undefined;
    if (values === undefined) continue;
    // Lower-cased in JavaScript, as compileWhere does for the records' key columns.
    const bound = values.map((v) => d.bind(typeof v === 'string' && filter !== 'tenants' ? v.toLowerCase() : v));
    parts.push(bound.length ? `${column} IN (${bound.join(', ')})` : '1 = 0');
  }
  return parts.join(' AND ');
}

/** The parts of a count: the rollup rows' sum and each edge's records, as `key, n` selects to add up. */
function parts(query: SearchQuery, plan: RollupPlan, d: SqlDialect, dimension: CountDimension | null): string[] {
  const rollupKey = dimension === null ? '' : `${plan.table.dimensions[dimension]!} AS key, `;
  const rollupGroup = dimension === null ? '' : ` GROUP BY ${plan.table.dimensions[dimension]!}`;
  const out = [
    `SELECT ${rollupKey}sum(n) AS n FROM ${plan.table.name} WHERE ${rollupWhere(query, plan, d)}${rollupGroup}`,
  ];
  for (const edge of plan.edges) {
    const where = compileWhere({ ...query, range: edge }, d);
    if (dimension === null) out.push(`SELECT count(*) AS n FROM records WHERE ${where}`);
    else {
      const key = dimensionExpression(dimension);
      out.push(`SELECT ${key} AS key, count(*) AS n FROM records WHERE ${where} GROUP BY ${key}`);
    }
  }
  return out;
}

/** RecordStore.count from a plan: one number. */
export function rollupCountSql(query: SearchQuery, plan: RollupPlan, d: SqlDialect): string {
  return `SELECT coalesce(sum(n), 0) AS n FROM (${parts(query, plan, d, null).join(' UNION ALL ')}) AS parts`;
}

/**
 * RecordStore.countBy from a plan: rows `key, n` in countBy's order, the same as counting the records. A
 * key whose rows sum to zero (PostgreSQL keeps deltas until they are folded, postgres/rollups.ts) is no group.
 */
export function rollupCountBySql(
  query: SearchQuery,
  plan: RollupPlan,
  dimension: CountDimension,
  d: SqlDialect,
  limit: number | undefined,
): string {
  const union = parts(query, plan, d, dimension).join(' UNION ALL ');
  const tail = limit === undefined ? '' : ` LIMIT ${d.bind(limit)}`;
  return `SELECT key, sum(n) AS n FROM (${union}) AS parts GROUP BY key HAVING sum(n) <> 0 ORDER BY ${countOrder(dimension)}${tail}`;
}
