import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { DAY, HOUR, record, TENANT_A, TENANT_B } from '../store/testing/fixtures.js';
import { SWEEP_LEASE } from './lease.js';
import { runRetentionSchedule, SWEEP_EVERY_MS } from './schedule.js';
import { sweepRetention, type TenantSweep } from './sweep.js';

const NOW = Date.UTC(2026, 10, 20);

/** Waits until the code under test parked on the clock (no real sleeping: it only yields to the event loop). */
async function parked(clock: ManualClock, sleeps = 1): Promise<void> {
  while (clock.pendingSleeps < sleeps) await new Promise((r) => setImmediate(r));
}

test('the scheduled sweep runs at once and again every interval of the injected clock, until stopped', async () => {
  const clock = new ManualClock(NOW);
  const store = openSqliteStore(':memory:', { clock });
  try {
    await store.records.insert([
      record({ creationTime: NOW - 40 * DAY }),
      record({ creationTime: NOW - 30 * DAY + 3 * HOUR }),
      record({ creationTime: NOW - DAY }),
    ]);
    await store.retention.setPolicy({ tenant: null, keepMs: 30 * DAY, updatedAt: NOW });
    const sweeps: TenantSweep[][] = [];
    const stop = new AbortController();
    const running = runRetentionSchedule(store, {
      clock,
      logger: silentLogger,
      signal: stop.signal,
      owner: 'test',
      onSweep: (r) => sweeps.push(r),
    });
    await parked(clock);
    assert.deepEqual(
      sweeps.map((s) => s.map((t) => t.records)),
      [[1]],
    );
    assert.equal(await store.ledger.leaseHolder(SWEEP_LEASE), null, 'the lease is released between sweeps');
    clock.advance(SWEEP_EVERY_MS);
    await parked(clock);
    assert.deepEqual(
      sweeps.map((s) => s.map((t) => t.records)),
      [[1], [1]],
      'the record that became older than 30 days in the meantime went at the next sweep',
    );
    stop.abort();
    await running;
    assert.equal(await store.records.count({ range: { start: 0, end: NOW + DAY } }), 1);
  } finally {
    await store.close();
  }
});

test('a process that does not hold the sweep lease leaves the sweep to its holder', async () => {
  const clock = new ManualClock(NOW);
  const store = openSqliteStore(':memory:', { clock });
  try {
    await store.records.insert([record({ creationTime: NOW - 40 * DAY })]);
    await store.retention.setPolicy({ tenant: null, keepMs: 30 * DAY, updatedAt: NOW });
    assert.ok(await store.ledger.acquireLease(SWEEP_LEASE, 'another-host:1:abcdef01', NOW + HOUR, NOW));
    const stop = new AbortController();
    const sweeps: TenantSweep[][] = [];
    const running = runRetentionSchedule(store, {
      clock,
      logger: silentLogger,
      signal: stop.signal,
      owner: 'test',
      onSweep: (r) => sweeps.push(r),
    });
    await parked(clock);
    stop.abort();
    await running;
    assert.equal(sweeps.length, 0);
    assert.equal(await store.records.count({ range: { start: 0, end: NOW } }), 1);
  } finally {
    await store.close();
  }
});

test('a dry run says per tenant what would go (count and time range) and removes nothing; a tenant policy wins over the default', async () => {
  const clock = new ManualClock(NOW);
  const store = openSqliteStore(':memory:', { clock });
  try {
    await store.records.insert([
      record({ tenant: TENANT_A, creationTime: NOW - 50 * DAY }),
      record({ tenant: TENANT_A, creationTime: NOW - 40 * DAY }),
      record({ tenant: TENANT_A, creationTime: NOW - 5 * DAY }),
      record({ tenant: TENANT_B, creationTime: NOW - 50 * DAY }),
    ]);
    await store.retention.setPolicy({ tenant: null, keepMs: 30 * DAY, updatedAt: NOW });
    await store.retention.setPolicy({ tenant: TENANT_B, keepMs: 365 * DAY, updatedAt: NOW });
    const dry = await sweepRetention(store, { clock, logger: silentLogger, dryRun: true });
    assert.deepEqual(dry, [
      {
        tenant: TENANT_A,
        keepMs: 30 * DAY,
        before: NOW - 30 * DAY,
        complete: true,
        records: 2,
        oldest: NOW - 50 * DAY,
        newest: NOW - 40 * DAY,
      },
      {
        tenant: TENANT_B,
        keepMs: 365 * DAY,
        before: NOW - 365 * DAY,
        complete: true,
        records: 0,
        oldest: null,
        newest: null,
      },
    ]);
    assert.equal(await store.records.count({ range: { start: 0, end: NOW } }), 4);
    assert.deepEqual(await store.retention.removals(), []);
  } finally {
    await store.close();
  }
});

test('a policy stored before spans were capped (keep 99999999999d) removes nothing and its limit is still a time', async () => {
  const clock = new ManualClock(NOW);
  const store = openSqliteStore(':memory:', { clock });
  try {
    await store.records.insert([record({ tenant: TENANT_A, creationTime: NOW - 50 * DAY })]);
    await store.retention.setPolicy({ tenant: null, keepMs: 99_999_999_999 * DAY, updatedAt: NOW });
    for (const dryRun of [true, false]) {
      const [swept] = await sweepRetention(store, { clock, logger: silentLogger, dryRun });
      assert.equal(swept!.records, 0);
      assert.doesNotThrow(() => new Date(swept!.before).toISOString(), 'the limit prints');
    }
    assert.equal(await store.records.count({ range: { start: 0, end: NOW } }), 1);
  } finally {
    await store.close();
  }
});
