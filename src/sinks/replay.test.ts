/** `sink replay`: the records of a period, again, to a sink that takes records. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import type { Item } from './alert.js';
import { allDelivered, type SinkDriver } from './driver.js';
import { replay } from './replay.js';
import { backoffPolicy, ONCE_RETRY } from './retry.js';
import { MemoryForwardStore } from './testing/memory-store.js';
import { records, sinkRow, T0 } from './testing/records.js';

function recordingDriver(): SinkDriver & { sent: Item[] } {
  const d = {
    maxBatch: 100,
    longestAttemptMs: 1_000,
    idempotent: false,
    sent: [] as Item[],
    async send(items: readonly Item[]) {
      d.sent.push(...items);
      return allDelivered();
    },
    test: async () => 'ok',
    close: async () => undefined,
  };
  return d;
}

test('replay sends the records of [start, end) to a sink that takes records, and none to one that takes only alerts', async () => {
  const store = new MemoryForwardStore();
  const rows = records(5);
  store.add(rows);
  const driver = recordingDriver();
  const ctx = {
    sink: 'hook',
    driver,
    policy: backoffPolicy(ONCE_RETRY),
    clock: new ManualClock(T0, true),
    logger: silentLogger,
    signal: new AbortController().signal,
  };
  const range = { start: rows[1]!.creationTime, end: rows[3]!.creationTime };
  const both = await replay(store, sinkRow({ name: 'hook', takes: 'both' }), range, ctx);
  assert.equal(both.delivered, 2);
  assert.deepEqual(driver.sent.map((i) => (i.kind === 'record' ? i.record.id : null)).sort(), [
    rows[1]!.id,
    rows[2]!.id,
  ]);
  driver.sent.length = 0;
  await assert.rejects(
    replay(store, sinkRow({ name: 'teams', takes: 'alerts' }), range, ctx),
    /Sink teams takes only alerts: replay sends records, which it is never sent/,
  );
  assert.deepEqual(driver.sent, [], 'no record reached the alerts-only sink');
});
