/**
 * Forwarding inside the daemons (issue 15 "where it runs"): the sinks keep flowing beside `collect
 * --follow` and `serve`, one process per sink through its lease, sinks added later are picked up, and a
 * stop (SIGTERM → the signal) releases the leases so another process continues where the cursor stands.
 * Injected clock: nothing sleeps for real.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import type { SinkRow } from '../core/sink.js';
import type { SendResult, SinkDriver } from './driver.js';
import { runForwardDaemon } from './forward-daemon.js';
import { leaseKey } from './lease.js';
import { backoffPolicy } from './retry.js';
import { MemoryForwardStore } from './testing/memory-store.js';
import { records, sinkRow, T0 } from './testing/records.js';

/** A driver that confirms everything and remembers the ids per sink. */
function drivers(): { open: (row: SinkRow) => SinkDriver; got: Map<string, string[]> } {
  const got = new Map<string, string[]>();
  return {
    got,
    open: (row) => ({
      maxBatch: 40,
      longestAttemptMs: 1_000,
      idempotent: false,
      async send(items): Promise<SendResult> {
        const list = got.get(row.name) ?? [];
        list.push(...items.map((i) => (i.kind === 'record' ? i.record.id : i.alert.id)));
        got.set(row.name, list);
        return { rejected: [], retry: [] };
      },
      test: async () => 'ok',
      close: async () => undefined,
    }),
  };
}

/** Lets the daemons run until `done()` holds (microtasks and I/O turns only; the clock stands still). */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 5_000 && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), `timed out waiting for: ${what}`);
}

test('the daemon keeps every sink flowing under its lease, picks up new sinks, and hands over on stop', async () => {
  const store = new MemoryForwardStore();
  const clock = new ManualClock(T0);
  store.add(records(120));
  await store.sinks.upsert(sinkRow({ name: 'a' }));
  const start = (owner: string, d: ReturnType<typeof drivers>) => {
    const stop = new AbortController();
    const done = runForwardDaemon({
      store,
      clock,
      logger: silentLogger,
      policy: backoffPolicy({ maxAttempts: 3 }),
      owner,
      signal: stop.signal,
      readLimit: 50,
      open: d.open,
      list: () => store.sinks.list(),
      rescanMs: 60_000,
      retryMs: 30_000,
    });
    return { stop, done };
  };
  const first = drivers();
  const a = start('elsewhere-1:100:aaaaaaaa', first);
  await until(() => first.got.get('a')?.length === 120, 'sink a caught up');

  // New records flow at the next idle poll; a sink added later starts at the next look.
  store.add(records(30));
  await until(() => clock.pendingSleeps >= 2, 'the daemon is parked');
  clock.advance(1_000);
  await until(() => first.got.get('a')?.length === 150, 'new records delivered');
  await store.sinks.upsert(sinkRow({ name: 'b' }));
  clock.advance(60_000);
  await until(() => first.got.get('b')?.length === 150, 'sink b picked up and caught up');

  // A second process on the same store sends nothing while the first holds the leases.
  const second = drivers();
  const b = start('elsewhere-2:200:bbbbbbbb', second);
  await until(() => clock.pendingSleeps >= 5, 'the second daemon waits for the leases');
  assert.equal(second.got.size, 0);
  assert.equal((await store.ledger.leaseHolder(leaseKey('a')))?.owner, 'elsewhere-1:100:aaaaaaaa');

  // SIGTERM on the first: it stops and lets go of its leases; the second continues from the cursors.
  a.stop.abort();
  await a.done;
  assert.equal(await store.ledger.leaseHolder(leaseKey('a')), null);
  assert.equal(await store.ledger.leaseHolder(leaseKey('b')), null);
  const fresh = records(10);
  store.add(fresh);
  clock.advance(30_000);
  await until(
    () => second.got.get('a')?.length === 10 && second.got.get('b')?.length === 10,
    'the second process took over',
  );
  assert.deepEqual(
    second.got.get('a'),
    fresh.map((r) => r.id),
    'only what the first had not delivered',
  );
  assert.equal(first.got.get('a')!.length, 150, 'the first sent nothing after it stopped');

  // Disabling a sink stops it at the next look.
  await store.sinks.upsert({ ...(await store.sinks.get('b'))!, enabled: false, updatedAt: T0 + 1 });
  clock.advance(60_000);
  await until(() => store.leaseMap.get(leaseKey('b')) === undefined, 'sink b stopped');
  b.stop.abort();
  await b.done;
  assert.equal(await store.ledger.leaseHolder(leaseKey('a')), null);
});

