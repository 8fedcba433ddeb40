import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect } from '../src/collector/collect.js';
import { recordingLogger } from '../src/core/log.js';
import {
  emulatedTenant,
  emulatorClock,
  groundTruthIds,
  storedIds,
  useEmulatorAndStore,
} from './support/emulator-bed.js';

/**
 * Acceptance (issue 4): 3 tenants, 7 days, with throttling (403 AF429 on a per-minute budget), 5xx,
 * connections cut mid-body, token expiry and clock skew switched on — plus what the emulator always
 * does: duplicate records within and across blobs, late and out-of-order blobs, empty blobs. One
 * tenant signs in with its certificate, the others with secrets. The stored record Ids equal the
 * emulator's ground truth exactly: none missing, none twice.
 */
const bed = useEmulatorAndStore({
  tenants: 4,
  users: 8,
  days: 7,
  recordsPerUserPerDay: 12,
  // Content at once after a start (the default waits 12 h, as documented).
  tuning: { slotMs: 60 * 60_000, deliveryJitterMs: 90 * 60_000, firstDataDelayMs: 0 },
});

test('3 tenants, 7 days, every fault on: stored ids equal the ground truth exactly', { timeout: 600_000 }, async () => {
  const { t, store } = bed;
  const clock = emulatorClock(t.emu);
  const chosen = t.emu.tenants.filter((x) => x.ualEnabled).slice(0, 3);
  assert.equal(chosen.length, 3);
  const tenants = chosen.map((x, i) => emulatedTenant(t.emu, x, clock, i === 1 ? 'certificate' : 'secret'));
  t.emu.setFaults({
    throttleBudgetPerMinute: 150,
    throttleStatus: 403,
    serverErrorRate: 0.04,
    cutRate: 0.04,
    tokenLifetimeSeconds: 240,
    clockSkewMs: 90_000,
  });
  const logger = recordingLogger();
  const signal = new AbortController().signal;
  const first = await collect({
    tenants,
    store,
    clock,
    logger,
    signal,
    tuning: { requestsPerMinute: 100_000, retry: { maxAttempts: 20, random: () => 0.5 } },
  });
  for (const s of first.tenants) assert.equal(s.state, 'done', JSON.stringify(s));
  const total = (k: 'throttled' | 'retries' | 'blobsFetched') => first.tenants.reduce((n, s) => n + s[k], 0);
  assert.ok(total('throttled') > 0, 'throttling happened');
  assert.ok(total('retries') > 0, '5xx and cut connections happened and were retried');
  // Time moved while the run waited out throttling: catch up until a pass needs no waiting at all.
  for (let pass = 0; pass < 12; pass++) {
    const before = clock.now();
    const again = await collect({
      tenants,
      store,
      clock,
      logger,
      signal,
      tuning: { requestsPerMinute: 100_000, retry: { maxAttempts: 20 } },
    });
    for (const s of again.tenants) assert.equal(s.state, 'done', JSON.stringify(s));
    if (clock.now() === before) break;
  }
  for (const x of chosen) {
    const truth = await groundTruthIds(t.emu, x.tenantId);
    const stored = await storedIds(store, x.tenantId);
    assert.ok(truth.length > 500, `ground truth of ${x.name} has ${truth.length} records`);
    assert.equal(new Set(stored).size, stored.length, 'no record twice');
    const have = new Set(stored);
    const want = new Set(truth);
    assert.deepEqual(
      { missing: truth.filter((id) => !have.has(id)).length, extra: stored.filter((id) => !want.has(id)).length },
      { missing: 0, extra: 0 },
    );
  }
  const blobs = await store.ledger.listBlobs({});
  assert.ok(blobs.every((b) => (b.status === 'fetched' ? /^[0-9a-f]{64}$/.test(b.sha256 ?? '') : true)));
  assert.ok(total('blobsFetched') > 100);
});
