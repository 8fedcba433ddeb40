/**
 * A one-shot run (`forward --once`, `sink replay`) against a receiver that keeps failing (500, nothing
 * listening) gives up within a bounded wait and says why; every retry is a warning naming the sink, which
 * the CLI shows on stderr without -v (cli/log-lines.ts); a daemon's retries say that it keeps trying. Time is a ManualClock.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { recordingLogger } from '../core/log.js';
import type { SinkDriver } from './driver.js';
import { classifyNetworkError, SinkFailure } from './failure.js';
import { runSink } from './forwarder.js';
import { replay } from './replay.js';
import { backoffPolicy, DAEMON_RETRY, ONCE_RETRY } from './retry.js';
import { MemoryForwardStore } from './testing/memory-store.js';
import { records, sinkRow, T0 } from './testing/records.js';

/** A driver whose every send fails with `failure()`; counts its sends. */
function failingDriver(failure: () => Error): SinkDriver & { sends: number } {
  const d = {
    maxBatch: 100,
    longestAttemptMs: 1_000,
    idempotent: false,
    sends: 0,
    async send(): Promise<never> {
      d.sends++;
      throw failure();
    },
    test: async () => 'ok',
    close: async () => undefined,
  };
  return d;
}

const internalBoom = (): Error => new SinkFailure('server', '500 internal boom', { retryable: true, status: 500 });
const refused = (): Error =>
  classifyNetworkError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }));

describe('one-shot runs against a failing receiver', () => {
  for (const [what, failure] of [
    ['HTTP 500', internalBoom],
    ['nothing listening', refused],
  ] as const) {
    test(`forward --once gives up on ${what} within 16 s of waiting, naming what failed`, async () => {
      const store = new MemoryForwardStore();
      store.add(records(3));
      const clock = new ManualClock(T0, true);
      const logger = recordingLogger();
      const driver = failingDriver(failure);
      const result = await runSink(
        {
          store,
          clock,
          logger,
          policy: backoffPolicy({ ...ONCE_RETRY, random: () => 0.999 }),
          owner: 'h:1:aaaaaaaa',
          signal: new AbortController().signal,
          once: true,
        },
        sinkRow({ name: 'hec' }),
        driver,
      );
      assert.equal(result.state, 'failed');
      const reason = (result as { reason: string }).reason;
      assert.match(reason, /gave up after 6 attempts\)$/);
      assert.match(reason, what === 'HTTP 500' ? /^the receiver failed \(5xx\): 500 internal boom/ : /^connection/);
      assert.equal(driver.sends, 6);
      assert.ok(clock.now() - T0 <= 16_000, `waited ${clock.now() - T0} ms`);
      assert.equal(await store.cursors.get('sink:hec'), null);
      const retries = logger.entries.filter((e) => (e.obj as { event?: string }).event === 'sink.retry');
      assert.equal(retries.length, 5);
      assert.ok(retries.every((e) => e.level === 'warn'));
      assert.match(retries[1]!.msg!, /^attempt 2 of at most 6 failed \(.+\); trying again in .+$/);
      assert.equal((retries[1]!.obj as { sink?: string }).sink, 'hec');
    });
  }

  test('replay gives up the same way, and a 401 is tried twice only', async () => {
    const store = new MemoryForwardStore();
    store.add(records(3));
    const clock = new ManualClock(T0, true);
    const driver = failingDriver(internalBoom);
    const ctx = {
      sink: 'hec',
      driver,
      policy: backoffPolicy(ONCE_RETRY),
      clock,
      logger: recordingLogger(),
      signal: new AbortController().signal,
    };
    const row = sinkRow({ name: 'hec' });
    const range = { start: 0, end: T0 + 86_400_000 };
    await assert.rejects(
      replay(store, row, range, ctx),
      (e: SinkFailure) => e.stage === 'server' && /internal boom \(gave up after 6 attempts\)/.test(e.message),
    );
    assert.ok(clock.now() - T0 <= 16_000);
    const auth = failingDriver(() => new SinkFailure('auth', '401 Invalid token', { retryable: false, status: 401 }));
    await assert.rejects(replay(store, row, range, { ...ctx, driver: auth }), /401 Invalid token/);
    assert.equal(auth.sends, 2);
  });

  test("a daemon's retries are warnings that say it keeps trying", async () => {
    const store = new MemoryForwardStore();
    store.add(records(1));
    const logger = recordingLogger();
    const stop = new AbortController();
    let sends = 0;
    const driver = failingDriver(() => {
      if (++sends === 4) stop.abort();
      return internalBoom();
    });
    const result = await runSink(
      {
        store,
        clock: new ManualClock(T0, true),
        logger,
        policy: backoffPolicy(DAEMON_RETRY),
        owner: 'h:1:aaaaaaaa',
        signal: stop.signal,
      },
      sinkRow({ name: 'hec' }),
      driver,
    );
    assert.equal(result.state, 'stopped');
    const retries = logger.entries.filter((e) => (e.obj as { event?: string }).event === 'sink.retry');
    assert.equal(retries.length, 3);
    assert.ok(retries.every((e) => e.level === 'warn'));
    assert.match(
      retries[0]!.msg!,
      /^attempt 1 failed \(.+internal boom\); trying again in .+, and until the receiver takes the records/,
    );
  });
});
