import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../src/core/clock.js';
import { normalizeRecord } from '../src/ingest/normalize.js';
import { MsalTokenProvider } from '../src/microsoft/auth.js';
import { GraphAuditQueryClient, graphFailure } from '../src/microsoft/graph-audit-query.js';
import { createHttpClient } from '../src/net/http.js';
import { endpointsFor } from '../src/microsoft/types.js';
import { emulatedTenant, emulatorClock, useTestEmulator } from './support/emulator-bed.js';
import { httpsRequest, startTestEmulator } from './support/emulator.js';

/** The Graph audit log query client against the emulator (certificate auth): create, poll, page through records. */
const bed = useTestEmulator({
  tenants: 2,
  users: 4,
  days: 2,
  recordsPerUserPerDay: 20,
  tuning: { graphQueryStartMs: 1000, graphQueryRunMs: 2000, graphPageSize: 25 },
});

test('a Graph audit query is created, runs to succeeded, and its records page through nextLink and normalize', async () => {
  const { t } = bed;
  const tenant = t.emu.tenants.find((x) => x.ualEnabled)!;
  const clock = new ManualClock(t.emu.clock.now());
  const http = createHttpClient({ ca: t.emu.caPem });
  const endpoints = endpointsFor('commercial', t.emu.url);
  const conn = {
    tenantId: tenant.tenantId,
    endpoints,
    http,
    publisherId: null,
    tokens: new MsalTokenProvider({
      tenantId: tenant.tenantId,
      clientId: tenant.clientId,
      endpoints,
      credential: { kind: 'certificate', certificatePem: tenant.certificatePem, privateKeyPem: tenant.privateKeyPem },
      http,
      clock,
    }),
  };
  const client = new GraphAuditQueryClient(conn);
  const now = t.emu.clock.now();
  const created = await client.create({ start: now - 86_400_000, end: now });
  assert.ok(created.ok, JSON.stringify(created));
  let status = created.value.status;
  for (let i = 0; i < 10 && status !== 'succeeded'; i++) {
    await t.emu.clock.advance(1500);
    const polled = await client.status(created.value.id);
    assert.ok(polled.ok);
    status = polled.value.status;
  }
  assert.equal(status, 'succeeded');
  let page = await client.records({ id: created.value.id });
  let pages = 0;
  let count = 0;
  for (;;) {
    assert.ok(page.ok);
    pages++;
    for (const r of page.value.records) assert.ok(normalizeRecord(r, { source: 'graph', tenant: tenant.tenantId }).ok);
    count += page.value.records.length;
    if (!page.value.next) break;
    page = await client.records({ next: page.value.next });
  }
  assert.ok(pages > 1 && count > 25, `${pages} pages, ${count} records`);
  http.close();
});

test('Graph failures: 429 waits its Retry-After, 403 names the permission, AuditingDisabledTenant is plain', () => {
  assert.equal(
    graphFailure(429, '{"error":{"code":"TooManyRequests","message":"x"}}', { 'retry-after': '30' }, 'q').retryAfterMs,
    30_000,
  );
  assert.match(
    graphFailure(403, '{"error":{"code":"Forbidden","message":"x"}}', {}, 'q').error.message,
    /AuditLogsQuery.Read.All/,
  );
  assert.equal(
    graphFailure(400, '{"error":{"code":"AuditingDisabledTenant","message":"x"}}', {}, 'q').error.code,
    'AUDIT_DISABLED',
  );
  assert.throws(
    () =>
      new GraphAuditQueryClient({
        tenantId: 't',
        endpoints: endpointsFor('gcchigh'),
        http: {
          request: async () => {
            throw new Error('no');
          },
        },
        tokens: { token: async () => 'x' },
        publisherId: null,
      }),
    /not offered in the gcchigh cloud/,
  );
});

test('history through Graph: one query per tenant, records stored once (Id shared with the live feed), a ledger window of stream graph', async () => {
  const { t } = bed;
  const { collectHistory } = await import('../src/collector/history.js');
  const { openStore } = await import('../src/store/open.js');
  const { silentLogger } = await import('../src/core/log.js');
  const store = await openStore('sqlite::memory:');
  const tenant = t.emu.tenants.find((x) => x.ualEnabled)!;
  const clock = emulatorClock(t.emu);
  const now = clock.now();
  const o = { store, clock, logger: silentLogger, signal: new AbortController().signal, pollMs: 1000 };
  const first = await collectHistory(o, emulatedTenant(t.emu, tenant, clock), { start: now - 86_400_000, end: now });
  assert.equal(first.error, null);
  assert.ok(first.newRecords > 25 && first.rejected === 0);
  const again = await collectHistory(o, emulatedTenant(t.emu, tenant, clock), { start: now - 86_400_000, end: now });
  assert.equal(again.newRecords, 0, 'the same records are not stored twice');
  const windows = await store.ledger.listWindows({ tenant: tenant.tenantId, stream: 'graph' });
  assert.equal(windows[0]?.state, 'fetched');
  // The live feed's copies of the same records (the Management API's JSON, without Graph's
  // "@odata.type" inside auditData) are duplicates, not conflicts.
  const res = await httpsRequest(`${t.emu.controlUrl}/records?tenantId=${tenant.tenantId}`, t.emu.caPem, 'GET', {});
  const live = res.text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => normalizeRecord(l, { source: 'management-api', tenant: tenant.tenantId }))
    .flatMap((r) => (r.ok ? [r.record] : []));
  const result = await store.records.insert(live);
  assert.equal(result.duplicates, first.newRecords, 'every record the history fill stored is a duplicate');
  assert.deepEqual(result.conflicts ?? [], []);
  await store.close();
});

