import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { buildServer } from './index.js';
import { HeavyLane } from './heavy-lane.js';
import { DAY, NOW, testDeps } from './testing/fixtures.js';

/**
 * Issue 18.16: 40 concurrent free-text counts made an unrelated request wait 10.6 s. Measured by count,
 * not by the clock: a client in another thread (its own event loop, so it keeps sending while the
 * server's thread is busy) sends 40 free-text counts, and once the first is running, one user's week
 * and the tenants overview. Each heavy count burns HEAVY_MS of the server's thread after its real
 * query, as a free-text scan of a large store does. The bound: at most three heavy counts finish
 * between the light request being sent and its own count running (the one running when it arrived,
 * and the turns that started before its bytes were read); without a lane it was all of them. Without the lane (the second test,
 * a lane that holds nothing back) the light one waits behind the rest of the 40, so the bound can fail.
 */
const range = `start=${new Date(NOW - 7 * DAY).toISOString()}&end=${new Date(NOW).toISOString()}`;
const HEAVY = `/api/search/count?${range}&freeText=report`;
const LIGHT = [`/api/search/count?${range}&user=Adele@contoso.onmicrosoft.com`, '/api/tenants'];
const HEAVY_MS = 10;

/** The client thread: 40 heavy requests, then (once the first heavy count runs) the light ones. */
const CLIENT = `
const { workerData, parentPort } = require('node:worker_threads');
const { base, heavy, light, shared } = workerData;
const s = new Int32Array(shared);
(async () => {
  const heavies = Array.from({ length: 40 }, () => fetch(base + heavy).then((r) => r.status));
  while (Atomics.load(s, 0) === 0) await new Promise((r) => setTimeout(r, 1));
  Atomics.store(s, 2, Atomics.load(s, 1));
  const lights = light.map((url) => fetch(base + url).then((r) => r.status));
  parentPort.postMessage(await Promise.all([...heavies, ...lights]));
})();
`;

/** Heavy counts that finished after the light count was sent and before it ran. */
async function heavyBeforeLight(lane?: HeavyLane): Promise<{ before: number; statuses: number[] }> {
  const deps = await testDeps(lane ? { heavyLane: lane } : {});
  // [0] a heavy count has started, [1] heavy counts done, [2] heavy counts done when the light one was sent.
  const shared = new SharedArrayBuffer(12);
  const s = new Int32Array(shared);
  const records = deps.store.records;
  const count = records.count.bind(records);
  let before = -1;
  records.count = async (query) => {
    if (!query.freeText) {
      before = Atomics.load(s, 1) - Atomics.load(s, 2);
      return count(query);
    }
    Atomics.store(s, 0, 1);
    const n = await count(query);
    for (const end = performance.now() + HEAVY_MS; performance.now() < end;);
    Atomics.add(s, 1, 1);
    return n;
  };
  const app = await buildServer(deps);
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const client = new Worker(CLIENT, {
      eval: true,
      workerData: { base: `http://127.0.0.1:${port}`, heavy: HEAVY, light: LIGHT, shared },
    });
    const [statuses] = (await once(client, 'message')) as [number[]];
    await client.terminate();
    return { before, statuses };
  } finally {
    await app.close();
  }
}

test('light requests answer while 40 free-text counts wait their turn (at most three heavy counts before them)', async () => {
  const { before, statuses } = await heavyBeforeLight();
  assert.deepEqual(new Set(statuses), new Set([200]));
  assert.ok(before >= 0 && before <= 3, `${before} heavy counts finished while the light request waited`);
});

test('without the lane the same light request waits behind the heavy counts (the bound above can fail)', async () => {
  const { before } = await heavyBeforeLight(new HeavyLane({ concurrency: 1_000, maxQueued: 0 }));
  assert.ok(before >= 20, `${before} heavy counts finished while the light request waited`);
});

test('a full queue refuses the next heavy query with RATE_LIMITED instead of queueing without end', async () => {
  const lane = new HeavyLane({ concurrency: 1, maxQueued: 1 });
  let open!: () => void;
  const blocked = lane.run(() => new Promise<void>((resolve) => (open = resolve)));
  await new Promise((resolve) => setImmediate(resolve));
  const queued = lane.run(async () => 'queued');
  await assert.rejects(
    lane.run(async () => 'refused'),
    (e: Error & { code?: string }) => e.code === 'RATE_LIMITED',
  );
  assert.deepEqual(lane.load, { running: 1, waiting: 1 });
  open();
  await blocked;
  assert.equal(await queued, 'queued');
  assert.deepEqual(lane.load, { running: 0, waiting: 0 });
});
