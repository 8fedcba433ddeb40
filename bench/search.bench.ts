/**
 * Search bench (issue 2, acceptance): on a generated 1,000,000-record NDJSON file,
 *   1. the floor: read + JSON.parse of the file;
 *   2. import through the real importer (ingest importFiles) into a fresh SQLite store, every index
 *      the structured filters use built within the import time (plus ANALYZE, shown apart);
 *   3. the free-text index, built separately, with its cost in time and bytes;
 *   4. latency (median, p95) of typical investigation searches, side by side with DuckDB over the
 *      same file, runs interleaved so both see the same machine load.
 * Results as Markdown on stdout (bench/run.ts puts them in docs/BENCHMARKS.md); progress on stderr.
 *   npm run bench -- search           node --import tsx bench/search.bench.ts [records]
 */
import { join } from 'node:path';
import type { Store } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import { GENERATOR_VERSION } from '../src/search/testing/generate.js';
import { loadDuck, type Duck } from './lib/duck.js';
import { ensureNdjson, ndjsonPath, readAndParse } from './lib/ndjson-data.js';
import { fileBytes, importInto, removeDb, type ImportResult } from './lib/import-run.js';
import { measureCases, renderCases, type CaseResult } from './lib/search-measure.js';
import { searchCases } from './lib/search-cases.js';
import { median, ms, progress, thousands } from './lib/stats.js';

const SEED = 20261125;
const END = Date.UTC(2026, 10, 1);
const DAYS = 60;
/** Imports measured (each into a fresh store), alternating with IMPORT_ROUNDS + 1 floor runs. */
const IMPORT_ROUNDS = 3;

export async function run(total = 1_000_000): Promise<string> {
  const dir = join(import.meta.dirname, '.data');
  const options = { seed: SEED, end: END, days: DAYS };
  const file = ndjsonPath(dir, total, options);
  const data = await ensureNdjson(file, total, options);
  const dbPath = join(dir, `search-${total}.sqlite`);
  // The floor and the import alternate (floor, import, floor, …, floor), each import into a fresh store,
  // so both see the same machine; the medians are compared. The last import's store is searched below.
  const floors: { records: number; ms: number }[] = [];
  const imports: ImportResult[] = [];
  let store: Store | undefined;
  for (let round = 0; round < IMPORT_ROUNDS; round++) {
    progress(`read + JSON.parse (${round + 1}/${IMPORT_ROUNDS + 1})`);
    floors.push(await readAndParse(file));
    await store?.close();
    removeDb(dbPath);
    store = await openStore(`sqlite:${dbPath}`);
    progress(`import into a fresh SQLite store (${round + 1}/${IMPORT_ROUNDS})`);
    imports.push(await importInto(store, file));
  }
  progress(`read + JSON.parse (${IMPORT_ROUNDS + 1}/${IMPORT_ROUNDS + 1})`);
  floors.push(await readAndParse(file));
  const parse = { records: floors[0]!.records, ms: median(floors.map((f) => f.ms)), runs: floors.map((f) => f.ms) };
  const imported = {
    ...imports.at(-1)!,
    ms: median(imports.map((i) => i.ms)),
    runs: imports.map((i) => i.ms),
    workers: imports.filter((i) => i.worker).length,
    peaks: imports.map((i) => i.peakRss),
  };
  let duck: Duck | undefined;
  try {
    if (!store) throw new Error('no import ran');
    const sizeBefore = fileBytes(dbPath);
    progress('DuckDB load');
    duck = await loadDuck(file);
    const cases = searchCases(END);
    progress('searches');
    const results: CaseResult[] = await measureCases(
      store,
      duck,
      cases.filter((c) => !c.substring),
      'no substring index',
    );
    const substring = cases.filter((c) => c.substring);
    results.push(...(await measureCases(store, duck, substring, 'scan (no substring index)')));
    progress('building the substring index');
    const text = await store.records.optimize?.({ textIndex: true });
    const textBytes = fileBytes(dbPath) - sizeBefore;
    results.push(...(await measureCases(store, duck, substring, 'with the substring index')));
    return report({
      total,
      bytes: data.bytes,
      parse,
      imported,
      duckLoadMs: duck.loadMs ?? NaN,
      dbBytes: sizeBefore,
      text: text ? { ms: text.textIndexMs, bytes: textBytes } : null,
      results,
    });
  } finally {
    duck?.close();
    await store?.close();
  }
}

interface Report {
  total: number;
  bytes: number;
  /** Medians, with every run's time. */
  parse: { records: number; ms: number; runs: number[] };
  imported: ImportResult & { runs: number[]; workers: number; peaks: (number | null)[] };
  duckLoadMs: number;
  dbBytes: number;
  text: { ms: number; bytes: number } | null;
  results: CaseResult[];
}

