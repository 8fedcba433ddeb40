import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import { storeKinds } from '../../test/support/pg.js';
import type { AuditRecord, StoredSummary } from '../core/record.js';
import type { SearchQuery } from '../core/search-query.js';
import { toRecordSummary } from '../search/formats.js';
import type { RecordStore } from '../store/contract.js';
import type { SearchPage } from './api-types.js';
import { buildServer } from './index.js';
import { HeavyLane } from './heavy-lane.js';
import { encodeCursor } from './params.js';
import { DAY, NOW, fixtureRecords, testDeps } from './testing/fixtures.js';
import { occupyLane, turnsAsked } from './testing/lane.js';

/**
 * A slow client reading a free-text search page held SQLite's one heavy-query turn until the page's last byte was
 * taken, so every heavy count and page of every user queued behind it (ADR 0030). A heavy page is now read whole in
 * its turn, which is given back before the first byte is written. No time passes in these tests: a client that
 * stops reading is a response stream nobody reads (backpressure), and waiting is counted in event-loop turns, or,
 * for what comes after the store's reads, awaited. Both stores: the route is the same, their reads are not.
 */
const range = `start=${new Date(NOW - 7 * DAY).toISOString()}&end=${new Date(NOW).toISOString()}`;
const QUERY: SearchQuery = { range: { start: NOW - 7 * DAY, end: NOW }, freeText: ['report'] };
const PAGE = `/api/search?${range}&freeText=report&limit=1000`;
/** 1,200 of these name a report in their object: a full page (1,000 rows, about 400 KB) is more than buffers hold. */
const WORLD = fixtureRecords(3_000);

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Event-loop turns until `done` holds, at most `max`: true when it came. For what follows at once from a step. */
async function within(max: number, done: () => boolean): Promise<boolean> {
  for (let i = 0; i < max && !done(); i++) await tick();
  return done();
}
/**
 * Event-loop turns until `done` holds, however many: for what comes after the store's reads (the request's caller,
 * the count), which on PostgreSQL take a round trip of many turns each. BOUND fails a test that waits for ever.
 */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await tick();
}
const BOUND = { timeout: 60_000 };

/** Counts the store's summary searches started from now on (each page's read of the store starts one). */
function countSearches(records: RecordStore): () => number {
  const summaries = records.searchSummaries.bind(records);
  let started = 0;
  records.searchSummaries = (query, options) => {
    started++;
    return summaries(query, options);
  };
  return () => started;
}

/** The page's records as the API writes them (a JSON round trip drops the undefined fields). */
function asWritten(rows: readonly StoredSummary[]): unknown {
  return JSON.parse(JSON.stringify(rows.map(toRecordSummary)));
}

const stores = storeKinds('search_lane');
after(() => stores.dropAll());

