import { join } from 'node:path';
import { openStore } from '../src/store/open.js';
import { ensureNdjson, ndjsonPath, readAndParse } from './lib/ndjson-data.js';
import { importInto, removeDb } from './lib/import-run.js';
const total = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 1);
const dir = join(import.meta.dirname, '.data');
const options = { seed: 20261125, end: Date.UTC(2026, 10, 1), days: 60 };
const file = ndjsonPath(dir, total, options);
await ensureNdjson(file, total, options);
for (let i = 0; i < rounds; i++) {
  const f = await readAndParse(file);
  const dbPath = join(dir, `scratch-${total}.sqlite`);
  removeDb(dbPath);
  const store = await openStore(`sqlite:${dbPath}`);
  const r = await importInto(store, file);
  await store.close();
  console.log(`floor ${f.ms.toFixed(0)} ms  import ${r.ms.toFixed(0)} ms (index ${r.indexMs?.toFixed(0)}, analyze ${r.analyzeMs.toFixed(0)}) worker=${r.worker} ${(f.ms / r.ms * 100).toFixed(1)}% rss ${(r.peakRss!/1e9).toFixed(2)}GB`);
  removeDb(dbPath);
}
