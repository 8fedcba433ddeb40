/**
 * Detections (issue 14): what the whole rule pack costs live, on every imported record, and how long a
 * retro run of the pack takes over the stored records.
 * - Live: the same generated NDJSON (bench/lib/ndjson-data.ts, the search bench's records) imported
 *   twice into a fresh SQLite store as `tenantwatch import` does, once plainly and once with every
 *   batch also pushed through the pack's Evaluator after it is stored; target: at least 75% of the
 *   plain rate.
 * - Retro: runRetro over everything stored (all 60 days, all tenants); target: under 30 s for a million.
 * Run: `npm run bench -- detections` (a million records) or `node --import tsx bench/detections.bench.ts N`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DAY } from '../src/core/time.js';
import type { AuditRecord } from '../src/core/record.js';
import { createEvaluator } from '../src/detections/evaluator.js';
import { loadRuleSet } from '../src/detections/loader.js';
import { runRetro } from '../src/detections/retro.js';
import { importFiles, memoryRejects } from '../src/ingest/import/index.js';
import { GENERATOR_VERSION } from '../src/search/testing/generate.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/contract.js';
import { ensureNdjson, ndjsonPath } from './lib/ndjson-data.js';
import { ms, progress, thousands } from './lib/stats.js';

const SEED = 20261125;
const END = Date.UTC(2026, 10, 1);
const DAYS = 60;

async function freshStore(name: string): Promise<Store> {
  const db = join(import.meta.dirname, '.data', name);
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(db + suffix, { force: true });
  return openStore(`sqlite:${db}`);
}

async function importOnce(
  file: string,
  name: string,
  after?: (records: AuditRecord[]) => void,
): Promise<{ store: Store; ms: number }> {
  const store = await freshStore(name);
  const bulk = store.records.bulk?.();
  const t0 = performance.now();
  await importFiles([file], {
    parallel: 'auto',
    rejects: memoryRejects(),
    sink: async (records) => {
      const result = await (bulk ? bulk.insert(records) : store.records.insert(records));
      after?.(records);
      return result;
    },
  });
  await bulk?.close();
  return { store, ms: performance.now() - t0 };
}

export async function run(total: number): Promise<string> {
  const file = ndjsonPath(join(import.meta.dirname, '.data'), total, { seed: SEED, end: END, days: DAYS });
  await ensureNdjson(file, total, { seed: SEED, end: END, days: DAYS });
  const pack = loadRuleSet();
  progress('import without detections');
  const plain = await importOnce(file, 'detections-plain.sqlite');
  await plain.store.close();
  progress('import with the whole pack live');
  const evaluator = createEvaluator(pack);
  let liveHits = 0;
  const live = await importOnce(file, 'detections-live.sqlite', (records) => {
    liveHits += evaluator.push(records.map((r) => ({ ...r, ingestedAt: r.creationTime }))).length;
  });
  liveHits += evaluator.flush().length;
  progress('retro run of the whole pack');
  const t0 = performance.now();
  const retro = await runRetro(live.store, pack, { start: END - (DAYS + 1) * DAY, end: END });
  const retroMs = performance.now() - t0;
  await live.store.close();
  const share = plain.ms / live.ms;
  const alerting = pack.rules.filter((r) => r.kind !== 'record' || r.generate).length;
  return [
    `${thousands(total)} generated records (src/search/testing/generate.ts version ${GENERATOR_VERSION}, seed ${SEED}, 4 tenants, ${DAYS} days); the shipped pack: ${pack.rules.length} rules (${alerting} alerting).`,
    '',
    '| step | time | records/s | |',
    '|---|---:|---:|---|',
    `| import, no detections | ${ms(plain.ms)} | ${thousands(Math.round(total / (plain.ms / 1000)))}/s | |`,
    `| import, whole pack live | ${ms(live.ms)} | ${thousands(Math.round(total / (live.ms / 1000)))}/s | ${Math.round(share * 100)}% of the plain rate; ${thousands(liveHits)} hits |`,
    `| retro run of the pack over all stored records | ${ms(retroMs)} | ${thousands(Math.round(total / (retroMs / 1000)))}/s | ${thousands(retro.length)} hits |`,
    '',
    `- Live import at >= 75% of the plain rate: ${share >= 0.75 ? 'MET' : 'MISSED'}: ${Math.round(share * 100)}%`,
    `- Retro run under 30 s${total === 1_000_000 ? '' : ` (scaled to a million: ${ms((retroMs * 1_000_000) / total)})`}: ${(retroMs * 1_000_000) / total < 30_000 ? 'MET' : 'MISSED'}`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write((await run(Number(process.argv[2]) || 1_000_000)) + '\n');
}
