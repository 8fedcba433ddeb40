import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect } from '../src/collector/collect.js';
import type { Clock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import {
  emulatedTenant,
  emulatorClock,
  groundTruthIds,
  storedIds,
  useEmulatorAndStore,
} from './support/emulator-bed.js';

/**
 * `collect --follow`: passes every interval; each re-lists the recent windows, so blobs that became
 * available since (late, out of order) are collected. After three intervals of new activity the store
 * equals the ground truth at that moment.
 */
const bed = useEmulatorAndStore({
  tenants: 2,
  users: 5,
  days: 2,
  recordsPerUserPerDay: 40,
  // Content at once after a start (the default waits 12 h, as documented).
  tuning: { slotMs: 10 * 60_000, deliveryJitterMs: 20 * 60_000, firstDataDelayMs: 0 },
});

test('--follow keeps collecting new and late blobs, pass after pass, exactly', { timeout: 300_000 }, async () => {
  const { t, store } = bed;
  const INTERVAL = 20 * 60_000;
  const base = emulatorClock(t.emu);
  const controller = new AbortController();
  let intervals = 0;
  const clock: Clock = {
    now: () => base.now(),
    async sleep(ms, signal) {
      if (ms === INTERVAL && ++intervals > 3) controller.abort();
      await base.sleep(ms, signal);
    },
  };
  const tenant = t.emu.tenants.find((x) => x.ualEnabled)!;
  const started = clock.now();
  const summary = await collect({
    tenants: [emulatedTenant(t.emu, tenant, clock)],
    store,
    clock,
    logger: silentLogger,
    signal: controller.signal,
    follow: true,
    intervalMs: INTERVAL,
    tuning: { requestsPerMinute: 100_000 },
  });
  assert.equal(summary.passes, 4);
  assert.ok(clock.now() - started >= 3 * INTERVAL);
  const truth = await groundTruthIds(t.emu, tenant.tenantId);
  const stored = await storedIds(store, tenant.tenantId);
  const recent = (await store.ledger.listBlobs({ tenant: tenant.tenantId, from: started })).filter(
    (b) => b.status === 'fetched',
  );
  assert.ok(recent.length > 0, 'blobs that appeared while following were collected');
  assert.equal(new Set(stored).size, stored.length);
  assert.deepEqual([...stored].sort(), [...truth].sort());
});
