import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect } from '../src/collector/collect.js';
import type { Clock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import { emulatedTenant, emulatorClock, useEmulatorAndStore } from './support/emulator-bed.js';

/**
 * A collector whose clock runs behind Microsoft's by more than the API's tolerance past 7 days asks for
 * the oldest window from a horizon the service has already passed: AF20055. Shifting to its own horizon
 * again was refused the same way, so the whole window failed run after run, and its reachable part (the
 * blobs after the service's horizon) was lost when it passed. The shift now also takes the service's
 * own time (its Date header).
 */
const HOUR = 3_600_000;

const bed = useEmulatorAndStore({
  tenants: 1,
  users: 4,
  days: 8,
  recordsPerUserPerDay: 12,
  tuning: { firstDataDelayMs: 0, slotMs: 60 * 60_000 },
  faults: { throttleBudgetPerMinute: null },
});

test(
  'a collector clock 3 h behind the service still lists the reachable part of the oldest window',
  { timeout: 120_000 },
  async () => {
    const { t, store } = bed;
    const emu = emulatorClock(t.emu);
    const behind: Clock = { now: () => emu.now() - 3 * HOUR, sleep: (ms, signal) => emu.sleep(ms, signal) };
    const tenant = t.emu.tenants.find((x) => x.ualEnabled)!;
    const tenants = [emulatedTenant(t.emu, tenant, behind)];
    const signal = new AbortController().signal;
    await collect({
      tenants,
      store,
      clock: behind,
      logger: silentLogger,
      signal,
      tuning: { requestsPerMinute: 100_000, retry: { maxAttempts: 3 } },
    });
    const windows = await store.ledger.listWindows({ tenant: tenant.tenantId, stream: 'Audit.Exchange' });
    const failed = windows.filter((w) => w.state === 'failed');
    assert.deepEqual(
      failed.map((w) => w.lastError),
      [],
      'no window failed for a horizon the service had passed',
    );
    const oldest = windows.filter((w) => w.state === 'fetched').sort((a, b) => a.start - b.start)[0]!;
    const serviceHorizon = t.emu.clock.now() - 7 * 24 * HOUR;
    assert.ok(oldest.start < serviceHorizon, 'the oldest fetched window holds the service horizon');
    assert.ok(oldest.records > 0, 'its reachable blobs were fetched');
  },
);
