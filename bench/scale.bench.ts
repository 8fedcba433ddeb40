/**
 * Scale bench (issue 19): N records (default 10,000,000 over 90 days, time-ordered as a collector
 * stores them) in the SQLite store and in PostgreSQL, searched through the console's HTTP API (a real
 * socket on 127.0.0.1, the routes the console calls), side by side with DuckDB over the same records,
 * each engine's runs of a search together, the engines in turn (measure() says why). Also: the import of
 * the N records beside the read + parse floor of the same file, and the substring index's build time and
 * size at N.
 *
 * Everything it builds is kept under bench/.data/ (git-ignored) by name and reused by the next run: the
 * NDJSON file, scale-N.sqlite (+ .json: what its import measured), the PostgreSQL schema bench_scale_N
 * (+ scale-N-pg.json), scale-N.duckdb. At ten million that is about 60 GB of disk (checked first) and,
 * the first time, about an hour; a rerun measures the searches only (about ten minutes).
 * PostgreSQL: TENANTWATCH_BENCH_PG (else TENANTWATCH_TEST_PG), a postgres:// URL of a database the bench
 * may create a schema in; without either, PostgreSQL is left out and the output says so.
 * TENANTWATCH_BENCH_REBUILD_TEXT_INDEX=sqlite,postgres (or either) drops and builds again the substring index of
 * those stores when it reuses them (to measure a change to the index's build without importing again); the
 * table then dates the index apart.
 *   npm run bench -- scale[:N]        node --import tsx bench/scale.bench.ts [records]
 */
import { existsSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import { RARE_WORD } from '../src/search/testing/generate.js';
import type { SearchPage, Timeline } from '../src/server/api-types.js';
import type { CountRow } from '../src/core/search-query.js';
import { buildServer } from '../src/server/index.js';
import type { Store } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import { duckRows, loadDuck, type Duck } from './lib/duck.js';
import { fileBytes, importInto, removeDb, type ImportResult } from './lib/import-run.js';
import { ensureNdjson, ensureTimeOrdered, ndjsonPath, readAndParse } from './lib/ndjson-data.js';
import { searchCases, type SearchCase } from './lib/search-cases.js';
import { median, ms, p95, progress, thousands } from './lib/stats.js';

const SEED = 20261125;
const END = Date.UTC(2026, 10, 1);
const DAYS = 90;
/** Disk a record needs at most while the bench builds (two NDJSON copies while ordering, both stores, DuckDB). */
const BYTES_PER_RECORD = 6_500;
/** Rows per page the console asks for. */
const PAGE = 100;
/** A case runs at least MIN_RUNS and at most MAX_RUNS times per engine, within about CASE_MS for all engines (a p95 of 31 runs was their second slowest). */
const MIN_RUNS = 5;
const MAX_RUNS = 201;
const CASE_MS = 30_000;

/** What building one store measured, kept beside it so a rerun can quote it. */
interface Built {
  import: Omit<ImportResult, 'runs'>;
  textIndexMs: number;
  textIndexBytes: number;
  storeBytes: number;
  builtAt: string;
  /** When the substring index was built again on the reused store (TENANTWATCH_BENCH_REBUILD_TEXT_INDEX). */
  textIndexAt?: string;
}

/** The stores whose reused substring index is built again. */
const REBUILD_TEXT_INDEX = new Set(
  (process.env.TENANTWATCH_BENCH_REBUILD_TEXT_INDEX ?? '').split(',').map((s) => s.trim()),
);

interface Engine {
  name: string;
  built: Built | null;
  /** The first page of a search, its exact count, or its grouped counts: [time ms, matches]. */
  probe(kind: 'first' | 'count' | 'grouped', c: SearchCase): Promise<number>;
  close(): Promise<void>;
}

function readBuilt(file: string): Built | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Built;
  } catch {
    return null;
  }
}

