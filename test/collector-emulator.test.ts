import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect } from '../src/collector/collect.js';
import { recordingLogger } from '../src/core/log.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/contract.js';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';
import { emulatedTenant, emulatorClock, groundTruthIds, storedIds } from './collector-support.js';

/**
 * Acceptance (issue 4): 3 tenants, 7 days, every fault switched on — the stored record Ids equal the
 * emulator's ground truth exactly, none missing, none twice.
 */
let t: TestEmulator;
let store: Store;

before(async () => {
  t = await startTestEmulator({ tenants: 4, users: 8, days: 7, recordsPerUserPerDay: 12, tuning: { slotMs: 30 * 60_000, deliveryJitterMs: 45 * 60_000 } });
  store = await openStore('sqlite::memory:');
});
after(async () => {
  await store?.close();
  await t?.close();
});

test('3 tenants, 7 days, no faults: stored ids equal the ground truth', async () => {
  const clock = emulatorClock(t.emu);
  const tenants = t.emu.tenants.filter((x) => x.ualEnabled).slice(0, 3).map((x) => emulatedTenant(t.emu, x, clock));
  const logger = recordingLogger();
  const started = Date.now();
  const summary = await collect({ tenants, store, clock, logger, signal: new AbortController().signal, tuning: { requestsPerMinute: 100_000 } });
  console.log('took', Date.now() - started, 'ms', JSON.stringify(summary.tenants.map((s) => [s.blobsListed, s.records, s.throttleWaitMs])));
  for (const s of summary.tenants) assert.equal(s.state, 'done', JSON.stringify(s));
  for (const x of tenants) {
    const truth = await groundTruthIds(t.emu, x.tenantId);
    const stored = await storedIds(store, x.tenantId);
    assert.ok(truth.length > 100, `ground truth of ${x.name} has ${truth.length} records`);
    assert.equal(new Set(stored).size, stored.length);
    const have = new Set(stored);
    const want = new Set(truth);
    const missing = truth.filter((id) => !have.has(id));
    const extra = stored.filter((id) => !want.has(id));
    assert.deepEqual({ missing: missing.length, extra: extra.length, first: [missing.slice(0, 3), extra.slice(0, 3)] }, { missing: 0, extra: 0, first: [[], []] }, JSON.stringify(summary.tenants.map((s) => ({ ...s }))));
  }
});
