import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredRecord } from '../src/core/record.js';
import type { SearchQuery } from '../src/core/search-query.js';
import { normalizeRecord } from '../src/ingest/normalize.js';
import { parseSearchFilters } from '../src/search/filters.js';
import { referenceSearch } from '../src/search/reference.js';
import { rawRecords, rng } from '../src/search/testing/generate.js';
import { randomFilters } from '../src/search/testing/queries.js';
import type { Store } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import { readPages } from '../src/store/testing/fixtures.js';
import { pgUrl } from './support/paths.js';
import { dropSchema, isolatedPgUrl } from './support/pg.js';

/**
 * Acceptance (issue 2): search results equal, record for record, a brute-force filter over the same
 * records, on a generated set of at least 100,000 records with random filter combinations. The
 * records go through the real normalizer into the real SQLite store; the oracle is search/reference.ts.
 * Reproduce a failure with TENANTWATCH_PROPERTY_SEED=<seed printed in the message>.
 */
const RECORDS = 100_000;
const QUERIES = 200;
const SEED = Number(process.env.TENANTWATCH_PROPERTY_SEED ?? 20261125);
const END = Date.UTC(2026, 10, 1);
const DAYS = 60;

let store: Store;
let records: StoredRecord[];

before(async () => {
  store = await openStore('sqlite::memory:');
  const normalized = [];
  for (const line of rawRecords(RECORDS, { seed: SEED, end: END, days: DAYS })) {
    const result = normalizeRecord(line, { source: 'import' });
    assert.ok(result.ok, `generated record not accepted: ${result.ok ? '' : result.reason}`);
    normalized.push(result.record);
  }
  for (let i = 0; i < normalized.length; i += 10_000) await store.records.insert(normalized.slice(i, i + 10_000));
  records = normalized.map((r) => ({ ...r, ingestedAt: 0 }));
});

after(async () => {
  await store?.close();
});

async function ids(query: SearchQuery, limit?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const r of store.records.search(query, limit === undefined ? {} : { limit }))
    out.push(`${r.tenant}/${r.id}`);
  return out;
}

const key = (r: Pick<StoredRecord, 'tenant' | 'id'>): string => `${r.tenant}/${r.id}`;

function explain(i: number, query: SearchQuery, got: string[], want: string[]): string {
  const first = got.findIndex((g, j) => g !== want[j]);
  return `seed ${SEED}, query #${i}: ${JSON.stringify(query)}\n  store ${got.length} rows, oracle ${want.length}; first difference at row ${first < 0 ? Math.min(got.length, want.length) : first}: store ${got[first] ?? '(none)'} vs oracle ${want[first] ?? '(none)'}`;
}

test(`${QUERIES} random searches over ${RECORDS.toLocaleString('en-US')} records equal the brute-force oracle, row for row and in order`, async () => {
  assert.equal(
    await store.records.count({ range: { start: 0, end: END + 1 } }),
    RECORDS,
    'every generated record stored once',
  );
  const next = rng(SEED ^ 0x5eed);
  const span = { start: END - DAYS * 86_400_000, end: END };
  let nonEmpty = 0;
  for (let i = 0; i < QUERIES; i++) {
    const input = randomFilters(next, records, span);
    const query = parseSearchFilters(input, END);
    const want = referenceSearch(records, query).map(key);
    const got = await ids(query);
    assert.deepEqual(got, want, explain(i, query, got, want));
    assert.equal(
      await store.records.count(query),
      want.length,
      `count differs: seed ${SEED}, query #${i}: ${JSON.stringify(query)}`,
    );
    if (want.length > 0) nonEmpty++;
    if (i % 10 === 0) {
      const limit = 1 + Math.floor(next() * 50);
      assert.deepEqual(await ids(query, limit), want.slice(0, limit), `limit ${limit}: ${explain(i, query, [], want)}`);
      await sameSummaries(query, limit, i);
      await sameCounts(query, i);
    }
  }
  // Guard against a generator that only produces empty answers (which any store would "pass").
  assert.ok(
    nonEmpty > QUERIES / 2,
    `only ${nonEmpty} of ${QUERIES} queries matched anything: the generator needs fixing`,
  );
});

/** searchSummaries (the console's result list) reads search's rows and every column but raw. */
async function sameSummaries(query: SearchQuery, limit: number, i: number): Promise<void> {
  const whole: StoredRecord[] = [];
  for await (const r of store.records.search(query, { limit })) whole.push(r);
  const summaries: unknown[] = [];
  for await (const s of store.records.searchSummaries(query, { limit })) {
    assert.equal((s as { raw?: string }).raw || undefined, undefined, 'a summary reads no raw AuditData');
    summaries.push({ ...s, raw: '' });
  }
  assert.deepEqual(
    summaries,
    whole.map((r) => ({ ...r, raw: '' })),
    `summaries: seed ${SEED}, query #${i}: ${JSON.stringify(query)}`,
  );
}

