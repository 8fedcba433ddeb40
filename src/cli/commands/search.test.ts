import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import type { StoredRecord } from '../../core/record.js';
import type { SearchQuery } from '../../core/search-query.js';
import type { SearchOptions, Store } from '../../store/contract.js';
import type { CliContext } from '../context.js';
import { searchCommand, type SearchFlags } from './search.js';

const NOW = Date.UTC(2026, 10, 1);

function record(i: number): StoredRecord {
  return {
    tenant: 't',
    id: `id-${i}`,
    creationTime: NOW - 1000 - i * 1000,
    recordType: 6,
    operation: 'FileAccessed',
    workload: 'SharePoint',
    userId: 'a@b.c',
    userKey: 'a@b.c',
    userType: 0,
    clientIp: null,
    clientPort: null,
    objectId: null,
    resultStatus: null,
    outcome: 'unknown',
    organizationId: null,
    source: 'import',
    contentType: null,
    userAgent: null,
    appId: null,
    logonType: null,
    raw: `{"Id":"id-${i}"}`,
    ingestedAt: 0,
  };
}

/** A store of `total` records made on demand (never held), that remembers what it was asked. */
function fakeStore(total: number) {
  const calls = { counts: 0, searches: [] as { query: SearchQuery; options: SearchOptions | undefined }[], yielded: 0 };
  const store = {
    records: {
      async count() {
        calls.counts++;
        return total;
      },
      async *search(query: SearchQuery, options?: SearchOptions) {
        calls.searches.push({ query, options });
        for (let i = 0; i < Math.min(total, options?.limit ?? Infinity); i++) {
          calls.yielded++;
          yield record(i);
        }
      },
    },
    tenants: { get: async () => null, list: async () => [] },
    posture: { latest: async () => [], list: async () => [] },
  } as unknown as Store;
  return { store, calls };
}

function context(store: Store, out: NodeJS.WritableStream = new PassThrough()) {
  let err = '';
  const errStream = new PassThrough().on('data', (d: Buffer) => (err += d.toString()));
  let text = '';
  if (out instanceof PassThrough) out.on('data', (d: Buffer) => (text += d.toString()));
  const ctx: CliContext = {
    locations: { dataDir: '/nonexistent', dbUrl: 'sqlite::memory:', secretKeyFile: '/nonexistent/k' },
    clock: new ManualClock(NOW),
    logger: silentLogger,
    out,
    err: errStream,
    store: async () => store,
    signal: new AbortController().signal,
    close: async () => undefined,
  };
  return { ctx, output: () => ({ out: text, err }) };
}

const flags = (over: Partial<SearchFlags>): SearchFlags => ({ start: '7d', end: 'now', format: 'jsonl', ...over });

test('without --limit every match streams and the streamed rows are the count: no second query', async () => {
  const { store, calls } = fakeStore(25_000);
  const { ctx, output } = context(store);
  assert.equal(await searchCommand(ctx, flags({ format: 'csv', user: ['A@B.C'] })), 0);
  assert.equal(calls.counts, 0);
  assert.equal(calls.searches[0]!.options?.limit, undefined, 'no cap');
  assert.deepEqual(calls.searches[0]!.query.users, ['a@b.c']);
  assert.equal(output().out.split('\r\n').length - 2, 25_000);
  assert.equal(output().err, '25,000 matching records\n');
});

test('json counts first; --limit asks the store for the total and says both', async () => {
  const { store, calls } = fakeStore(500);
  const json = context(store);
  assert.equal(await searchCommand(json.ctx, flags({ format: 'json', limit: '3' })), 0);
  const body = JSON.parse(json.output().out) as { count: number; records: unknown[] };
  assert.equal(body.count, 500);
  assert.equal(body.records.length, 3);
  assert.equal(calls.counts, 1);
  const table = context(fakeStore(500).store);
  await searchCommand(table.ctx, flags({ format: 'table', limit: '2' }));
  assert.match(table.output().out, /\n2 shown of 500 matching records\n$/);
  await assert.rejects(searchCommand(table.ctx, flags({ limit: '0' })), /--limit 0 is not a positive whole number/);
  await assert.rejects(
    searchCommand(table.ctx, flags({ limit: '99999999999999999999' })),
    /--limit 99999999999999999999 is too large: the most is 1000000000/,
  );
});

test('a reader that goes away (| head) stops the search early and is not an error', async () => {
  const { store, calls } = fakeStore(1_000_000);
  const closed = new Writable({
    write(_chunk, _enc, done) {
      const e = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      done(e);
    },
  });
  closed.on('error', () => undefined);
  const { ctx } = context(store, closed);
  assert.equal(await searchCommand(ctx, flags({ format: 'jsonl' })), 0);
  assert.ok(calls.yielded < 10_000, `stopped reading after ${calls.yielded} rows`);
});
