import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { GENERATOR_VERSION, rawRecords, type GenerateOptions } from '../../src/search/testing/generate.js';
import { progress } from './stats.js';

/**
 * Where the benches keep N generated records for these options: the seed, the generator's version and
 * the sign-in mode are in the name, so data an older generator wrote is never taken for today's.
 */
export function ndjsonPath(dir: string, n: number, options: GenerateOptions): string {
  const mode = options.signIns === 'scattered' ? '-scattered' : '';
  return join(dir, `records-${n}-seed${options.seed}-gen${GENERATOR_VERSION}${mode}.ndjson`);
}

/**
 * The benchmark's input: N realistic records (src/search/testing/generate.ts, seeded) as one NDJSON
 * file under bench/.data/ (git-ignored). Written once, to a temporary name renamed at the end, so an
 * interrupted run never leaves a short file that a later run would trust.
 */
export async function ensureNdjson(
  file: string,
  n: number,
  options: GenerateOptions,
): Promise<{ bytes: number; generatedMs: number | null }> {
  if (existsSync(file)) return { bytes: statSync(file).size, generatedMs: null };
  progress(`generating ${n.toLocaleString('en-US')} records into ${file}`);
  const t0 = performance.now();
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  let block = '';
  let i = 0;
  for (const line of rawRecords(n, options)) {
    block += line + '\n';
    if (block.length > 1 << 20) {
      if (!out.write(block)) await once(out, 'drain');
      block = '';
    }
    if (++i % 200_000 === 0) progress(`  ${i.toLocaleString('en-US')} generated`);
  }
  out.end(block);
  await once(out, 'finish');
  renameSync(partial, file);
  return { bytes: statSync(file).size, generatedMs: performance.now() - t0 };
}

/**
 * The floor any importer is compared with: read the file in 1 MB chunks, split on newlines as
 * Buffers, JSON.parse every line, keep nothing (ENVIRONMENT.md measured ~300,000 records/s this way).
 */
export async function readAndParse(file: string): Promise<{ records: number; ms: number }> {
  const t0 = performance.now();
  let records = 0;
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      if (nl > start) {
        JSON.parse(data.toString('utf8', start, nl));
        records++;
      }
      start = nl + 1;
    }
    rest = data.subarray(start);
  }
  if (rest.length) {
    JSON.parse(rest.toString('utf8'));
    records++;
  }
  return { records, ms: performance.now() - t0 };
}
