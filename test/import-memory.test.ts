import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { rawRecords } from '../src/search/testing/generate.js';
import { repoRoot, tempDir } from './support/paths.js';

/**
 * Constant memory whatever the file size (issue 2 §4): a generated ~100 MB NDJSON file and a ~50 MB
 * JSON array (one Management API blob written as one value, pretty-printed) are imported in a child
 * process whose peak RSS must stay under BOUND_MB. Holding either file would break the bound: the
 * NDJSON alone is 200 MB as a JS string, the array's records parsed at once several times its size.
 * V8 lets garbage pile up while it may grow the heap (unbounded, RSS reached 215 MB on 100 MB and
 * stays there on 230 MB), so the child's old space is capped at HEAP_MB: what the importer really
 * holds must fit, or the child dies out of memory and the test fails. ~100 MB of the RSS is Node + tsx.
 */
const BOUND_MB = 200;
const HEAP_MB = 48;
const END = Date.UTC(2026, 10, 1);

async function writeLines(path: string, lines: Iterable<string>, open: string, separator: string, close: string): Promise<number> {
  const out = createWriteStream(path);
  let n = 0;
  out.write(open);
  for (const line of lines) {
    if (!out.write((n++ === 0 ? '' : separator) + line)) await once(out, 'drain');
  }
  out.end(close);
  await once(out, 'finish');
  return n;
}

function importInChild(files: string[]): Promise<{ read: number; stored: number; rejected: number; formats: string[]; maxRssMb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', join(repoRoot, 'src', 'ingest', 'import', 'testing', 'import-rss.ts'), ...files], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as never) : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
}

test(`a ~100 MB NDJSON file and a ~50 MB JSON array import in constant memory (heap ${HEAP_MB} MB, RSS under ${BOUND_MB} MB)`, { timeout: 120_000 }, async () => {
  const { dir, cleanup } = tempDir('tw-import-memory-');
  try {
    const ndjson = join(dir, 'big.ndjson');
    const array = join(dir, 'blob.json');
    const lines = await writeLines(ndjson, rawRecords(88_000, { seed: 11, end: END, days: 30 }), '', '\n', '\n');
    const pretty = (function* () {
      for (const line of rawRecords(40_000, { seed: 12, end: END, days: 30 })) yield JSON.stringify(JSON.parse(line) as unknown, null, 1);
    })();
    const elements = await writeLines(array, pretty, '[\n', ',\n', '\n]\n');
    assert.ok(statSync(ndjson).size > 95e6 && statSync(array).size > 48e6, 'the files are as large as the test says');
    const result = await importInChild([ndjson, array]);
    assert.deepEqual(result.formats, ['ndjson', 'json']);
    assert.equal(result.read, lines + elements);
    assert.equal(result.stored + result.rejected, result.read);
    assert.equal(result.rejected, 0);
    assert.ok(result.maxRssMb < BOUND_MB, `peak RSS ${result.maxRssMb} MB`);
  } finally {
    cleanup();
  }
});