function report(r: Report): string {
  const rate = (n: number, t: number): string => `${thousands(n / (t / 1000))}/s`;
  const parseRate = r.parse.records / (r.parse.ms / 1000);
  const importRate = r.imported.records / (r.imported.ms / 1000);
  const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MB`;
  const lines = [
    `${thousands(r.total)} generated records (src/search/testing/generate.ts version ${GENERATOR_VERSION}, seed ${SEED}, 4 tenants, ${DAYS} days), NDJSON ${mb(r.bytes)}, ${Math.round(r.bytes / r.total)} bytes per record.`,
    '',
    '### Import',
    '',
    `Medians: read + parse ran ${r.parse.runs.length} times (${r.parse.runs.map(ms).join(', ')}), alternating with ${r.imported.runs.length} imports into a fresh store (${r.imported.runs.map(ms).join(', ')}); the importer chose its parse worker thread in ${r.imported.workers} of them (\`parallel: 'auto'\`, as \`tenantwatch import\` runs).`,
    '',
    '| step | time | records/s | share of read + parse rate |',
    '|---|---|---|---|',
    `| read + JSON.parse (the floor) | ${ms(r.parse.ms)} | ${rate(r.parse.records, r.parse.ms)} | 100% |`,
    `| import: decode, normalize, insert, every structured-filter index built, ANALYZE | ${ms(r.imported.ms)} | ${rate(r.imported.records, r.imported.ms)} | ${((importRate / parseRate) * 100).toFixed(0)}% |`,
    `| … of which building the secondary indexes at the end of the load (last import) | ${r.imported.indexMs === null ? 'maintained row by row' : ms(r.imported.indexMs)} | | |`,
    `| … of which ANALYZE (last import) | ${ms(r.imported.analyzeMs)} | | |`,
    `| the store's substring index (records.optimize({ textIndex: true }): words of raw and object ids), built separately | ${r.text ? ms(r.text.ms) : 'not available'} | ${r.text ? rate(r.total, r.text.ms) : ''} | ${r.text ? `+${mb(r.text.bytes)} on disk` : ''} |`,
    `| DuckDB: read_ndjson_objects into a table (raw text kept) | ${ms(r.duckLoadMs)} | ${rate(r.total, r.duckLoadMs)} | ${((r.total / (r.duckLoadMs / 1000) / parseRate) * 100).toFixed(0)}% |`,
    '',
    `SQLite file after import: ${mb(r.dbBytes)}. Rejected rows: ${r.imported.rejected}. Peak RSS of the importing process during each import (VmHWM; the SQLite page cache of 256 MB and the file mapping count in it): ${r.imported.peaks.map((p) => (p === null ? 'n/a' : mb(p))).join(', ')}.`,
    '',
    '### Search latency',
    '',
    renderCases(r.results),
    '',
    '### Targets (issues 2 and 19)',
    '',
    ...targets(r, importRate / parseRate),
    '',
    `### Targets (issue 19, item 3; measured here at ${thousands(r.total)} records, SQLite)`,
    '',
    ...substringTargets(r),
  ];
  return lines.join('\n');
}

function targets(r: Report, importShare: number): string[] {
  const find = (id: string, mode?: string): CaseResult | undefined =>
    r.results.find((x) => x.id === id && (mode === undefined || x.mode === mode));
  const verdict = (ok: boolean, got: string, target: string): string =>
    `${ok ? 'met' : 'MISSED'}: ${got} (target ${target})`;
  const user = find('user-7d');
  const ops = find('ops-30d');
  const scan = find('rare-word', 'scan (no substring index)');
  const indexed = find('rare-word', 'with the substring index');
  return [
    `- Import at ≥ 1/4 of the read + parse rate, every structured index live (issue 19): ${verdict(importShare >= 0.25, `${(importShare * 100).toFixed(0)}%`, '≥ 25%')}`,
    `- One user + 7 days < 5 ms (first page of 100, median): ${user ? verdict(user.first.median < 5, ms(user.first.median), '< 5 ms') : 'not measured'}; every row (${user ? thousands(user.matches) : '?'}): ${user ? ms(user.all.median) : '–'}`,
    `- Count by operation over 30 days < 50 ms (median): ${ops ? verdict(ops.all.median < 50, ms(ops.all.median), '< 50 ms') : 'not measured'}`,
    `- Free text, rare word < 300 ms (median, every row): without the text index ${scan ? verdict(scan.all.median < 300, ms(scan.all.median), '< 300 ms') : 'not measured'}; with it ${indexed ? verdict(indexed.all.median < 300, ms(indexed.all.median), '< 300 ms') : 'not measured'}, the index costing ${r.text ? `${ms(r.text.ms)} to build and ${(r.text.bytes / 2 ** 20).toFixed(0)} MB` : 'n/a'}`,
  ];
}

/** Issue 19's substring lines: object ≥ DuckDB, rare word < 200 ms, the index < 15 s and < 500 MB per million records. */
function substringTargets(r: Report): string[] {
  const find = (id: string): CaseResult | undefined =>
    r.results.find((x) => x.id === id && x.mode === 'with the substring index');
  const verdict = (ok: boolean, got: string, target: string): string =>
    `${ok ? 'met' : 'MISSED'}: ${got} (target ${target})`;
  const object = find('object-30d');
  const word = find('rare-word');
  const perMillion = 1_000_000 / r.total;
  const buildS = r.text ? (r.text.ms / 1000) * perMillion : NaN;
  const sizeMb = r.text ? (r.text.bytes / 2 ** 20) * perMillion : NaN;
  const ratio = (a: CaseResult): number => a.duckAll.median / a.all.median;
  const countRatio = (a: CaseResult): number => a.duckCount.median / a.count.median;
  return [
    `- Object substring no slower than DuckDB (every row, medians): ${object ? verdict(ratio(object) >= 1, `${ratio(object).toFixed(2)}× (${ms(object.all.median)} vs ${ms(object.duckAll.median)})`, '≥ 1.0×') : 'not measured'}; count: ${object ? `${countRatio(object).toFixed(2)}× (${ms(object.count.median)} vs ${ms(object.duckCount.median)})` : '–'}`,
    `- Rare free-text word < 200 ms (every row, median): ${word ? verdict(word.all.median < 200, ms(word.all.median), '< 200 ms') : 'not measured'}`,
    `- Index build < 15 s per million records: ${r.text ? verdict(buildS < 15, `${buildS.toFixed(1)} s`, '< 15 s') : 'not measured'}; size < 500 MB per million: ${r.text ? verdict(sizeMb < 500, `${sizeMb.toFixed(0)} MB`, '< 500 MB') : 'not measured'}`,
  ];
}

export default run;

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write((await run(Number(process.argv[2]) || 1_000_000)) + '\n');
}
