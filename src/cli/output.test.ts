import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { AppError } from '../core/errors.js';
import { parseFormat, writeChunks, writeListing, type ListingColumn, type ListingFormat } from './output.js';

const columns: ListingColumn[] = [
  { key: 'name', title: 'NAME', csv: 'Name' },
  { key: 'records', title: 'RECORDS', right: true },
];
const rows = [
  { name: 'contoso', records: 1200, secret: 'not a column' },
  { name: '=evil()', records: 3 },
];

/** A writable that holds only a few bytes before asking the writer to wait. */
function sink(highWaterMark = 16): Writable & { text: () => string; waits: () => number } {
  let text = '';
  let waits = 0;
  const w = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      setImmediate(done);
    },
  });
  w.on('drain', () => waits++);
  return Object.assign(w, { text: () => text, waits: () => waits });
}

async function listing(format: ListingFormat, count?: number): Promise<string> {
  const out = sink(1 << 20);
  const n = await writeListing(
    format,
    columns,
    rows,
    out,
    count === undefined ? { name: 'tenants', noun: 'tenant' } : { count, name: 'tenants', noun: 'tenant' },
  );
  assert.equal(n, 2);
  return out.text();
}

test('listings in the four formats, with only the named columns', async () => {
  const table = (await listing('table')).split('\n');
  assert.match(table[0]!, /^NAME\s+RECORDS$/);
  assert.match(table[2]!, /^contoso\s+1200$/);
  assert.match(table[3]!, /^=evil\(\)\s+3$/, 'the table is for people: shown as is');
  assert.equal(table[4], '2 tenants');
  const json = JSON.parse(await listing('json')) as { count: number; tenants: Record<string, unknown>[] };
  assert.equal(json.count, 2);
  assert.deepEqual(json.tenants[0], { name: 'contoso', records: 1200 });
  assert.equal((JSON.parse(await listing('json', 40)) as { count: number }).count, 40);
  const jsonl = (await listing('jsonl')).trimEnd().split('\n');
  assert.deepEqual(JSON.parse(jsonl[1]!), { name: '=evil()', records: 3 });
  const csv = await listing('csv');
  assert.ok(csv.startsWith('\uFEFFName,records\r\n'));
  assert.deepEqual(parse(csv.slice(1), { columns: true }), [
    { Name: 'contoso', records: '1200' },
    { Name: "'=evil()", records: '3' },
  ]);
  assert.match(await listing('table', 10), /2 shown of 10 tenants\n$/);
});

test('writeChunks waits for drain instead of buffering a whole result', async () => {
  const out = sink(16);
  async function* many(): AsyncGenerator<string, number> {
    for (let i = 0; i < 50; i++) yield 'x'.repeat(70_000);
    return 50;
  }
  assert.equal(await writeChunks(many(), out), 50);
  assert.equal(out.text().length, 50 * 70_000);
  assert.ok(out.waits() > 0, 'the writer paused on a full stream');
});

test('writeChunks keeps nothing of what it wrote: memory stays flat however much passes through', async () => {
  // 300 MB of text into a stream that takes every block at once and waits for drain (as stdout to a file or
  // pipe does). Each block written used to stay reachable through its write callback.
  const out = new Writable({ highWaterMark: 16, write: (_chunk, _encoding, done) => done() });
  async function* many(): AsyncGenerator<string, number> {
    const line = 'x'.repeat(1_499) + '\n';
    for (let i = 0; i < 200_000; i++) yield line.slice(0, 1_000 + (i % 400)) + String(i);
    return 200_000;
  }
  const before = process.memoryUsage().heapUsed;
  assert.equal(await writeChunks(many(), out), 200_000);
  const grown = process.memoryUsage().heapUsed - before;
  assert.ok(grown < 100 * 2 ** 20, `the heap grew by ${Math.round(grown / 2 ** 20)} MB`);
});

test('--format accepts the four formats and names them when it does not', () => {
  assert.equal(parseFormat('CSV'), 'csv');
  assert.equal(parseFormat(undefined), 'table');
  assert.throws(
    () => parseFormat('xml'),
    (e: unknown) => e instanceof AppError && e.code === 'USAGE' && /table, json, jsonl, csv/.test(e.message),
  );
});

test('the footer counts in plurals that are words ("3 policies", not "3 policys")', async () => {
  const out = sink(1 << 20);
  await writeListing('table', columns, [...rows, { name: 'x', records: 0 }], out, { noun: 'policy' });
  assert.match(out.text(), /\n3 policies\n$/);
});
