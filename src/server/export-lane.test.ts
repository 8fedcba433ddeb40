import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SearchQuery } from '../core/search-query.js';
import { buildServer } from './index.js';
import { HeavyLane } from './heavy-lane.js';
import { DAY, NOW, testDeps } from './testing/fixtures.js';
import { occupyLane } from './testing/lane.js';

/**
 * A slow client downloading a free-text export held SQLite's one heavy-query turn for the whole download, so
 * every heavy count and page queued behind it (ADR 0030). The export now reads its rows in turns and gives the
 * turn back while its client drains. No time passes in these tests: a client that stops reading is a response
 * stream nobody reads (backpressure), and waiting is counted in event-loop turns.
 */
const range = `start=${new Date(NOW - 7 * DAY).toISOString()}&end=${new Date(NOW).toISOString()}`;
const QUERY: SearchQuery = { range: { start: NOW - 7 * DAY, end: NOW }, freeText: ['report'] };

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Event-loop turns until `done` holds, at most `max`: true when it came. */
async function within(max: number, done: () => boolean): Promise<boolean> {
  for (let i = 0; i < max && !done(); i++) await tick();
  return done();
}

test('a paused export client holds no turn: a heavy count completes, then the export delivers every row once', async () => {
  const lane = new HeavyLane({ concurrency: 1, maxQueued: 4, rowsPerTurn: 7 });
  const deps = await testDeps({ heavyLane: lane });
  const expected: string[] = [];
  for await (const r of deps.store.records.search(QUERY)) expected.push(r.id);
  assert.ok(
    expected.length > 40,
    `enough rows for several turns and more than the stream buffers (${expected.length})`,
  );
  const records = deps.store.records;
  const search = records.search.bind(records);
  let read = 0;
  records.search = (query, options) =>
    (async function* () {
      for await (const r of search(query, options)) {
        read++;
        yield r;
      }
    })();
  const app = await buildServer(deps);
  try {
    const exported = await app.inject({
      method: 'GET',
      url: `/api/export?${range}&freeText=report&format=ndjson`,
      payloadAsStream: true,
    });
    assert.equal(exported.statusCode, 200);
    // Nobody reads the file: the export stops where the stream's buffers are full, part way through.
    let last = -1;
    while (read !== last) {
      last = read;
      for (let i = 0; i < 20; i++) await tick();
    }
    assert.ok(read > 0 && read < expected.length, `paused part way (${read} of ${expected.length} rows read)`);
    assert.deepEqual(lane.load, { running: 0, waiting: 0 }, 'the paused export holds no turn');

    let counted = false;
    const count = app.inject({ method: 'GET', url: `/api/search/count?${range}&freeText=report` }).finally(() => {
      counted = true;
    });
    assert.ok(await within(200, () => counted), 'a heavy count completes while the export client is paused');
    assert.equal((await count).json().count, expected.length);

    // The client reads on: every row once, in search's order, across the turns' boundaries.
    let body = '';
    for await (const chunk of exported.stream()) body += String(chunk);
    const ids = body
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { id: string }).id);
    assert.deepEqual(ids, expected);
    assert.ok(await within(20, () => lane.load.running === 0), 'the last turn ends with the file');
  } finally {
    await app.close();
    await deps.store.close();
  }
});

/** A source of `n` numbered rows that says whether it was closed. */
function numbers(n: number): { rows: AsyncIterable<number>; closed: () => boolean } {
  let closed = false;
  async function* rows(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < n; i++) yield i;
    } finally {
      closed = true;
    }
  }
  return { rows: rows(), closed: () => closed };
}

test("an export's later turns wait in line but are not refused; a client that leaves meanwhile leaves the line", async () => {
  const lane = new HeavyLane({ concurrency: 1, maxQueued: 1, rowsPerTurn: 3 });
  const source = numbers(10);
  const gone = new AbortController();
  const rows = lane.inTurns(source.rows, await lane.enter(), gone.signal);
  assert.deepEqual([(await rows.next()).value, (await rows.next()).value, (await rows.next()).value], [0, 1, 2]);
  assert.deepEqual(lane.load, { running: 0, waiting: 0 }, 'given back while the client takes the first rows');
  const count = occupyLane(lane);
  await tick();
  const queued = lane.run(async () => 'queued');
  assert.deepEqual(lane.load, { running: 1, waiting: 1 }, 'the queue is full');
  const fourth = rows.next();
  await tick();
  assert.deepEqual(lane.load, { running: 1, waiting: 2 }, 'the export waits in line, not refused');
  gone.abort();
  await assert.rejects(fourth, (e: { code?: string }) => e.code === 'CANCELLED');
  assert.deepEqual(lane.load, { running: 1, waiting: 1 }, 'and leaves the line when its client goes');
  assert.ok(source.closed(), 'its source stops reading');
  count.release();
  await count.done;
  assert.equal(await queued, 'queued');
  assert.deepEqual(lane.load, { running: 0, waiting: 0 });
});