/** countBy (summaries, reports) agrees with the oracle's matches grouped the same way. */
async function sameCounts(query: SearchQuery, i: number): Promise<void> {
  const matched = referenceSearch(records, query);
  const tally = (keyOf: (r: StoredRecord) => string): Map<string, number> => {
    const m = new Map<string, number>();
    for (const r of matched) m.set(keyOf(r), (m.get(keyOf(r)) ?? 0) + 1);
    return m;
  };
  const byOperation = await store.records.countBy(query, 'operation');
  assert.deepEqual(
    new Map(byOperation.map((c) => [String(c.key).toLowerCase(), c.count])),
    tally((r) => r.operation.toLowerCase()),
    `countBy operation: seed ${SEED}, query #${i}`,
  );
  const byDay = await store.records.countBy(query, 'day');
  assert.deepEqual(
    new Map(byDay.map((c) => [String(c.key), c.count])),
    tally((r) => String(r.creationTime - (r.creationTime % 86_400_000))),
    `countBy day: seed ${SEED}, query #${i}`,
  );
}

test('paging with the cursor walks the same rows as one search', async () => {
  const query = parseSearchFilters({ start: '2026-10-01', end: '2026-10-03', workload: ['sharepoint'] }, END);
  const want = referenceSearch(records, query).map(key);
  const got = (await readPages(store.records, query, 97)).map(key);
  assert.ok(want.length > 500, 'the range holds many pages');
  assert.deepEqual(got, want, `seed ${SEED}`);
});

/** The stores the substring index is checked on: SQLite always, PostgreSQL when TENANTWATCH_TEST_PG is set. */
const substringStores: { name: string; url: () => string; cleanup: (url: string) => Promise<void> }[] = [
  { name: 'sqlite', url: () => 'sqlite::memory:', cleanup: async () => undefined },
  ...(pgUrl ? [{ name: 'postgres', url: () => isolatedPgUrl('property'), cleanup: dropSchema }] : []),
];

for (const { name, url, cleanup } of substringStores)
  test(`${name}: with the substring index built and kept as records arrive, free-text and object searches still equal the oracle`, async (t) => {
    const at = url();
    // A smaller store of its own; the index is built over its first 15,000 records (stop words chosen
    // from them), the last 5,000 are posted as they are inserted. They arrive in time order as a collector
    // stores them, but for one in ten coming last (a history fill), so each day's seq span (SQLite's
    // rollup_seq_days) is narrow for most days and wide for some.
    const small = await openStore(at);
    try {
      if (!small.records.optimize) {
        t.skip('this store has no optimize(): no substring index to check');
        return;
      }
      const sorted = records.slice(0, 20_000).sort((a, b) => a.creationTime - b.creationTime);
      const subset = [...sorted.filter((_, i) => i % 10 !== 0), ...sorted.filter((_, i) => i % 10 === 0)];
      await small.records.insert(subset.slice(0, 15_000));
      const built = await small.records.optimize({ textIndex: true });
      assert.ok(built.textIndex, 'the index is in use');
      for (let i = 15_000; i < subset.length; i += 1_000) await small.records.insert(subset.slice(i, i + 1_000));
      const next = rng(SEED ^ 0x7e47);
      const span = { start: END - DAYS * 86_400_000, end: END };
      for (const filter of ['freeText', 'object'] as const)
        for (let i = 0; i < 60; i++) {
          const query = parseSearchFilters(randomFilters(next, subset, span, filter), END);
          const want = referenceSearch(subset, query).map(key);
          const got: string[] = [];
          for await (const r of small.records.search(query)) got.push(key(r));
          assert.deepEqual(got, want, `substring index: ${explain(i, query, got, want)}`);
          assert.equal(
            await small.records.count(query),
            want.length,
            `substring index count: seed ${SEED}, query #${i}`,
          );
          // Page by page as the console reads it (a first page, then keyset continuations): a page the
          // index narrows is cut from its candidates in time order (PostgreSQL's compileSearch).
          if (i % 4 === 0) {
            const paged = (await readPages(small.records, query, 7, 70)).map(key);
            assert.deepEqual(
              paged,
              want.slice(0, paged.length),
              `substring index, pages of 7: seed ${SEED}, query #${i}`,
            );
            assert.equal(
              paged.length,
              Math.min(want.length, 70),
              `substring index, pages of 7: seed ${SEED}, query #${i}`,
            );
          }
        }
    } finally {
      await small.close();
      await cleanup(at);
    }
  });
