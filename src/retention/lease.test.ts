import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import type { Store } from '../store/contract.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { DAY, MIN, record } from '../store/testing/fixtures.js';
import { SWEEP_LEASE, SWEEP_LEASE_MS, underSweepLease } from './lease.js';
import { sweepRetention } from './sweep.js';

const NOW = Date.UTC(2026, 10, 20);
const OTHER = 'other-host:4242:abcdef01';

/** A store of `n` records past a 30-day default policy, one a day from 40 days back. */
async function storeWithOldRecords(clock: ManualClock, n: number): Promise<Store> {
  const store = openSqliteStore(':memory:', { clock });
  await store.records.insert(Array.from({ length: n }, (_, i) => record({ creationTime: NOW - (40 + i) * DAY })));
  await store.retention.setPolicy({ tenant: null, keepMs: 30 * DAY, updatedAt: NOW });
  return store;
}

test('a sweep longer than its lease renews it as it goes: no other process takes it over meanwhile', async () => {
  const clock = new ManualClock(NOW);
  const store = await storeWithOldRecords(clock, 6);
  try {
    const takenOver: number[] = [];
    const swept = await underSweepLease(store, { owner: 'me', clock, logger: silentLogger }, (lease) =>
      sweepRetention(store, {
        clock,
        logger: silentLogger,
        batch: 1,
        keepLease: lease.keep,
        // Every batch takes 11 minutes; another process tries to take the sweep over after each.
        onBatch: () => {
          clock.advance(11 * MIN);
          void store.ledger
            .acquireLease(SWEEP_LEASE, OTHER, clock.now() + SWEEP_LEASE_MS, clock.now())
            .then((won) => won && takenOver.push(clock.now()));
        },
      }),
    );
    assert.ok(swept.ran);
    assert.ok(clock.now() - NOW > SWEEP_LEASE_MS, 'the sweep outlasted one term of the lease');
    assert.deepEqual(takenOver, [], 'the other process never got the lease');
    assert.equal(swept.lost, false);
    assert.deepEqual(
      swept.result.map((t) => [t.records, t.complete]),
      [[6, true]],
    );
    assert.equal(await store.ledger.leaseHolder(SWEEP_LEASE), null, 'released at the end');
  } finally {
    await store.close();
  }
});

test('a sweep that lost its lease to another process stops before its next batch, with what it removed accounted for', async () => {
  const clock = new ManualClock(NOW);
  const store = await storeWithOldRecords(clock, 3);
  try {
    let stalled = false;
    const swept = await underSweepLease(store, { owner: 'me', clock, logger: silentLogger }, (lease) =>
      sweepRetention(store, {
        clock,
        logger: silentLogger,
        batch: 1,
        keepLease: lease.keep,
        onBatch: () => {
          if (stalled) return;
          stalled = true;
          // The first batch stalled past the whole term, and another process's sweep took the lease meanwhile
          // (a SQLite call runs at once, before the sweep goes on).
          clock.advance(SWEEP_LEASE_MS + MIN);
          void store.ledger.acquireLease(SWEEP_LEASE, OTHER, clock.now() + SWEEP_LEASE_MS, clock.now());
        },
      }),
    );
    assert.ok(swept.ran);
    assert.equal(swept.lost, true);
    assert.deepEqual(
      swept.result.map((t) => [t.records, t.complete]),
      [[1, false]],
      'one batch removed and accounted for, then stopped',
    );
    assert.equal(await store.records.count({ range: { start: 0, end: NOW + DAY } }), 2, 'left to the new holder');
    assert.equal((await store.ledger.leaseHolder(SWEEP_LEASE))?.owner, OTHER, "the new holder's lease stays");
  } finally {
    await store.close();
  }
});
