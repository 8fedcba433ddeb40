import {
  appendFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createInterface } from 'node:readline';
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
  // 60 days (the search and reports benches') unnamed, so their files keep their names.
  const days = options.days === 60 ? '' : `-${options.days}d`;
  return join(dir, `records-${n}-seed${options.seed}-gen${GENERATOR_VERSION}${days}${mode}.ndjson`);
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

/**
 * The generated file lists records in random time order; a collector stores them roughly in time order
 * (blob after blob, window after window), which is also how SQLite lays the rows out. Imported in the
 * file's order, every time slice a report reads is scattered over the whole database (about five times
 * slower per row here). So the records are imported in CreationTime order: split by UTC day into
 * temporary files, each day sorted in memory (about 20 MB a day for a million records over 60 days), concatenated oldest first.
 */
export async function ensureTimeOrdered(source: string, target: string): Promise<void> {
  if (existsSync(target)) return;
  progress(`ordering ${source} by CreationTime into ${target}`);
  const parts = `${target}.days`;
  rmSync(parts, { recursive: true, force: true });
  mkdirSync(parts, { recursive: true });
  const pending = new Map<string, string[]>();
  const flush = (day: string): void => {
    appendFileSync(join(parts, day), pending.get(day)!.join(''));
    pending.set(day, []);
  };
  for await (const line of createInterface({ input: createReadStream(source), crlfDelay: Infinity })) {
    const day = /"CreationTime":"(\d{4}-\d\d-\d\d)/.exec(line)?.[1] ?? '0000-00-00';
    const list = pending.get(day) ?? [];
    list.push(line + '\n');
    pending.set(day, list);
    if (list.length >= 2000) flush(day);
  }
  for (const day of pending.keys()) flush(day);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  for (const day of readdirSync(parts).sort()) {
    const lines = readFileSync(join(parts, day), 'utf8').split('\n').filter(Boolean);
    const at = (l: string): string => /"CreationTime":"([^"]*)"/.exec(l)?.[1] ?? '';
    lines.sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
    appendFileSync(partial, lines.join('\n') + '\n');
  }
  renameSync(partial, target);
  rmSync(parts, { recursive: true, force: true });
}