for (const kind of stores.kinds)
  describe(`heavy search pages on ${kind.name}`, { skip: kind.skip }, () => {
    /** The fixture world (or `records`) in a fresh store of this kind, with this lane. */
    const depsOn = (lane: HeavyLane, records: readonly AuditRecord[] = fixtureRecords()) =>
      testDeps({ heavyLane: lane }, records, kind.url());

    test(
      'a paused client reading a heavy search page holds no turn: a heavy count completes, then the page is exact',
      BOUND,
      async () => {
        const lane = new HeavyLane({ concurrency: 1, maxQueued: 4 });
        const deps = await depsOn(lane, WORLD);
        const expected: StoredSummary[] = [];
        for await (const r of deps.store.records.searchSummaries(QUERY)) expected.push(r);
        assert.ok(expected.length > 1_000, `more than one full page (${expected.length})`);
        const app = await buildServer(deps);
        try {
          const page = await app.inject({ method: 'GET', url: PAGE, payloadAsStream: true });
          assert.equal(page.statusCode, 200);
          // Nobody reads the page: its response waits for the client, part way through.
          for (let i = 0; i < 20; i++) await tick();
          assert.equal(page.raw.res.writableEnded, false, 'the client has not taken the page');
          assert.deepEqual(lane.load, { running: 0, waiting: 0 }, 'the paused page holds no turn');

          // A heavy count completes while the page client is paused (waiting for a turn the page held, it never did).
          const count = await app.inject({ method: 'GET', url: `/api/search/count?${range}&freeText=report` });
          assert.equal(count.json().count, expected.length);
          assert.equal(page.raw.res.writableEnded, false, 'the page client is still paused');

          // The client reads on: the page is today's, rows, order and next cursor, and the cursor leads to the rest.
          let body = '';
          for await (const chunk of page.stream()) body += String(chunk);
          const first = JSON.parse(body) as SearchPage;
          assert.deepEqual(Object.keys(first), ['records', 'returned', 'next']);
          assert.deepEqual(first.records, asWritten(expected.slice(0, 1_000)));
          assert.equal(first.returned, 1_000);
          const last = expected[999]!;
          assert.equal(first.next, encodeCursor({ creationTime: last.creationTime, tenant: last.tenant, id: last.id }));
          const rest = await app.inject({ method: 'GET', url: `${PAGE}&cursor=${first.next}` });
          assert.deepEqual(rest.json(), { records: asWritten(expected.slice(1_000)), returned: 200, next: null });
          assert.deepEqual(lane.load, { running: 0, waiting: 0 });
        } finally {
          await app.close();
          await deps.store.close();
        }
      },
    );

    test(
      'a heavy page waits for its turn without reading, and a full queue is a 429 before its response starts',
      BOUND,
      async () => {
        const lane = new HeavyLane({ concurrency: 1, maxQueued: 1 });
        const deps = await depsOn(lane);
        const reads = countSearches(deps.store.records);
        const app = await buildServer(deps);
        const url = `/api/search?${range}&freeText=report`;
        try {
          const blocked = occupyLane(lane);
          await tick();
          const queued = app.inject({ method: 'GET', url });
          await until(() => lane.load.waiting === 1); // the page waits in line
          const refused = await app.inject({ method: 'GET', url });
          assert.equal(refused.statusCode, 429, refused.body);
          assert.equal(refused.json().error.code, 'RATE_LIMITED');
          assert.match(refused.json().error.hint, /Try again in a moment/);
          assert.equal(reads(), 0, 'neither page read the store before its turn');
          blocked.release();
          await blocked.done;
          const res = await queued;
          assert.equal(res.statusCode, 200, res.body);
          assert.equal(reads(), 1, 'its turn came');
          assert.ok(res.json<SearchPage>().returned > 0);
          assert.deepEqual(lane.load, { running: 0, waiting: 0 });
        } finally {
          await app.close();
          await deps.store.close();
        }
      },
    );

    test('a heavy page whose read fails gives its turn back and answers an error, not a cut page', BOUND, async () => {
      const lane = new HeavyLane({ concurrency: 1, maxQueued: 4 });
      const deps = await depsOn(lane, WORLD);
      const records = deps.store.records;
      const summaries = records.searchSummaries.bind(records);
      records.searchSummaries = (query, options) =>
        (async function* () {
          let n = 0;
          // Past the rows of a first written chunk: read as it streamed, the page had its status sent by then.
          for await (const r of summaries(query, options)) {
            if (++n > 500) throw new Error('disk I/O error');
            yield r;
          }
        })();
      const app = await buildServer(deps);
      try {
        const failed = await app.inject({ method: 'GET', url: PAGE });
        assert.equal(failed.statusCode, 500, failed.body);
        assert.equal(failed.json().error.code, 'INTERNAL');
        assert.deepEqual(lane.load, { running: 0, waiting: 0 }, 'the turn is given back');
        const count = await app.inject({ method: 'GET', url: `/api/search/count?${range}&freeText=report` });
        assert.equal(count.statusCode, 200, 'the next heavy request has its turn');
      } finally {
        await app.close();
        await deps.store.close();
      }
    });

    test(
      'a client that leaves while its heavy page waits leaves the queue at once, and nothing is read for it',
      BOUND,
      async () => {
        const lane = new HeavyLane({ concurrency: 1, maxQueued: 4 });
        const deps = await depsOn(lane);
        const reads = countSearches(deps.store.records);
        const app = await buildServer(deps);
        let leave!: () => void;
        app.addHook('onRequest', async (_request, reply) => {
          leave = () => reply.raw.destroy();
        });
        try {
          const blocked = occupyLane(lane);
          await tick();
          const page = app.inject({ method: 'GET', url: `/api/search?${range}&freeText=report` });
          await until(() => lane.load.waiting === 1); // the page waits in line
          leave();
          await assert.rejects(page, { code: 'LIGHT_ECONNRESET' });
          assert.ok(await within(20, () => lane.load.waiting === 0), 'its place in the queue is given up at once');
          blocked.release();
          await blocked.done;
          assert.ok(await within(20, () => lane.load.running === 0), 'its turn ends at once');
          assert.equal(reads(), 0, 'the store was not read for a client that has gone');
        } finally {
          await app.close();
          await deps.store.close();
        }
      },
    );

    test(
      'a client that left before its heavy page asked for a turn takes none, and nothing is read for it',
      BOUND,
      async () => {
        const lane = new HeavyLane({ concurrency: 1, maxQueued: 4 });
        const deps = await depsOn(lane);
        const reads = countSearches(deps.store.records);
        const turns = turnsAsked(lane);
        const app = await buildServer(deps);
        // The client goes while the request's own reads run, before its handler: its caller (a session), the tenants
        // it names, on PostgreSQL a round trip each. The page's handler runs all the same.
        app.addHook('preHandler', async (_request, reply) => {
          reply.raw.destroy();
          await once(reply.raw, 'close');
        });
        try {
          const page = app.inject({ method: 'GET', url: `/api/search?${range}&freeText=report` });
          await assert.rejects(page, { code: 'LIGHT_ECONNRESET' });
          await until(() => turns.length === 1);
          await assert.rejects(turns[0]!, { code: 'CANCELLED' });
          assert.equal(reads(), 0, 'the store was not read for a client that has gone');
          assert.deepEqual(lane.load, { running: 0, waiting: 0 });
        } finally {
          await app.close();
          await deps.store.close();
        }
      },
    );
  });
