import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CollectTenant } from '../src/collector/collect.js';
import { historyLeaseKey } from '../src/collector/history-lease.js';
import { collectHistoryVia, type HistoryRun } from '../src/collector/history.js';
import type { Clock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import { leaseOwner } from '../src/runtime/lease-owner.js';
import type { Store } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import { pgSkip, tempDir } from './support/paths.js';
import { dropSchema, isolatedPgUrl } from './support/pg.js';
import { emulatedTenant, emulatorClock, useTestEmulator } from './support/emulator-bed.js';

/**
 * Two `collect --history` at once for one tenant (two processes, one database) each asked Graph for the same
 * range. The history run now holds the tenant's lease `history:<tenant>`, renewed while it works: the second
 * process skips the tenant, saying who holds it, and Graph is asked once.
 */
const DAY = 86_400_000;
const MINUTE = 60_000;
const bed = useTestEmulator({
  tenants: 1,
  users: 3,
  days: 2,
  recordsPerUserPerDay: 10,
  // A query runs 10 minutes (emulator time): longer than the lease (at least 6 minutes: three times the longest
  // request), so it must be renewed.
  tuning: { graphQueryStartMs: 1000, graphQueryRunMs: 10 * MINUTE, graphPageSize: 50 },
  faults: { throttleBudgetPerMinute: null },
});

/** Two store connections on one database, as two processes have; removed at the end. */
async function twoStores(kind: 'sqlite' | 'postgres', body: (a: Store, b: Store) => Promise<void>): Promise<void> {
  const tmp = kind === 'sqlite' ? tempDir('tw-history-lease-') : null;
  const url = tmp ? `sqlite:${tmp.dir}/tw.db` : isolatedPgUrl('history_lease');
  const a = await openStore(url);
  const b = await openStore(url);
  try {
    await body(a, b);
  } finally {
    await a.close();
    await b.close();
    tmp?.cleanup();
    if (!tmp) await dropSchema(url);
  }
}

/** `tenant`, counting the Graph audit queries it creates. */
function counted(tenant: CollectTenant, created: { n: number }): CollectTenant {
  return {
    ...tenant,
    connect() {
      const c = tenant.connect();
      return {
        ...c,
        http: {
          request: async (req) => {
            if (req.method === 'POST' && /\/security\/auditLog\/queries$/.test(new URL(req.url).pathname)) created.n++;
            return c.http.request(req);
          },
        },
      };
    },
  };
}

for (const kind of ['sqlite', 'postgres'] as const)
  test(
    `${kind}: a second history run for the same tenant skips it while the first holds the lease, and says who`,
    { skip: kind === 'postgres' ? pgSkip : false, timeout: 120_000 },
    () =>
      twoStores(kind, async (storeA, storeB) => {
        const emu = emulatorClock(bed.t.emu);
        const tenant = bed.t.emu.tenants.find((x) => x.ualEnabled)!;
        const created = { n: 0 };
        const base = counted(emulatedTenant(bed.t.emu, tenant, emu), created);
        const end = Math.floor(emu.now() / 1000) * 1000;
        const range = { start: end - DAY, end };
        const [ownerA, ownerB] = [leaseOwner(), leaseOwner()];
        const run = (store: Store, clock: Clock, owner: string) =>
          collectHistoryVia(
            {
              store,
              clock,
              logger: silentLogger,
              signal: new AbortController().signal,
              lease: { owner, termMs: 2 * MINUTE },
            },
            base,
            range,
            ['graph'],
          );

        // The second process starts 7 minutes into the first one's query: past the lease's term (the 2 minutes
        // asked for are raised to 6), so only a lease renewed while the first waits keeps it out.
        let second: Promise<HistoryRun> | null = null;
        const started = emu.now();
        const firstClock: Clock = {
          now: () => emu.now(),
          async sleep(ms, signal) {
            await emu.sleep(ms, signal);
            if (!second && emu.now() - started >= 7 * MINUTE) second = run(storeB, emu, ownerB);
          },
        };
        const first = await run(storeA, firstClock, ownerA);
        assert.ok(second, 'the second run started while the first was waiting for its query');
        const skipped = await (second as Promise<HistoryRun>);

        assert.equal(first.busy, null);
        assert.equal(first.error, null, first.error?.message);
        assert.ok(first.records > 0);
        assert.deepEqual(skipped.sources, [], 'the second process asked nothing');
        assert.equal(skipped.records, 0);
        assert.equal(skipped.busy?.code, 'CONFLICT');
        assert.match(
          skipped.busy?.message ?? '',
          new RegExp(
            `^process ${process.pid} on .+ is collecting the history of ${tenant.name} \\(its lease runs until \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z unless renewed\\); skipped here$`,
          ),
        );
        assert.match(skipped.busy?.hint ?? '', /that process fills the range/);
        assert.equal(created.n, 1, 'Graph was asked once');
        assert.equal(await storeA.ledger.leaseHolder(historyLeaseKey(tenant.tenantId)), null, 'released at the end');

        // Once the first is done, the next run holds the lease and asks again.
        const later = await run(storeB, emu, ownerB);
        assert.equal(later.busy, null);
        assert.equal(later.error, null, later.error?.message);
        assert.equal(created.n, 2);
      }),
  );