async function buildStore(store: Store, file: string, bytes: () => Promise<number>): Promise<Built> {
  const imported = await importInto(store, file);
  return withTextIndex(
    store,
    { import: imported, textIndexMs: NaN, textIndexBytes: NaN, storeBytes: 0, builtAt: '' },
    bytes,
  );
}

/**
 * Builds the substring index of a store and measures it; a reused store built before its kind had one
 * (its textIndexMs is not a number) gets it now.
 */
async function withTextIndex(
  store: Store,
  built: Built,
  bytes: () => Promise<number>,
  indexBytes?: () => number,
): Promise<Built> {
  const again = REBUILD_TEXT_INDEX.has(store.kind) && Number.isFinite(built.textIndexMs);
  if (!again && Number.isFinite(built.textIndexMs)) return built;
  if (again) {
    progress('dropping the substring index to build it again');
    await store.records.optimize?.({ textIndex: false });
  }
  const before = await bytes();
  progress('building the substring index');
  const optimized = await store.records.optimize?.({ textIndex: true });
  const storeBytes = await bytes();
  const at = new Date().toISOString();
  return {
    ...built,
    textIndexMs: optimized?.textIndex ? optimized.textIndexMs : NaN,
    textIndexBytes: optimized?.textIndex ? (indexBytes?.() ?? storeBytes - before) : NaN,
    storeBytes,
    ...(again ? { textIndexAt: at } : { builtAt: at }),
  };
}

/**
 * The pages of a SQLite store's substring index (its tables and their indexes, read in dbstat): a rebuilt
 * index re-uses the pages the dropped one freed, so the file's growth would not show its size.
 */
function sqliteIndexBytes(db: string): number {
  const reader = new Database(db, { readonly: true });
  try {
    const names = reader
      .prepare("SELECT name FROM sqlite_master WHERE tbl_name LIKE 'text\\_%' ESCAPE '\\' AND rootpage > 0")
      .pluck()
      .all() as string[];
    const size = reader.prepare('SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ?').pluck();
    return names.reduce((sum, name) => sum + (size.get(name) as number), 0);
  } finally {
    reader.close();
  }
}

async function sqliteStore(dir: string, total: number, file: string): Promise<{ store: Store; built: Built }> {
  const db = join(dir, `scale-${total}.sqlite`);
  const meta = `${db}.json`;
  const reuse = existsSync(db) ? readBuilt(meta) : null;
  if (reuse) {
    const store = await openStore(`sqlite:${db}`);
    const built = await withTextIndex(
      store,
      reuse,
      async () => fileBytes(db),
      () => sqliteIndexBytes(db),
    );
    writeFileSync(meta, JSON.stringify(built, null, 2));
    return { store, built };
  }
  rmSync(meta, { force: true });
  removeDb(db);
  progress(`importing ${thousands(total)} records into ${db}`);
  const store = await openStore(`sqlite:${db}`);
  const built = await buildStore(store, file, async () => fileBytes(db));
  writeFileSync(meta, JSON.stringify(built, null, 2));
  return { store, built };
}

async function postgresStore(
  dir: string,
  total: number,
  file: string,
  url: string,
): Promise<{ store: Store; built: Built }> {
  const schema = `bench_scale_${total}`;
  const meta = join(dir, `scale-${total}-pg.json`);
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
    const reuse = exists ? readBuilt(meta) : null;
    const withSchema = new URL(url);
    withSchema.searchParams.set('schema', schema);
    const bytes = async (): Promise<number> =>
      Number(
        (
          await admin.query<{ n: string }>(
            `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS n FROM pg_class c
             JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1 AND c.relkind IN ('r', 'm')`,
            [schema],
          )
        ).rows[0]!.n,
      );
    if (reuse) {
      const store = await openStore(withSchema.toString());
      const built = await withTextIndex(store, reuse, bytes);
      writeFileSync(meta, JSON.stringify(built, null, 2));
      return { store, built };
    }
    rmSync(meta, { force: true });
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    progress(`importing ${thousands(total)} records into PostgreSQL schema ${schema}`);
    const store = await openStore(withSchema.toString());
    const built = await buildStore(store, file, bytes);
    writeFileSync(meta, JSON.stringify(built, null, 2));
    return { store, built };
  } finally {
    await admin.end();
  }
}

