import type { Store } from '../../src/store/contract.js';
import { duckRows, type Duck } from './duck.js';
import type { SearchCase } from './search-cases.js';
import { median, ms, p95, thousands } from './stats.js';

/**
 * Times each search case on the store and on DuckDB, interleaving the two engines run by run so a
 * burst of load on this shared machine hits both. A case runs at least 5 and at most 21 times,
 * fewer when one run is slow (a scan), within about 20 s per case.
 */
export interface Timing {
  median: number;
  p95: number;
  runs: number;
}

export interface CaseResult {
  id: string;
  title: string;
  mode: string;
  kind: SearchCase['kind'];
  matches: number;
  duckMatches: number;
  /** First page of 100 rows (rows) — not measured for countBy. */
  first: Timing;
  /** Every row (rows) or the grouped counts (countBy). */
  all: Timing;
  count: Timing;
  duckFirst: Timing;
  duckAll: Timing;
  duckCount: Timing;
}

const ORDER = 'ORDER BY creation_time DESC, tenant DESC, id DESC';
const NONE: Timing = { median: NaN, p95: NaN, runs: 0 };

async function drain(rows: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of rows) n++;
  return n;
}

type Probe = () => Promise<number>;

function probes(
  store: Store,
  duck: Duck,
  c: SearchCase,
): Record<'first' | 'all' | 'count' | 'duckFirst' | 'duckAll' | 'duckCount', Probe | null> {
  const where = `WHERE ${c.duckWhere}`;
  const duckNumber = async (sql: string): Promise<number> =>
    Number((await duckRows(duck, sql, c.duckParams))[0]?.n ?? 0);
  if (c.kind === 'countBy') {
    const dimension = c.dimension ?? 'operation';
    const key =
      dimension === 'day' ? 'creation_time - ((creation_time % 86400000) + 86400000) % 86400000' : 'lower(operation)';
    const order = dimension === 'day' ? 'key' : 'n DESC, key';
    return {
      first: null,
      all: async () => (await store.records.countBy(c.query, dimension)).length,
      count: () => store.records.count(c.query),
      duckFirst: null,
      duckAll: async () =>
        (
          await duckRows(
            duck,
            `SELECT ${key} AS key, count(*) AS n FROM records ${where} GROUP BY 1 ORDER BY ${order}`,
            c.duckParams,
          )
        ).length,
      duckCount: () => duckNumber(`SELECT count(*) AS n FROM records ${where}`),
    };
  }
  return {
    first: () => drain(store.records.search(c.query, { limit: 100 })),
    all: () => drain(store.records.search(c.query)),
    count: () => store.records.count(c.query),
    duckFirst: async () =>
      (await duckRows(duck, `SELECT * FROM records ${where} ${ORDER} LIMIT 100`, c.duckParams)).length,
    duckAll: async () => (await duckRows(duck, `SELECT * FROM records ${where} ${ORDER}`, c.duckParams)).length,
    duckCount: () => duckNumber(`SELECT count(*) AS n FROM records ${where}`),
  };
}

export async function measureCases(
  store: Store,
  duck: Duck,
  cases: readonly SearchCase[],
  mode: string,
): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) {
    process.stderr.write(`[bench]   ${c.title} (${mode})\n`);
    const p = probes(store, duck, c);
    const names = Object.keys(p) as (keyof typeof p)[];
    const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<keyof typeof p, number[]>;
    for (const n of names) await p[n]?.(); // warm-up: caches and prepared plans, as a repeated search would have them
    const started = performance.now();
    for (let run = 0; run < 21 && (run < 5 || performance.now() - started < 20_000); run++) {
      for (const n of names) {
        const probe = p[n];
        if (!probe) continue;
        const t0 = performance.now();
        await probe();
        times[n].push(performance.now() - t0);
      }
    }
    const timing = (xs: number[]): Timing => (xs.length ? { median: median(xs), p95: p95(xs), runs: xs.length } : NONE);
    out.push({
      id: c.id,
      title: c.title,
      mode,
      kind: c.kind,
      matches: await store.records.count(c.query),
      duckMatches: await p.duckCount!(),
      first: timing(times.first),
      all: timing(times.all),
      count: timing(times.count),
      duckFirst: timing(times.duckFirst),
      duckAll: timing(times.duckAll),
      duckCount: timing(times.duckCount),
    });
  }
  return out;
}

export function renderCases(results: readonly CaseResult[]): string {
  const t = (x: Timing): string => (x.runs ? `${ms(x.median)} / ${ms(x.p95)}` : '–');
  const ratio = (a: Timing, b: Timing): string => {
    if (!a.runs || !b.runs) return '–';
    const x = b.median / a.median;
    return `${x >= 10 ? Math.round(x).toLocaleString('en-US') : x.toFixed(x >= 1 ? 1 : 2)}×`;
  };
  const rows = results.map((r) => {
    const matches = r.kind === 'countBy' ? `${thousands(r.matches)} (grouped)` : thousands(r.matches);
    const agree = r.matches === r.duckMatches ? '' : ` (DuckDB: ${thousands(r.duckMatches)})`;
    return `| ${r.title} | ${r.mode} | ${matches}${agree} | ${t(r.first)} | ${t(r.all)} | ${t(r.count)} | ${t(r.duckFirst)} | ${t(r.duckAll)} | ${t(r.duckCount)} | ${ratio(r.all, r.duckAll)} |`;
  });
  return [
    'Median / p95 over the runs (5–21 per case, the two engines interleaved). "First 100" is a first page newest first; "every row" streams all matches',
    '(for the count by operation: the grouped counts); "×" is DuckDB\'s median for every row divided by tenantwatch\'s (above 1: tenantwatch is faster).',
    '',
    '| search | store mode | matches | tenantwatch first 100 | tenantwatch every row | tenantwatch count | DuckDB first 100 | DuckDB every row | DuckDB count | × |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