test('a Graph query that stops at its record limit is asked again in halves: every record of the range, no partial window called fetched', async () => {
  const { collectHistory } = await import('../src/collector/history.js');
  const { openStore } = await import('../src/store/open.js');
  const { silentLogger } = await import('../src/core/log.js');
  // Graph's limit is 1 million records a query (spec §3.3); scaled down so one day's records exceed it.
  const small = await startTestEmulator({
    tenants: 1,
    users: 4,
    days: 2,
    recordsPerUserPerDay: 20,
    tuning: { graphQueryStartMs: 1000, graphQueryRunMs: 2000, graphPageSize: 25, graphRecordCountLimit: 30 },
  });
  const store = await openStore('sqlite::memory:');
  try {
    const tenant = small.emu.tenants.find((x) => x.ualEnabled)!;
    const clock = emulatorClock(small.emu);
    const now = clock.now();
    const range = { start: now - 86_400_000, end: now };
    const res = await httpsRequest(
      `${small.emu.controlUrl}/records?tenantId=${tenant.tenantId}`,
      small.emu.caPem,
      'GET',
      {},
    );
    const truth = res.text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => normalizeRecord(l, { source: 'management-api', tenant: tenant.tenantId }))
      .flatMap((r) =>
        r.ok && r.record.creationTime >= range.start && r.record.creationTime < range.end ? [r.record.id] : [],
      );
    assert.ok(truth.length > 60, `the range holds more than twice the limit (${truth.length})`);

    const o = { store, clock, logger: silentLogger, signal: new AbortController().signal, pollMs: 1000 };
    const result = await collectHistory(o, emulatedTenant(small.emu, tenant, clock), range);
    assert.equal(result.error, null);
    assert.equal(result.newRecords, truth.length, 'every record of the range, once');
    const windows = await store.ledger.listWindows({ tenant: tenant.tenantId, stream: 'graph' });
    assert.ok(windows.length > 1, 'the range was asked for in parts');
    assert.ok(
      windows.every((w) => w.state === 'fetched' && w.records <= 30),
      JSON.stringify(windows),
    );
    const sorted = [...windows].sort((a, b) => a.start - b.start);
    assert.equal(sorted[0]!.start, range.start);
    assert.equal(sorted.at(-1)!.end, range.end);
    for (let i = 1; i < sorted.length; i++) assert.equal(sorted[i]!.start, sorted[i - 1]!.end, 'no hole, no overlap');

    // Where halving cannot go further, the window is partial with the reason, and the run says so.
    const store2 = await openStore('sqlite::memory:');
    try {
      const capped = await collectHistory(
        { ...o, store: store2, minWindowMs: 86_400_000 },
        emulatedTenant(small.emu, tenant, clock),
        range,
      );
      assert.equal(capped.newRecords, 30);
      assert.equal(capped.error?.code, 'UPSTREAM');
      assert.match(capped.error.message, /Graph returned only part of the history/);
      const [w] = await store2.ledger.listWindows({ tenant: tenant.tenantId, stream: 'graph' });
      assert.equal(w?.state, 'partial');
      assert.match(w.lastError ?? '', /stopped at its limit of 30 records/);
    } finally {
      await store2.close();
    }
  } finally {
    await store.close();
    await small.close();
  }
});

test('history through Graph older than the retention is written beyond-retention, not fetched: no fill for time Microsoft no longer keeps', async () => {
  const { t } = bed;
  const { collectHistoryVia } = await import('../src/collector/history.js');
  const { fillsOf } = await import('../src/coverage/gaps.js');
  const { openStore } = await import('../src/store/open.js');
  const { silentLogger } = await import('../src/core/log.js');
  const store = await openStore('sqlite::memory:');
  try {
    const tenant = t.emu.tenants.find((x) => x.ualEnabled)!;
    const clock = emulatorClock(t.emu);
    const now = clock.now();
    const DAY = 86_400_000;
    const o = {
      store,
      clock,
      logger: silentLogger,
      signal: new AbortController().signal,
      pollMs: 1000,
      retentionMs: DAY,
    };
    const run = await collectHistoryVia(o, emulatedTenant(t.emu, tenant, clock), { start: now - 3 * DAY, end: now }, [
      'graph',
    ]);
    assert.equal(run.error, null);
    assert.equal(run.unavailableBefore, now - DAY, 'the CLI says what is unavailable, as it does for the cmdlet');
    const windows = await store.ledger.listWindows({ tenant: tenant.tenantId, stream: 'graph' });
    const old = windows.find((w) => w.start === now - 3 * DAY)!;
    assert.deepEqual([old.state, old.cause, old.end], ['expired', 'beyond-retention', now - DAY]);
    assert.deepEqual(
      fillsOf(windows).map((f) => [f.start, f.end]),
      [[now - DAY, now]],
      'only the time Graph could answer for fills a gap',
    );
  } finally {
    await store.close();
  }
});
