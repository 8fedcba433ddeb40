import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { recordingLogger, silentLogger, type LogEntry } from '../core/log.js';
import type { Item } from './alert.js';
import type { SendResult, SinkDriver } from './driver.js';
import { SinkFailure } from './failure.js';
import { runSink, type ForwardOptions } from './forwarder.js';
import { backoffPolicy } from './retry.js';
import { MemoryForwardStore } from './testing/memory-store.js';
import { records, sinkRow, T0 } from './testing/records.js';

type Script = (items: readonly Item[], call: number) => SendResult | SinkFailure;

/** A driver that answers from a script and remembers every id it was sent (and confirmed). */
function scriptedDriver(script: Script, maxBatch = 100): SinkDriver & { sent: string[]; confirmed: string[] } {
  let call = 0;
  const d = {
    maxBatch,
    idempotent: false,
    longestAttemptMs: 1_000,
    sent: [] as string[],
    confirmed: [] as string[],
    async send(items: readonly Item[]): Promise<SendResult> {
      const ids = items.map((i) => (i.kind === 'record' ? i.record.id : i.alert.id));
      d.sent.push(...ids);
      const answer = script(items, call++);
      if (answer instanceof SinkFailure) throw answer;
      const bad = new Set([...answer.rejected, ...answer.retry].map((r) => r.index));
      d.confirmed.push(...ids.filter((_, i) => !bad.has(i)));
      return answer;
    },
    test: async () => 'ok',
    close: async () => undefined,
  };
  return d;
}

/** A store holding the sink `test` (sinkRow()): the store keeps statistics and dead letters only of a stored sink. */
async function storeWithSink(): Promise<MemoryForwardStore> {
  const store = new MemoryForwardStore();
  await store.sinks.upsert(sinkRow());
  return store;
}

function options(store: MemoryForwardStore, over: Partial<ForwardOptions> = {}): ForwardOptions {
  return {
    store,
    clock: new ManualClock(T0, true),
    logger: silentLogger,
    policy: backoffPolicy({ random: () => 0.5, maxAttempts: 20, maxAttemptsPermanent: 2 }),
    owner: 'host:1:aaaaaaaa',
    signal: new AbortController().signal,
    readLimit: 50,
    once: true,
    ...over,
  };
}

