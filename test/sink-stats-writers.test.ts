import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import { alertView } from '../src/detections/alerts/view.js';
import { sinkChannel } from '../src/detections/sink-channel.js';
import type { Item } from '../src/sinks/alert.js';
import type { SendResult, SinkDriver } from '../src/sinks/driver.js';
import { SinkFailure } from '../src/sinks/failure.js';
import { runSink } from '../src/sinks/forwarder.js';
import { backoffPolicy } from '../src/sinks/retry.js';
import { sinkStatus } from '../src/sinks/status.js';
import { sinkRow, T0 } from '../src/sinks/testing/records.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { alertHit } from '../src/store/testing/alert-conformance.js';
import { record } from '../src/store/testing/fixtures.js';

/** A driver whose answers the test gives: each send waits for the next answer handed to it. */
function heldDriver(): SinkDriver & { answer(a: SendResult | SinkFailure): void; waiting(): Promise<void> } {
  const answers: ((a: SendResult | SinkFailure) => void)[] = [];
  let arrived: () => void = () => undefined;
  let next = new Promise<void>((r) => (arrived = r));
  return {
    maxBatch: 1_000,
    longestAttemptMs: 1_000,
    idempotent: false,
    send: (_items: readonly Item[]) =>
      new Promise<SendResult>((resolve, reject) => {
        answers.push((a) => (a instanceof SinkFailure ? reject(a) : resolve(a)));
        arrived();
      }),
    answer: (a) => answers.shift()!(a),
    waiting: async () => {
      await next;
      next = new Promise<void>((r) => (arrived = r));
    },
    test: async () => 'ok',
    close: async () => undefined,
  };
}

const ok: SendResult = { rejected: [], retry: [] };

/**
 * A sink that takes both records and alerts has two writers of its statistics, the forwarder and the alert
 * channel (in `serve` and `collect --follow`, often two processes). While the forwarder sends a batch, the
 * channel delivers one alert and fails on another; when the forwarder then writes what it did, `sink status`
 * still counts the alert and names the channel's error — and the channel's later count keeps the forwarder's.
 */
test("the forwarder and the alert channel of one sink keep each other's statistics", async () => {
  const store = openSqliteStore(':memory:');
  const clock = new ManualClock(T0 + 3_600_000, true);
  const row = sinkRow({ name: 'siem', takes: 'both' });
  try {
    await store.migrate();
    await store.sinks.upsert(row);
    await store.records.insert([record(), record(), record()]);
    const records = heldDriver();
    const forwarding = runSink(
      {
        store,
        clock,
        logger: silentLogger,
        policy: backoffPolicy({ random: () => 0.5, maxAttempts: 3, maxAttemptsPermanent: 1 }),
        owner: 'host:1:aaaaaaaa',
        signal: new AbortController().signal,
        once: true,
      },
      row,
      records,
    );
    await records.waiting();

    const alerts = heldDriver();
    const channel = sinkChannel({
      sink: row,
      driver: alerts,
      policy: backoffPolicy({ random: () => 0.5, maxAttempts: 1, maxAttemptsPermanent: 1 }),
      clock,
      logger: silentLogger,
      deadLetters: (letters) => store.sinks.addDeadLetters(row, letters),
      stats: store.sinks,
    });
    const raise = async (id: string) =>
      alertView((await store.alerts.applyHit(alertHit({ alertId: id }), clock.now())).alert);
    const first = channel.send(await raise('al-1'));
    await alerts.waiting();
    alerts.answer(ok);
    await first;
    clock.advance(1_000);
    const second = channel.send(await raise('al-2'));
    await alerts.waiting();
    alerts.answer(new SinkFailure('config', '404 no such path /services/collector', { retryable: false }));
    await assert.rejects(second);
    const failedAt = clock.now();

    clock.advance(1_000);
    records.answer(ok);
    assert.equal((await forwarding).state, 'caught-up');
    const status = await sinkStatus(store, row, clock.now());
    assert.equal(status.delivered, 3 + 1, 'the three records and the alert');
    assert.equal(status.lastError, 'config: 404 no such path /services/collector', "the channel's error");
    assert.equal(status.lastErrorAt, new Date(failedAt).toISOString());
    assert.equal(status.lastDeliveryAt, new Date(clock.now()).toISOString());

    const third = channel.send(await raise('al-3'));
    await alerts.waiting();
    alerts.answer(ok);
    await third;
    const stats = await store.sinks.stats('siem');
    assert.equal(stats?.delivered, 3 + 2, "the channel's count keeps the forwarder's");
    assert.equal(stats?.owner, 'host:1:aaaaaaaa', 'the sender of its records');
  } finally {
    await store.close();
  }
});
