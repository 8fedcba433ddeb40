import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { collect, type CollectTenant } from '../src/collector/collect.js';
import { silentLogger } from '../src/core/log.js';
import { DAY, HOUR } from '../src/core/time.js';
import { raiseHits } from '../src/detections/alerts/raise.js';
import { openLiveDetections } from '../src/detections/live-session.js';
import { loadRuleSet } from '../src/detections/loader.js';
import { runRetro } from '../src/detections/retro.js';
import { spFile } from '../src/reports/testing/builders.js';
import type { StoredRecord } from '../src/core/record.js';
import type { Store } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import { emulatedTenant, emulatorClock, useEmulatorAndStore } from './support/emulator-bed.js';
import { emulatedTenantRow } from './support/emulator.js';
import { tempDir } from './support/paths.js';

/**
 * Acceptance (issue 14): the whole pack run live over the emulator's simulated tenants — the collector
 * fetching a week and then three more passes hours apart, each collect run a new process (a new, primed
 * evaluator) with the rules evaluated after every pass through the tail cursor — raises the same alerts
 * as one retro run of the pack over the same stored records: same rule, tenant, group key and records
 * behind each alert. The simulator's scripted events (inbox rules that forward, sprays, mass downloads,
 * audit settings changed, consent…) make sure there is something to find.
 *
 * Live first-seen decisions wait a day for late records; so the live side ends as it would in service:
 * one more record per tenant two days on (an unremarkable file access) makes every earlier candidate
 * decidable. The retro run sees that record too. The pack's first-seen rule looks back 30 days, longer
 * than the simulated week, so it never calls an address new here (first-seen.ts); a copy that looks back
 * two days joins the pack for this test.
 */
const SHORT_FIRST_SEEN = `title: Sign-in from an address new for the user in two days
id: 0d6f3c1e-2b4a-4c5d-8e6f-7a8b9c0d1e2f
logsource: {product: m365, service: audit}
detection:
  selection: {Operation: UserLoggedIn}
  condition: selection
first-seen:
  field: ClientIP
  group-by: [UserId]
  days: 2
level: low
`;
// The bed's store is the live side's, which the collector writes to; the retro run has its own.
const bed = useEmulatorAndStore({
  tenants: 3,
  users: 10,
  days: 7,
  recordsPerUserPerDay: 12,
  tuning: { slotMs: 60 * 60_000, deliveryJitterMs: 90 * 60_000, firstDataDelayMs: 0 },
});
let retro: Store;
let ruleFiles: { dir: string; cleanup: () => void };

before(async () => {
  ruleFiles = tempDir('tw-rules-');
  writeFileSync(join(ruleFiles.dir, 'short-first-seen.yml'), SHORT_FIRST_SEEN);
  retro = await openStore('sqlite::memory:');
});
after(async () => {
  await retro?.close();
  ruleFiles?.cleanup();
});

type Key = string;
async function alertsOf(store: Store): Promise<Key[]> {
  return (await store.alerts.list({ limit: 100_000 }))
    .map((a) => `${a.ruleId} ${a.tenant} ${a.groupKey}: ${[...a.recordIds].sort().join(',')}`)
    .sort();
}

test('live over the emulator and retro over the same records raise the same alerts', { timeout: 600_000 }, async () => {
  const { t, store: live } = bed;
  const clock = emulatorClock(t.emu);
  const chosen = t.emu.tenants.filter((x) => x.ualEnabled);
  assert.ok(chosen.length >= 2);
  for (const x of chosen) {
    await live.tenants.upsert(emulatedTenantRow(t.emu, x));
    await retro.tenants.upsert(emulatedTenantRow(t.emu, x));
  }
  const tenants: CollectTenant[] = chosen.map((x) => emulatedTenant(t.emu, x, clock));
  const pack = loadRuleSet({ paths: [ruleFiles.dir] });
  assert.deepEqual(pack.problems, []);
  const signal = new AbortController().signal;
  let passes = 0;
  let evaluated = 0;
  for (let run = 0; run < 4; run++) {
    if (run) await t.emu.clock.set(t.emu.clock.now() + 6 * HOUR);
    // A new process each time: a new evaluator, primed from the store.
    const session = openLiveDetections(live, pack, { clock, logger: silentLogger, posture: false });
    const summary = await collect({
      tenants,
      store: live,
      clock,
      logger: silentLogger,
      signal,
      tuning: { requestsPerMinute: 100_000 },
      afterPass: async () => {
        await session.pass();
      },
    });
    for (const s of summary.tenants) assert.equal(s.state, 'done', JSON.stringify(s));
    passes += session.totals.passes;
    evaluated += session.totals.records;
  }
  const newest = await live.records.newest();
  await live.records.insert(
    [...newest].map(([tenant, at]) =>
      spFile('FileAccessed', {
        OrganizationId: tenant,
        CreationTime: new Date(at + 2 * DAY).toISOString().slice(0, 19),
        UserId: 'quiet@example.com',
      }),
    ),
  );
  const last = openLiveDetections(live, pack, { clock, logger: silentLogger, posture: false });
  await last.pass();
  evaluated += last.totals.records;

  const stored: StoredRecord[] = [];
  for await (const r of live.records.search({ range: { start: 0, end: 8_000_000_000_000 } })) stored.push(r);
  assert.equal(evaluated, stored.length, 'every stored record evaluated live exactly once');
  assert.ok(passes >= 4);
  await retro.records.insert(stored);
  const times = stored.map((r) => r.creationTime);
  const hits = await runRetro(retro, pack, { start: Math.min(...times), end: Math.max(...times) + 1 });
  await raiseHits({ store: retro, clock, logger: silentLogger }, hits);

  const want = await alertsOf(retro);
  const rules = new Set(want.map((k) => k.split(' ')[0]));
  assert.ok(want.length >= 20, `${want.length} alerts`);
  assert.ok(rules.size >= 8, `${rules.size} rules raised alerts`);
  const firstSeen = '0d6f3c1e-2b4a-4c5d-8e6f-7a8b9c0d1e2f';
  assert.ok(
    want.some((k) => k.startsWith(`${firstSeen} `)),
    'the two-day first-seen rule raised alerts',
  );
  assert.deepEqual(await alertsOf(live), want);
});