describe('forwarder', () => {
  test('delivers every record once, in order, and moves the cursor to the end', async () => {
    const store = await storeWithSink();
    store.add(records(120));
    const driver = scriptedDriver(() => ({ rejected: [], retry: [] }), 30);
    const result = await runSink(options(store), sinkRow(), driver);
    assert.deepEqual(result, { sink: 'test', state: 'caught-up', delivered: 120, dead: 0 });
    assert.deepEqual(
      driver.confirmed,
      store.rows.map((r) => r.id),
    );
    assert.equal(await store.cursors.get('sink:test'), '120');
    assert.equal((await store.sinks.stats('test'))?.delivered, 120);
    assert.equal(store.leaseMap.size, 0, 'the lease is released');
  });

  test('a batch that fails is retried (Retry-After honoured) and the cursor only moves once it is confirmed', async () => {
    const store = await storeWithSink();
    store.add(records(10));
    const clock = new ManualClock(T0, true);
    const driver = scriptedDriver((_, call) =>
      call < 2
        ? new SinkFailure('throttled', '429 slow down', { retryable: true, retryAfterMs: 7_000 })
        : { rejected: [], retry: [] },
    );
    const result = await runSink(options(store, { clock }), sinkRow(), driver);
    assert.equal(result.state, 'caught-up');
    assert.equal(clock.now() - T0 >= 14_000, true, 'waited Retry-After twice');
    assert.equal(driver.sent.length, 30);
    assert.deepEqual(
      driver.confirmed,
      store.rows.map((r) => r.id),
    );
    assert.match((await store.sinks.stats('test'))?.lastError ?? '', /throttled: 429 slow down/);
  });

  test('one record refused for good becomes one dead letter with the reason; the others flow', async () => {
    const store = await storeWithSink();
    store.add(records(40));
    const bad = store.rows[17]!.id;
    const driver = scriptedDriver((items) =>
      items.some((i) => i.kind === 'record' && i.record.id === bad)
        ? new SinkFailure('payload', '400 invalid data format', { retryable: false })
        : { rejected: [], retry: [] },
    );
    const result = await runSink(options(store), sinkRow(), driver);
    assert.deepEqual(result, { sink: 'test', state: 'caught-up', delivered: 39, dead: 1 });
    assert.deepEqual(
      store.dead.map((d) => [d.itemId, d.reason]),
      [[bad, '400 invalid data format']],
    );
    assert.deepEqual(new Set(driver.confirmed), new Set(store.rows.map((r) => r.id).filter((id) => id !== bad)));
  });

  test('per-item answers: rejected items are dead-lettered, retried items are sent again alone', async () => {
    const store = await storeWithSink();
    store.add(records(5));
    const driver = scriptedDriver((items, call) =>
      call === 0
        ? { rejected: [{ index: 1, reason: '400 mapper_parsing_exception' }], retry: [{ index: 3, reason: '429' }] }
        : { rejected: [], retry: [] },
    );
    await runSink(options(store), sinkRow(), driver);
    assert.equal(driver.sent.length, 6);
    assert.equal(driver.sent[5], store.rows[3]!.id);
    assert.equal(store.dead.length, 1);
    assert.equal(store.dead[0]!.itemId, store.rows[1]!.id);
  });

  test('the filter decides what is sent; the cursor still covers what was skipped', async () => {
    const store = await storeWithSink();
    store.add([...records(5), ...records(5, { workload: 'Exchange', operation: 'MailItemsAccessed', recordType: 50 })]);
    const driver = scriptedDriver(() => ({ rejected: [], retry: [] }));
    await runSink(
      options(store),
      sinkRow({ filter: { workloads: ['exchange'], operations: ['mailitemsaccessed'] } }),
      driver,
    );
    assert.equal(driver.sent.length, 5);
    assert.equal(await store.cursors.get('sink:test'), '10');
  });

  test('a sink that cannot be reached fails with the reason under --once, and the cursor stays', async () => {
    const store = await storeWithSink();
    store.add(records(3));
    const logger = recordingLogger();
    const driver = scriptedDriver(() => new SinkFailure('auth', '403 Invalid token', { retryable: false }));
    const result = await runSink(options(store, { logger }), sinkRow(), driver);
    assert.equal(result.state, 'failed');
    assert.match((result as { reason: string }).reason, /authentication refused.*403 Invalid token/);
    assert.equal(await store.cursors.get('sink:test'), null);
  });

  test('another live holder of the lease: the sink is left to it', async () => {
    const store = await storeWithSink();
    store.add(records(3));
    await store.ledger.acquireLease('sink:test', 'otherhost:1:bbbbbbbb', T0 + 60_000, T0);
    const driver = scriptedDriver(() => ({ rejected: [], retry: [] }));
    const result = await runSink(options(store), sinkRow(), driver);
    assert.deepEqual(result, { sink: 'test', state: 'busy', holder: 'otherhost:1:bbbbbbbb' });
    assert.equal(driver.sent.length, 0);
  });

  test('a receiver down longer than the lease term: the lease is renewed while waiting, no one else takes the sink', async () => {
    const store = await storeWithSink();
    store.add(records(10));
    const clock = new ManualClock(T0, true);
    const other = 'otherhost:2:bbbbbbbb';
    const takenBy: boolean[] = [];
    // Down for ten attempts a minute apart (Retry-After), five times the two-minute lease; at every
    // attempt another process on another host tries to take the sink, as a second daemon would.
    const driver = scriptedDriver((_, call) => {
      return call < 10
        ? new SinkFailure('server', '503 Server is busy', { retryable: true, retryAfterMs: 60_000 })
        : { rejected: [], retry: [] };
    });
    const send = driver.send.bind(driver);
    driver.send = async (items, signal) => {
      const now = clock.now();
      takenBy.push(await store.ledger.acquireLease('sink:test', other, now + 120_000, now));
      return send(items, signal);
    };
    const result = await runSink(
      options(store, {
        clock,
        leaseMs: 120_000,
        policy: backoffPolicy({ random: () => 0.5, maxAttempts: Infinity, capMs: 1_000 }),
      }),
      sinkRow(),
      driver,
    );
    assert.equal(clock.now() - T0 >= 9 * 60_000, true, 'the receiver was down for nine minutes');
    assert.deepEqual(result, { sink: 'test', state: 'caught-up', delivered: 10, dead: 0 });
    assert.deepEqual(takenBy, Array(11).fill(false), 'the lease stayed with the live sender');
  });

  test('one attempt longer than two minutes (a slow HEC acknowledgement): no one else takes the sink during it', async () => {
    const store = await storeWithSink();
    store.add(records(4));
    const clock = new ManualClock(T0, true);
    const other = 'otherhost:2:bbbbbbbb';
    const takenBy: boolean[] = [];
    // Each send waits five minutes for its acknowledgement before answering; halfway through, another
    // process on another host tries to take the sink, as a second daemon would.
    const driver = { ...scriptedDriver(() => ({ rejected: [], retry: [] }), 2), longestAttemptMs: 6 * 60_000 };
    const send = driver.send.bind(driver);
    driver.send = async (items, signal) => {
      await clock.sleep(150_000);
      const now = clock.now();
      takenBy.push(await store.ledger.acquireLease('sink:test', other, now + 120_000, now));
      await clock.sleep(150_000);
      return send(items, signal);
    };
    const result = await runSink(options(store, { clock }), sinkRow(), driver);
    assert.deepEqual(result, { sink: 'test', state: 'caught-up', delivered: 4, dead: 0 });
    assert.deepEqual(takenBy, [false, false], 'the lease outlasts the attempt');
  });

  test('a sink taken over while its batch is retried: no further attempt, the sink is left to the new holder', async () => {
    for (const successor of ['still holds it', 'sent and let it go'] as const) {
      const store = await storeWithSink();
      store.add(records(5));
      const clock = new ManualClock(T0, true);
      const other = 'otherhost:2:bbbbbbbb';
      // The first attempt stalls past the lease's term (a paused process), another process takes the sink over
      // meanwhile, and the attempt then fails as a receiver that is down would: the retry must not be made.
      const driver = scriptedDriver(
        () => new SinkFailure('server', '503 Server is busy', { retryable: true, retryAfterMs: 1_000 }),
      );
      const send = driver.send.bind(driver);
      driver.send = async (items, signal) => {
        const until = (await store.ledger.leaseHolder('sink:test'))!.until;
        clock.set(until);
        assert.equal(await store.ledger.acquireLease('sink:test', other, until + 120_000, until), true);
        if (successor === 'sent and let it go') await store.ledger.releaseLease('sink:test', other);
        return send(items, signal);
      };
      const logger = recordingLogger();
      const result = await runSink(options(store, { clock, logger }), sinkRow(), driver);
      assert.deepEqual(
        result,
        { sink: 'test', state: 'busy', holder: successor === 'still holds it' ? other : null },
        successor,
      );
      assert.equal(driver.sent.length, 5, `${successor}: one attempt, not retried after the sink changed hands`);
      assert.equal(await store.cursors.get('sink:test'), null, `${successor}: the cursor is the new holder's`);
      assert.ok(
        logger.entries.some((e) => (e.obj as { event?: string }).event === 'sink.lease.lost'),
        `${successor}: said`,
      );
    }
  });

  test('a receiver that stays down: sink status has its error while the batch is still retried', async () => {
    const store = await storeWithSink();
    store.add(records(5));
    const seen: (string | null | undefined)[] = [];
    const driver = scriptedDriver((_, call) => {
      return call < 3
        ? new SinkFailure('server', '503 Server is busy', { retryable: true, retryAfterMs: 60_000 })
        : { rejected: [], retry: [] };
    });
    const send = driver.send.bind(driver);
    driver.send = async (items, signal) => {
      seen.push((await store.sinks.stats('test'))?.lastError);
      return send(items, signal);
    };
    const result = await runSink(options(store), sinkRow(), driver);
    assert.deepEqual(result, { sink: 'test', state: 'caught-up', delivered: 5, dead: 0 });
    assert.equal(seen[0], undefined, 'nothing to say before the first attempt');
    for (const error of seen.slice(1)) assert.match(error ?? '', /503 Server is busy/);
  });

  test('a sink down for a day catches up from its cursor when it comes back', async () => {
    const store = await storeWithSink();
    store.add(records(100));
    const clock = new ManualClock(T0, true);
    let down = true;
    const driver = scriptedDriver(() =>
      down ? new SinkFailure('connect', 'ECONNREFUSED', { retryable: true }) : { rejected: [], retry: [] },
    );
    const first = await runSink(
      options(store, { clock, policy: backoffPolicy({ maxAttempts: 3, random: () => 0 }) }),
      sinkRow(),
      driver,
    );
    assert.equal(first.state, 'failed');
    store.add(records(24 * 60)); // a day of records arrives while it is down
    clock.advance(24 * 3_600_000);
    down = false;
    const second = await runSink(options(store, { clock }), sinkRow(), driver);
    assert.equal(second.state, 'caught-up');
    assert.deepEqual(new Set(driver.confirmed), new Set(store.rows.map((r) => r.id)));
    assert.deepEqual(await store.records.tailLag(await store.cursors.get('sink:test')), {
      records: 0,
      oldestIngestedAt: null,
    });
  });

  test('a sink removed (or added again) while a batch is out: its cursor is left as the removal left it, and it stops', async () => {
    const store = await storeWithSink();
    store.add(records(200));
    const stop = new AbortController();
    const driver = scriptedDriver((_items, call) => {
      // `sink remove` in another shell while the second batch is with the receiver (then maybe `sink add` again:
      // a new receiver, which starts from the start).
      if (call === 1) store.cursorMap.delete('sink:test');
      if (call === 3) stop.abort(); // what the test waits for at most: the last batch
      return { rejected: [], retry: [] };
    }, 50);
    const result = await runSink(
      options(store, { once: false, idleMs: 10, readLimit: 50, inFlight: 1, signal: stop.signal }),
      sinkRow(),
      driver,
    );
    assert.equal(result.state, 'stopped');
    assert.equal(
      store.cursorMap.get('sink:test'),
      undefined,
      'no cursor left for a new sink of that name to start from',
    );
    assert.equal(driver.sent.length, 100, 'nothing sent after the batch that was out');
  });

  test('a sink removed while its first batch is out keeps no cursor, and added again it starts from the start', async () => {
    const store = await storeWithSink();
    store.add(records(120));
    const entries: LogEntry[] = [];
    // `sink remove` in another shell while the first batch is with the receiver: there is no cursor yet to see go.
    const removing = scriptedDriver((_items, call) => {
      if (call === 0) void store.sinks.remove('test');
      return { rejected: [], retry: [] };
    }, 50);
    const removed = await runSink(
      options(store, { logger: recordingLogger(entries), inFlight: 1 }),
      sinkRow(),
      removing,
    );
    assert.equal(removed.state, 'stopped');
    assert.equal(store.cursorMap.get('sink:test'), undefined, 'the removed sink left no cursor behind');
    assert.equal(removing.sent.length, 50, 'nothing sent after the batch that was out');
    assert.ok(
      entries.some((e) => e.level === 'info' && (e.obj as { event?: string }).event === 'sink.forward.removed'),
    );
    // `sink add test` again (from the start, the default): a new sink, which gets every record.
    const again = sinkRow({ id: 'sink-test-again', addedAt: T0 + 1, updatedAt: T0 + 1 });
    await store.sinks.upsert(again);
    const driver = scriptedDriver(() => ({ rejected: [], retry: [] }), 50);
    const result = await runSink(options(store), again, driver);
    assert.equal(result.state, 'caught-up');
    assert.equal(driver.sent.length, 120, 'the sink added again starts from the first record');
    assert.equal(store.cursorMap.get('sink:test'), '120');
  });

  test('a sink removed and added again while a batch is out: the old pass stores nothing of the new sink', async () => {
    const store = await storeWithSink();
    store.add(records(120));
    const again = sinkRow({ id: 'sink-test-again', addedAt: T0 + 1, updatedAt: T0 + 1 });
    const driver = scriptedDriver((_items, call) => {
      if (call === 0) {
        void store.sinks.remove('test');
        void store.sinks.upsert(again); // `sink add test` again, from the start: no cursor
      }
      return { rejected: [], retry: [] };
    }, 50);
    const result = await runSink(options(store, { inFlight: 1 }), sinkRow(), driver);
    assert.equal(result.state, 'stopped');
    assert.equal(store.cursorMap.get('sink:test'), undefined, 'the new sink starts where sink add put it: the start');
    assert.equal(driver.sent.length, 50);
  });

  test('a sink updated while a batch is out (sink add of its name) is the same sink: its cursor moves on', async () => {
    const store = await storeWithSink();
    store.add(records(120));
    const driver = scriptedDriver((_items, call) => {
      if (call === 0)
        void store.sinks.upsert(sinkRow({ url: 'https://127.0.0.1:9088', addedAt: T0 + 1, updatedAt: T0 + 1 }));
      return { rejected: [], retry: [] };
    }, 50);
    const result = await runSink(options(store, { inFlight: 1 }), sinkRow(), driver);
    assert.equal(result.state, 'caught-up');
    assert.equal(store.cursorMap.get('sink:test'), '120');
  });
});