/** The console's HTTP API over one store: a real server on 127.0.0.1, keep-alive as a browser keeps it. */
async function apiEngine(name: string, store: Store, built: Built): Promise<Engine> {
  const app = await buildServer({ store, clock: systemClock, logger: silentLogger });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const call = (path: string, params: Record<string, string>): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const url = `http://127.0.0.1:${port}${path}?${new URLSearchParams(params).toString()}`;
      get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${name}: ${url} answered ${res.statusCode}: ${body}`));
          else resolve(JSON.parse(body));
        });
      }).on('error', reject);
    });
  return {
    name,
    built,
    async probe(kind, c) {
      if (kind === 'first') {
        const page = (await call('/api/search', { ...c.filters, limit: String(PAGE) })) as SearchPage;
        return page.records.length;
      }
      if (kind === 'count') return ((await call('/api/search/count', c.filters)) as { count: number }).count;
      // Every group (DuckDB returns every group too; the console's bars ask for the top 20).
      const grouped =
        c.dimension === 'day'
          ? ((await call('/api/search/timeline', { ...c.filters, bucket: 'day' })) as Timeline)
          : ((await call('/api/search/counts', { ...c.filters, by: 'operation', limit: '1000' })) as {
              rows: CountRow[];
            });
      return grouped.rows.reduce((sum, r) => sum + r.count, 0);
    },
    async close() {
      agent.destroy();
      await app.close();
      await store.close();
    },
  };
}

function duckEngine(duck: Duck): Engine {
  const ORDER = 'ORDER BY creation_time DESC, tenant DESC, id DESC';
  return {
    name: 'DuckDB',
    built: null,
    async probe(kind, c) {
      const where = `WHERE ${c.duckWhere}`;
      if (kind === 'first')
        return (await duckRows(duck, `SELECT * FROM records ${where} ${ORDER} LIMIT ${PAGE}`, c.duckParams)).length;
      if (kind === 'count')
        return Number((await duckRows(duck, `SELECT count(*) AS n FROM records ${where}`, c.duckParams))[0]?.n ?? 0);
      const key =
        c.dimension === 'day'
          ? 'creation_time - ((creation_time % 86400000) + 86400000) % 86400000'
          : 'lower(operation)';
      const rows = await duckRows(
        duck,
        `SELECT ${key} AS key, count(*) AS n FROM records ${where} GROUP BY 1 ORDER BY 2 DESC, 1`,
        c.duckParams,
      );
      return rows.reduce((sum, r) => sum + Number(r.n), 0);
    },
    async close() {
      duck.close();
    },
  };
}

interface Measured {
  times: number[];
  matches: number;
}

let rotation = 0;

/**
 * Every engine's probe of one kind: each engine's runs together, after a warm-up of its own, the engines in
 * turn, their order rotating from one measurement to the next so none always goes first. Not interleaved run
 * by run: a DuckDB query between two requests (a scan of every record on the same two cores) left the store's
 * caches cold, doubling its part of a first page (0.55 → 1.04 ms, the API's 2.0 → 3.5 ms median, even with
 * 20 ms between the two), which no console request meets.
 */
async function measure(engines: readonly Engine[], kind: 'first' | 'count' | 'grouped', c: SearchCase) {
  const out = engines.map((): Measured => ({ times: [], matches: -1 }));
  const first = rotation++ % engines.length;
  for (let k = 0; k < engines.length; k++) {
    const i = (first + k) % engines.length;
    const e = engines[i]!;
    out[i]!.matches = await e.probe(kind, c); // warm-up
    const started = performance.now();
    const budget = CASE_MS / engines.length;
    for (let run = 0; run < MAX_RUNS && (run < MIN_RUNS || performance.now() - started < budget); run++) {
      const t0 = performance.now();
      await e.probe(kind, c);
      out[i]!.times.push(performance.now() - t0);
    }
  }
  return out;
}

function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

function gb(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

export async function run(total = 10_000_000): Promise<string> {
  const dir = join(import.meta.dirname, '.data');
  const options = { seed: SEED, end: END, days: DAYS };
  const generated = ndjsonPath(dir, total, options);
  const file = generated.replace(/\.ndjson$/, '-by-time.ndjson');
  const pgUrl = process.env.TENANTWATCH_BENCH_PG ?? process.env.TENANTWATCH_TEST_PG;
  const needed = total * BYTES_PER_RECORD;
  const free = freeBytes(existsSync(dir) ? dir : import.meta.dirname);
  progress(
    `scale bench at ${thousands(total)} records: needs up to ${gb(needed)} of disk the first time (${gb(free)} free)`,
  );
  if (!existsSync(file) && free < needed) {
    throw new Error(
      `The scale bench needs about ${gb(needed)} free under ${dir} to build its data (${gb(free)} free): free some space or run a smaller tier (npm run bench -- scale:1000000)`,
    );
  }
  if (!existsSync(file)) {
    const data = await ensureNdjson(generated, total, options);
    await ensureTimeOrdered(generated, file);
    // Only the copy this run generated goes (disk): a file another bench made stays.
    if (data.generatedMs !== null) rmSync(generated, { force: true });
  }
  progress('read + JSON.parse of the file (the floor)');
  const floor = await readAndParse(file);

  const engines: Engine[] = [];
  const notes: string[] = [];
  const sqlite = await sqliteStore(dir, total, file);
  engines.push(await apiEngine('SQLite (API)', sqlite.store, sqlite.built));
  if (pgUrl) {
    const postgres = await postgresStore(dir, total, file, pgUrl);
    engines.push(await apiEngine('PostgreSQL (API)', postgres.store, postgres.built));
  } else {
    notes.push('PostgreSQL not measured: set TENANTWATCH_BENCH_PG (or TENANTWATCH_TEST_PG) to a postgres:// URL.');
  }
  progress('DuckDB');
  const duck = await loadDuck(file, { path: join(dir, `scale-${total}.duckdb`), expected: total });
  engines.push(duckEngine(duck));

  const cases = searchCases(END);
  const lines: string[] = [];
  const verdicts: string[] = [];
  const cell = (m: Measured): string => `${ms(median(m.times))} / ${ms(p95(m.times))}`;
  try {
    for (const c of cases) {
      const kinds = c.kind === 'countBy' ? (['grouped'] as const) : (['first', 'count'] as const);
      for (const kind of kinds) {
        progress(`  ${c.title}: ${kind}`);
        const results = await measure(engines, kind, c);
        const duckResult = results.at(-1)!;
        const what = kind === 'first' ? `first page of ${PAGE}` : kind === 'count' ? 'exact count' : 'grouped counts';
        const row = results.map((m, i) => {
          const agree = i < results.length - 1 && m.matches !== duckResult.matches ? ' ⚠ differs' : '';
          return `${cell(m)} (${thousands(m.matches)}${agree})`;
        });
        const ratios = results
          .slice(0, -1)
          .map((m) => `${(median(duckResult.times) / median(m.times)).toFixed(median(m.times) > 0 ? 2 : 0)}×`);
        lines.push(`| ${c.title} | ${what} | ${row.join(' | ')} | ${ratios.join(' / ')} |`);
        for (const [i, m] of results.slice(0, -1).entries()) {
          const engine = engines[i]!.name;
          const ratio = median(duckResult.times) / median(m.times);
          if (c.id === 'user-7d' && kind === 'first')
            verdicts.push(
              target(`${engine}: one user, 7 days, first page p95`, p95(m.times) < 5, ms(p95(m.times)), '< 5 ms'),
            );
          if (c.id === 'ops-30d')
            verdicts.push(
              target(`${engine}: count by operation, 30 days, vs DuckDB`, ratio >= 1, `${ratio.toFixed(2)}×`, '≥ 1.0×'),
            );
          if (c.id === 'object-30d')
            verdicts.push(
              target(
                `${engine}: object substring ${kind === 'first' ? 'first page' : 'count'}, 30 days, vs DuckDB`,
                ratio >= 1,
                `${ratio.toFixed(2)}×`,
                '≥ 1.0×',
              ),
            );
          if (c.id === 'rare-word')
            verdicts.push(
              target(
                `${engine}: a rare free-text word ("${RARE_WORD}") ${kind === 'first' ? 'first page' : 'count'}, 60 days`,
                median(m.times) < 200,
                ms(median(m.times)),
                '< 200 ms',
              ),
            );
        }
      }
    }
  } finally {
    for (const e of engines) await e.close();
  }

  const perMillion = 1_000_000 / total;
  const builds = engines
    .filter((e) => e.built)
    .map((e) => {
      const b = e.built!;
      const buildS = (b.textIndexMs / 1000) * perMillion;
      const mb = (b.textIndexBytes / 2 ** 20) * perMillion;
      verdicts.push(
        target(`${e.name}: substring index build per million records`, buildS < 15, `${buildS.toFixed(1)} s`, '< 15 s'),
      );
      verdicts.push(
        target(`${e.name}: substring index size per million records`, mb < 500, `${mb.toFixed(0)} MB`, '< 500 MB'),
      );
      const rate = (b.import.records / b.import.ms) * 1000;
      const floorRate = (floor.records / floor.ms) * 1000;
      return `| ${e.name.replace(' (API)', '')} | ${(b.import.ms / 60_000).toFixed(1)} min (${thousands(rate)} records/s, ${((rate / floorRate) * 100).toFixed(0)}% of the floor) | ${b.import.peakRss === null ? '–' : gb(b.import.peakRss)} | ${(b.textIndexMs / 1000).toFixed(0)} s, ${gb(b.textIndexBytes)} | ${gb(b.storeBytes)} | ${b.builtAt.slice(0, 10)}${b.textIndexAt ? ` (index ${b.textIndexAt.slice(0, 10)})` : ''} |`;
    });

  return [
    `${thousands(total)} generated records (src/search/testing/generate.ts, seed ${SEED}, 4 tenants, ${DAYS} days to ${new Date(END).toISOString().slice(0, 10)}), in time order as a collector stores them. `,
    `Searches through the console's HTTP API (a real socket on 127.0.0.1, keep-alive) on each store, and DuckDB ${duck.loadMs === null ? '(its database file reused)' : `(loaded in ${(duck.loadMs / 1000).toFixed(0)} s)`} over the same records with SQL, each engine's runs of a search together after a warm-up of its own, the engines in turn (in rotating order; run by run, DuckDB's scans between two requests left the stores' caches cold); median / p95 over ${MIN_RUNS}–${MAX_RUNS} runs, matches in brackets. "×" is DuckDB's median divided by the store's (above 1: tenantwatch is faster).`,
    '',
    `| search | answer | ${engines.map((e) => e.name).join(' | ')} | × (${engines
      .slice(0, -1)
      .map((e) => e.name.replace(' (API)', ''))
      .join(' / ')}) |`,
    `|---|---|${engines.map(() => '---|').join('')}---|`,
    ...lines,
    '',
    `Building the stores (once; reused by later runs, dated): the read + JSON.parse floor of the same file is ${(floor.ms / 1000).toFixed(0)} s (${thousands((floor.records / floor.ms) * 1000)} records/s) in this run.`,
    '',
    '| store | import with every structured index | peak RSS | substring index (build, size) | store size | built |',
    '|---|---|---|---|---|---|',
    ...builds,
    '',
    ...notes,
    'Targets (issue 19):',
    ...verdicts.map((v) => `- ${v}`),
  ].join('\n');
}

function target(what: string, met: boolean, value: string, goal: string): string {
  return `${what}: ${value} (target ${goal}) — ${met ? 'met' : '**missed**'}`;
}

export default run;

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write((await run(Number(process.argv[2]) || 10_000_000)) + '\n');
}