test('a sink removed and added again within one millisecond is forwarded to anew at the next look', async () => {
  const store = new MemoryForwardStore();
  const clock = new ManualClock(T0); // stands still: the sink added again has the removed one's addedAt and updatedAt
  store.add(records(60));
  await store.sinks.upsert(sinkRow({ name: 'a' }));
  const byUrl = drivers();
  const stop = new AbortController();
  const done = runForwardDaemon({
    store,
    clock,
    logger: silentLogger,
    policy: backoffPolicy({ maxAttempts: 3 }),
    owner: 'host:1:aaaaaaaa',
    signal: stop.signal,
    readLimit: 50,
    // Keyed by URL: the old sink's receiver and the new one's are told apart.
    open: (row) => byUrl.open({ ...row, name: row.url }),
    list: () => store.sinks.list(),
    rescanMs: 60_000,
    retryMs: 30_000,
  });
  const old = 'https://127.0.0.1:8088';
  const fresh = 'https://127.0.0.1:9088';
  await until(() => byUrl.got.get(old)?.length === 60, 'the first sink caught up');
  // `sink remove a` and `sink add a --url …` (from the start) at the same instant.
  await store.sinks.remove('a');
  await store.sinks.upsert(sinkRow({ name: 'a', url: fresh, id: 'sink-a-again' }));
  clock.advance(1_000);
  await until(() => clock.pendingSleeps >= 2, 'the old forwarder stopped, the daemon waits for its next look');
  clock.advance(60_000);
  await until(() => byUrl.got.get(fresh)?.length === 60, 'the sink added again got every record');
  stop.abort();
  await done;
});

test('a sink changed twice within one millisecond is forwarded to as changed the second time', async () => {
  const store = new MemoryForwardStore();
  const clock = new ManualClock(T0); // stands still: both changes have one updatedAt
  store.add(records(60));
  await store.sinks.upsert(sinkRow({ name: 'a' }));
  const byUrl = drivers();
  const stop = new AbortController();
  const done = runForwardDaemon({
    store,
    clock,
    logger: silentLogger,
    policy: backoffPolicy({ maxAttempts: 3 }),
    owner: 'host:1:aaaaaaaa',
    signal: stop.signal,
    readLimit: 50,
    open: (row) => byUrl.open({ ...row, name: row.url }),
    list: () => store.sinks.list(),
    rescanMs: 60_000,
    retryMs: 30_000,
  });
  await until(() => byUrl.got.get('https://127.0.0.1:8088')?.length === 60, 'the sink caught up');
  // `sink add a --url …` twice from a script, the first change already seen by the daemon.
  await store.sinks.upsert(sinkRow({ name: 'a', url: 'https://127.0.0.1:9088', updatedAt: T0 + 1 }));
  clock.advance(60_000);
  await until(() => clock.pendingSleeps >= 1, 'the daemon saw the first change');
  const moved = 'https://127.0.0.1:9999';
  await store.sinks.upsert(sinkRow({ name: 'a', url: moved, updatedAt: T0 + 1 }));
  store.add(records(5));
  clock.advance(60_000);
  await until(() => (byUrl.got.get(moved)?.length ?? 0) > 0, 'the second change is forwarded to');
  stop.abort();
  await done;
});
