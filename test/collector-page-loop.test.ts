import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect } from '../src/collector/collect.js';
import { silentLogger } from '../src/core/log.js';
import {
  emulatedTenant,
  emulatorClock,
  groundTruthIds,
  storedIds,
  useEmulatorAndStore,
} from './support/emulator-bed.js';

/**
 * A Management API listing whose NextPageUri names the page it came on (a looping service): the collector
 * followed it for ever, holding the stream's lease and never finishing the run. Now the window fails with
 * the reason (a gap coverage shows), the run ends, and the next run collects exactly the ground truth.
 */
const bed = useEmulatorAndStore({
  tenants: 1,
  users: 4,
  days: 2,
  recordsPerUserPerDay: 20,
  // Small pages, so every day's listing has a next page; content at once after a start.
  tuning: { contentPageSize: 3, firstDataDelayMs: 0 },
  faults: { throttleBudgetPerMinute: null },
});

test(
  'a NextPageUri that names a page already read fails the window instead of looping; the next run fills it',
  { timeout: 120_000 },
  async () => {
    const { t, store } = bed;
    const clock = emulatorClock(t.emu);
    const tenant = t.emu.tenants.find((x) => x.ualEnabled)!;
    const tenants = [emulatedTenant(t.emu, tenant, clock)];
    const signal = new AbortController().signal;
    const tuning = { requestsPerMinute: 100_000, retry: { maxAttempts: 3 } };
    const run = () => collect({ tenants, store, clock, logger: silentLogger, signal, tuning, sinceMs: 2 * 86_400_000 });
    t.emu.setFaults({ nextPageRepeat: true });
    const looped = await run();
    const failed = (await store.ledger.listWindows({ tenant: tenant.tenantId })).filter((w) => w.state === 'failed');
    assert.ok(failed.length > 0, JSON.stringify(looped.tenants));
    assert.ok(
      failed.every((w) => /NextPageUri named a page already read/.test(w.lastError ?? '')),
      JSON.stringify(failed.map((w) => w.lastError)),
    );

    t.emu.setFaults({ nextPageRepeat: false });
    const again = await run();
    for (const s of again.tenants) assert.equal(s.state, 'done', JSON.stringify(s));
    const truth = await groundTruthIds(t.emu, tenant.tenantId);
    const stored = await storedIds(store, tenant.tenantId);
    assert.ok(truth.length > 50);
    assert.deepEqual([...stored].sort(), [...truth].sort(), 'every record once');
  },
);
