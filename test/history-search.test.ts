import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectHistoryVia } from '../src/collector/history.js';
import { silentLogger } from '../src/core/log.js';
import { openStore } from '../src/store/open.js';
import { emulatedTenant, emulatorClock, storedIds, useTestEmulator } from './support/emulator-bed.js';
import { httpsRequest } from './support/emulator.js';

/**
 * Issue 20, history: Search-UnifiedAuditLog through the Exchange admin REST endpoint against the
 * emulator (virtual clock). The stored records of a 30-day range equal the emulator's ground truth for
 * that range (none missing, none doubled); a forced cap splits windows instead of losing records.
 */
const DAY = 86_400_000;
const bed = useTestEmulator({
  tenants: 2,
  users: 4,
  days: 32,
  recordsPerUserPerDay: 20,
  tuning: { graphQueryStartMs: 1000, graphQueryRunMs: 2000, graphPageSize: 500 },
});

async function truth(tenantId: string, start: number, end: number): Promise<string[]> {
  const { t } = bed;
  const res = await httpsRequest(`${t.emu.controlUrl}/records?tenantId=${tenantId}`, t.emu.caPem, 'GET', {});
  assert.equal(res.status, 200);
  return res.text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { Id: string; CreationTime: string })
    .filter((r) => {
      const at = Date.parse(`${r.CreationTime.replace(/Z$/, '')}Z`);
      return at >= start && at < end;
    })
    .map((r) => r.Id);
}

function compare(stored: string[], expected: string[]): { missing: number; doubled: number; extra: number } {
  const set = new Set(stored);
  const want = new Set(expected);
  return {
    missing: [...want].filter((id) => !set.has(id)).length,
    doubled: stored.length - set.size,
    extra: [...set].filter((id) => !want.has(id)).length,
  };
}

function range(): { start: number; end: number } {
  const { t } = bed;
  const end = Math.floor(t.emu.clock.now() / 1000) * 1000;
  return { start: end - 30 * DAY, end };
}

test('GCC High: 30 days arrive through the cmdlet (auto), windows split under the cap, equal to ground truth', async () => {
  const { t } = bed;
  const store = await openStore('sqlite::memory:');
  const tenant = t.emu.tenants.find((x) => x.ualEnabled)!;
  const clock = emulatorClock(t.emu);
  const r = range();
  t.emu.setFaults({ searchResultCap: 60 });
  try {
    const run = await collectHistoryVia(
      { store, clock, logger: silentLogger, signal: new AbortController().signal, largeSetCap: 60 },
      emulatedTenant(t.emu, tenant, clock, 'secret', {}, 'gcchigh'),
      r,
      ['auto'],
    );
    assert.equal(run.error, null);
    assert.deepEqual(
      run.sources.map((s) => s.source),
      ['search-unified-audit-log'],
    );
    const got = compare(await storedIds(store, tenant.tenantId), await truth(tenant.tenantId, r.start, r.end));
    assert.deepEqual(got, { missing: 0, doubled: 0, extra: 0 });
    const windows = await store.ledger.listWindows({ tenant: tenant.tenantId, stream: 'search-unified-audit-log' });
    assert.ok(windows.length > 31, `${windows.length} windows: some days were split`);
    for (const w of windows) {
      assert.equal(w.state, 'fetched');
      assert.ok(w.records < 60, `window ${new Date(w.start).toISOString()} has ${w.records} records`);
    }
    assert.equal(
      windows.reduce((n, w) => n + w.records, 0),
      run.records,
    );
  } finally {
    t.emu.setFaults({ searchResultCap: null });
    await store.close();
  }
});

test('commercial: --via search-unified-audit-log equals ground truth; --via auto picks Graph; both merge by Id', async () => {
  const { t } = bed;
  const tenant = t.emu.tenants.filter((x) => x.ualEnabled).at(-1)!;
  const clock = emulatorClock(t.emu);
  const r = range();
  const o = (store: Awaited<ReturnType<typeof openStore>>) => ({
    store,
    clock,
    logger: silentLogger,
    signal: new AbortController().signal,
    pollMs: 1000,
  });
  const store = await openStore('sqlite::memory:');
  const cmdlet = await collectHistoryVia(o(store), emulatedTenant(t.emu, tenant, clock), r, [
    'search-unified-audit-log',
  ]);
  assert.equal(cmdlet.error, null);
  const expected = await truth(tenant.tenantId, r.start, r.end);
  assert.deepEqual(compare(await storedIds(store, tenant.tenantId), expected), { missing: 0, doubled: 0, extra: 0 });
  const both = await collectHistoryVia(o(store), emulatedTenant(t.emu, tenant, clock), r, [
    'graph',
    'search-unified-audit-log',
  ]);
  assert.deepEqual(
    both.sources.map((s) => s.source),
    ['graph', 'search-unified-audit-log'],
  );
  assert.equal(both.newRecords, 0, 'the second source adds nothing: records merge by Id');
  await store.close();

  const auto = await openStore('sqlite::memory:');
  const picked = await collectHistoryVia(o(auto), emulatedTenant(t.emu, tenant, clock), r, ['auto']);
  assert.deepEqual(
    picked.sources.map((s) => s.source),
    ['graph'],
  );
  assert.equal(picked.error, null);
  await auto.close();
});

test('a forced cap (exactly the cap as ResultCount) splits the window instead of losing records', async () => {
  const { t } = bed;
  const store = await openStore('sqlite::memory:');
  const tenant = t.emu.tenants.find((x) => x.ualEnabled)!;
  const clock = emulatorClock(t.emu);
  const end = Math.floor(t.emu.clock.now() / DAY) * DAY;
  const r = { start: end - 2 * DAY, end };
  t.emu.setFaults({ searchResultCap: 25 });
  try {
    const run = await collectHistoryVia(
      { store, clock, logger: silentLogger, signal: new AbortController().signal, largeSetCap: 25 },
      emulatedTenant(t.emu, tenant, clock),
      r,
      ['search-unified-audit-log'],
    );
    assert.equal(run.error, null);
    const expected = await truth(tenant.tenantId, r.start, r.end);
    assert.ok(expected.length > 50, `${expected.length} records over the cap`);
    assert.deepEqual(compare(await storedIds(store, tenant.tenantId), expected), { missing: 0, doubled: 0, extra: 0 });
  } finally {
    t.emu.setFaults({ searchResultCap: null });
    await store.close();
  }
});

test('history older than the retention is one unavailable window, not a gap', async () => {
  const { t } = bed;
  const store = await openStore('sqlite::memory:');
  const tenant = t.emu.tenants.find((x) => x.ualEnabled)!;
  const clock = emulatorClock(t.emu);
  const now = Math.floor(t.emu.clock.now() / 1000) * 1000;
  const run = await collectHistoryVia(
    { store, clock, logger: silentLogger, signal: new AbortController().signal, retentionMs: 2 * DAY },
    emulatedTenant(t.emu, tenant, clock),
    { start: now - 5 * DAY, end: now },
    ['search-unified-audit-log'],
  );
  assert.equal(run.error, null);
  assert.ok(run.unavailableBefore !== null && Math.abs(run.unavailableBefore - (now - 2 * DAY)) < 60_000);
  const windows = await store.ledger.listWindows({ tenant: tenant.tenantId, stream: 'search-unified-audit-log' });
  const unavailable = windows.filter((w) => w.state === 'expired');
  assert.equal(unavailable.length, 1);
  assert.equal(unavailable[0]!.cause, 'beyond-retention');
  assert.match(unavailable[0]!.lastError ?? '', /^older than the tenant's retention/);
  await store.close();
});
