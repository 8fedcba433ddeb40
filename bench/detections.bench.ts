/**
 * Detections (issue 14): what the whole rule pack costs live, on every imported record, and how long a
 * retro run of the pack takes over the stored records.
 * - Live: the same generated NDJSON (bench/lib/ndjson-data.ts, the search bench's records) imported
 *   into a fresh SQLite store as `tenantwatch import` does, once with `--no-detect` and once with live
 *   detections as the command runs them now: after the import, one pass of the pack over the store's
 *   tail (read in arrival order after the `detections:live` cursor, evaluated, hits raised as alerts,
 *   cursor moved). Plain and live alternate, ROUNDS times each, side by side in one process; target: the
 *   live import keeps at least 75% of the plain rate (ratio of the medians).
 * - Retro: runRetro over everything stored (all 60 days, all tenants), and `detect`'s whole job (the
 *   same plus raising the hits as alerts); target: under 30 s for a million.
 * Run: `npm run bench -- detections` (a million records; BENCH_DETECTIONS_RECORDS=N for fewer) or
 * `node --import tsx bench/detections.bench.ts N`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import { DAY } from '../src/core/time.js';
import { raiseHits } from '../src/detections/alerts/raise.js';
import { openLiveDetections } from '../src/detections/live-session.js';
import { loadRuleSet } from '../src/detections/loader.js';
import { runRetro } from '../src/detections/retro.js';
import { importFiles, memoryRejects } from '../src/ingest/import/index.js';
import { GENERATOR_VERSION } from '../src/search/testing/generate.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/contract.js';
import { ensureNdjson, ndjsonPath } from './lib/ndjson-data.js';
import { median, ms, p95, progress, thousands } from './lib/stats.js';

const SEED = 20261125;
const END = Date.UTC(2026, 10, 1);
const DAYS = 60;
const ROUNDS = 3;

async function freshStore(name: string): Promise<Store> {
  const db = join(import.meta.dirname, '.data', name);
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(db + suffix, { force: true });
  return openStore(`sqlite:${db}`);
}

async function importOnce(file: string, name: string): Promise<{ store: Store; ms: number }> {
  const store = await freshStore(name);
  const bulk = store.records.bulk?.();
  const t0 = performance.now();
  await importFiles([file], {
    parallel: 'auto',
    rejects: memoryRejects(),
    sink: (records) => (bulk ? bulk.insert(records) : store.records.insert(records)),
  });
  await bulk?.close();
  return { store, ms: performance.now() - t0 };
}

interface LiveRun {
  store: Store;
  /** Import and the live pass, as `tenantwatch import` runs them. */
  ms: number;
  passMs: number;
  records: number;
  hits: number;
  alerts: number;
}

async function importLive(file: string, name: string, pack: ReturnType<typeof loadRuleSet>): Promise<LiveRun> {
  const t0 = performance.now();
  const { store } = await importOnce(file, name);
  const t1 = performance.now();
  const session = openLiveDetections(store, pack, { clock: systemClock, logger: silentLogger, posture: false });
  await session.pass();
  const t2 = performance.now();
  const { records, hits, raised } = session.totals;
  return { store, ms: t2 - t0, passMs: t2 - t1, records, hits, alerts: raised };
}

export async function run(total: number): Promise<string> {
  const file = ndjsonPath(join(import.meta.dirname, '.data'), total, { seed: SEED, end: END, days: DAYS });
  await ensureNdjson(file, total, { seed: SEED, end: END, days: DAYS });
  const pack = loadRuleSet();
  const plain: number[] = [];
  const live: LiveRun[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    progress(`round ${round}/${ROUNDS}: import without detections`);
    const p = await importOnce(file, 'detections-plain.sqlite');
    plain.push(p.ms);
    await p.store.close();
    progress(`round ${round}/${ROUNDS}: import with the whole pack live`);
    const l = await importLive(file, 'detections-live.sqlite', pack);
    live.push(l);
    if (round < ROUNDS) await l.store.close();
  }
  const store = live.at(-1)!.store;
  progress('retro run of the whole pack');
  const range = { start: END - (DAYS + 1) * DAY, end: END };
  const retroRuns: number[] = [];
  const detectRuns: number[] = [];
  let hits = 0;
  let duplicates = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const t0 = performance.now();
    const found = await runRetro(store, pack, range);
    const t1 = performance.now();
    // detect's whole job: the same hits raised (the live run raised them already: all duplicates).
    duplicates = (await raiseHits({ store, clock: systemClock, logger: silentLogger }, found)).duplicates;
    retroRuns.push(t1 - t0);
    detectRuns.push(performance.now() - t0);
    hits = found.length;
  }
  await store.close();
  const liveMs = live.map((l) => l.ms);
  const share = median(plain) / median(liveMs);
  const retroMs = median(retroRuns);
  const rate = (x: number) => `${thousands(Math.round(total / (x / 1000)))}/s`;
  const alerting = pack.rules.filter((r) => r.kind !== 'record' || r.generate).length;
  const l = live.at(-1)!;
  const scaled = (x: number) => (x * 1_000_000) / total;
  return [
    `${thousands(total)} generated records (src/search/testing/generate.ts version ${GENERATOR_VERSION}, seed ${SEED}, 4 tenants, ${DAYS} days); the shipped pack: ${pack.rules.length} rules (${alerting} alerting). ${ROUNDS} rounds, plain and live imports alternating in one process (side by side), each into a fresh SQLite file; the machine is shared with other work and noisy, so only the ratio within this run means much.`,
    '',
    '| step | median | p95 (of ' + ROUNDS + ') | records/s (median) | |',
    '|---|---:|---:|---:|---|',
    `| import, \`--no-detect\` | ${ms(median(plain))} | ${ms(p95(plain))} | ${rate(median(plain))} | |`,
    `| import with live detections (import + one pass of the pack over the tail) | ${ms(median(liveMs))} | ${ms(p95(liveMs))} | ${rate(median(liveMs))} | ${Math.round(share * 100)}% of the plain rate; the pass alone ${ms(median(live.map((x) => x.passMs)))} for ${thousands(l.records)} records, ${thousands(l.hits)} hits, ${thousands(l.alerts)} alerts |`,
    `| retro run of the pack over all stored records (runRetro) | ${ms(retroMs)} | ${ms(p95(retroRuns))} | ${rate(retroMs)} | ${thousands(hits)} hits |`,
    `| detect's whole job (runRetro + raising the hits) | ${ms(median(detectRuns))} | ${ms(p95(detectRuns))} | ${rate(median(detectRuns))} | ${thousands(duplicates)} already raised live |`,
    '',
    `- Live import at >= 75% of the plain rate: ${share >= 0.75 ? 'MET' : 'MISSED'}: ${Math.round(share * 100)}%`,
    `- Retro run under 30 s${total === 1_000_000 ? '' : ` (scaled to a million: ${ms(scaled(retroMs))})`}: ${scaled(retroMs) < 30_000 ? 'MET' : 'MISSED'}: ${ms(retroMs)}`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // BENCH_DETECTIONS_RECORDS: fewer records through `npm run bench` on a machine too busy for a million.
  const n = Number(process.argv[2]) || Number(process.env.BENCH_DETECTIONS_RECORDS) || 1_000_000;
  process.stdout.write((await run(n)) + '\n');
}
