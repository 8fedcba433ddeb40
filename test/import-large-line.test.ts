import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { TOO_LARGE } from '../src/ingest/import/record-size.js';
import { repoRoot, tempDir } from './support/paths.js';

/**
 * Issue 18: a 300 MB single line took 3.7 GB. Here a 300 MB NDJSON line, a 60 MB element of a JSON
 * array and a 150 MB AuditData cell of a CSV export, each between good records, are imported in a child process with its heap capped at HEAP_MB:
 * each is rejected as too large (with its line), every good record around it is kept, and the peak RSS
 * stays under BOUND_MB (~100 MB of it is Node + tsx; measured 271 MB, where the import used to take
 * 3.7 GB). Holding either record would break the cap: the 300 MB line is 300 MB as a string before
 * JSON.parse even starts.
 */
const HEAP_MB = 96;
const BOUND_MB = 350;
const good = (id: string) =>
  JSON.stringify({
    CreationTime: '2024-05-23T15:10:00',
    Id: id,
    Operation: 'FileAccessed',
    OrganizationId: 'b7c3a9e2-1111-4222-8333-944455566677',
    RecordType: 6,
    UserId: 'a@contoso.com',
  });

/** Writes `before`, a record of `mb` MB (its X field a run of 'a'), and `after`, streamed in 1 MB pieces. */
async function writeFile(path: string, before: string, mb: number, after: string, quote = '"'): Promise<void> {
  const out = createWriteStream(path);
  const piece = 'a'.repeat(1 << 20);
  const q = quote;
  out.write(`${before}{${q}Id${q}:${q}huge${q},${q}CreationTime${q}:${q}2024-05-23T15:10:00${q},${q}X${q}:${q}`);
  for (let i = 0; i < mb; i++) if (!out.write(piece)) await once(out, 'drain');
  out.end(`${q}}${after}`);
  await once(out, 'finish');
}

const dir = tempDir('tw-import-large-line-');
after(() => dir.cleanup());

test(
  `a 300 MB line, a 60 MB array element and a 150 MB CSV cell are rejected as too large, the records around them kept, RSS under ${BOUND_MB} MB`,
  { timeout: 300_000 },
  async () => {
    const ndjson = join(dir.dir, 'line.ndjson');
    const array = join(dir.dir, 'blob.json');
    const csv = join(dir.dir, 'export.csv');
    await writeFile(ndjson, `${good('n1')}\n${good('n2')}\n`, 300, `\n${good('n3')}\n`);
    await writeFile(array, `[${good('a1')},\n`, 60, `,\n${good('a2')}]`);
    // A Purview export whose AuditData cell is 150 MB: the whole row was held, then its cell, then the record.
    const cell = (json: string) => `"${json.replaceAll('"', '""')}"`;
    await writeFile(
      csv,
      `RecordId,AuditData\r\n1,${cell(good('c1'))}\r\n2,"`,
      150,
      `"\r\n3,${cell(good('c2'))}\r\n`,
      '""',
    );
    const result = await importInChild([ndjson, array, csv]);
    assert.deepEqual(
      { read: result.read, stored: result.stored, rejected: result.rejected },
      { read: 10, stored: 7, rejected: 3 },
    );
    assert.deepEqual(
      result.rejects.map((r) => [r.line, r.reason, r.chars <= 1024]),
      [
        [3, TOO_LARGE, true],
        [2, TOO_LARGE, true],
        [3, TOO_LARGE, true],
      ],
    );
    assert.ok(result.maxRssMb < BOUND_MB, `peak RSS ${result.maxRssMb} MB`);
  },
);

function importInChild(files: string[]): Promise<{
  read: number;
  stored: number;
  rejected: number;
  rejects: { line: number; reason: string; chars: number }[];
  maxRssMb: number;
}> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${HEAP_MB}`,
        '--import',
        'tsx',
        join(repoRoot, 'src', 'ingest', 'import', 'testing', 'import-rss.ts'),
        ...files,
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(stdout) as never)
        : reject(new Error(`child exited ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}
