import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect, type CollectTenant } from '../src/collector/collect.js';
import { silentLogger } from '../src/core/log.js';
import { emulatedTenant, emulatorClock, useEmulatorAndStore } from './support/emulator-bed.js';

/**
 * The Management Activity API's own 401 (ASP.NET's "Authorization has been denied", spec §2.11) in the middle of a
 * collection: the bearer client renews the token and sends the request again within one attempt of the collector.
 * The emulator refuses a token its clock finds expired; here its clock jumps an hour ahead (the clock skew fault) while
 * a blob request is out, so the token the collector holds, still valid by its own clock, is refused. The first try is
 * made to take 100 s of the collector's (the emulator's virtual) clock: the second request must still start with a
 * whole request's timeout left of the stream's lease, not the 20 s the first left of its 2 minutes.
 */
const bed = useEmulatorAndStore({
  tenants: 1,
  users: 3,
  days: 1,
  recordsPerUserPerDay: 6,
  tuning: { firstDataDelayMs: 0 },
  faults: { throttleBudgetPerMinute: null },
});

test('a blob request the service refuses with 401 is sent again with a new token, on a lease still covering it', async () => {
  const { t, store } = bed;
  const clock = emulatorClock(t.emu);
  const tenant = t.emu.tenants.find((x) => x.ualEnabled)!;
  const inner = emulatedTenant(t.emu, tenant, clock);
  const key = `collect/${tenant.tenantId}/Audit.Exchange`;
  const blobs: { url: string; status: number; left: number }[] = [];
  let skewed = false;
  const slowBlob: CollectTenant = {
    ...inner,
    connect() {
      const conn = inner.connect();
      return {
        ...conn,
        http: {
          async request(req) {
            if (!req.url.includes('/activity/feed/audit/')) return conn.http.request(req);
            const left = ((await store.ledger.leaseHolder(key))?.until ?? 0) - clock.now();
            if (!skewed) {
              skewed = true;
              await t.emu.clock.advance(100_000);
              t.emu.setFaults({ clockSkewMs: 3_600_000 });
            }
            const res = await conn.http.request(req);
            blobs.push({ url: req.url, status: res.status, left });
            return res;
          },
        },
      };
    },
  };
  const summary = await collect({
    tenants: [slowBlob],
    store,
    clock,
    logger: silentLogger,
    signal: new AbortController().signal,
    concurrency: 1,
    sinceMs: 86_400_000,
    tuning: { contentTypes: ['Audit.Exchange'], requestsPerMinute: 100_000, leaseMs: 120_000 },
  });
  assert.equal(summary.ok, true, JSON.stringify(summary));
  const refused = blobs[0]!;
  assert.equal(refused.status, 401, "the emulator refused the token the collector held: the API's own 401");
  assert.deepEqual(
    blobs.filter((b) => b.url === refused.url).map((b) => b.status),
    [401, 200],
    'sent again with a new token, in the same attempt',
  );
  assert.ok(
    blobs.every((b) => b.left >= 120_000),
    `lease left at each blob request: ${blobs.map((b) => b.left / 1000).join(', ')} s`,
  );
});
