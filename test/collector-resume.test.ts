import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect } from '../src/collector/collect.js';
import { recordingLogger } from '../src/core/log.js';
import { readCoverage } from '../src/coverage/read.js';
import { openStore } from '../src/store/open.js';
import { startTestEmulator } from './support/emulator.js';
import {
  emulatedTenant,
  emulatorClock,
  groundTruthIds,
  storedIds,
  useEmulatorAndStore,
} from './support/emulator-bed.js';

/**
 * A first run that finishes none of its windows leaves no checkpoint (here: new subscriptions, whose first
 * content Microsoft lists only after 12 h). Its windows are in the ledger as not fetched, so coverage shows
 * them; the next run — even with a shorter `--since` — resumes from the oldest of them, collects all that
 * Microsoft still lists, and shows what passed the 7-day horizon meanwhile as gaps: not collectable (it passed
 * while the subscriptions awaited their first content), not lost.
 */
const HOUR = 3_600_000;

const bed = useEmulatorAndStore({
  tenants: 2,
  users: 4,
  days: 8,
  recordsPerUserPerDay: 10,
  tuning: { slotMs: 60 * 60_000, firstDataDelayMs: 12 * HOUR },
});

test(
  'windows a first run planned and did not finish are gaps, and the next run collects them',
  { timeout: 300_000 },
  async () => {
    const { t, store } = bed;
    const clock = emulatorClock(t.emu);
    const chosen = t.emu.tenants.find((x) => x.ualEnabled)!;
    const tenant = emulatedTenant(t.emu, chosen, clock);
    const run = (sinceMs: number) =>
      collect({
        tenants: [tenant],
        store,
        clock,
        logger: recordingLogger(),
        signal: new AbortController().signal,
        sinceMs,
        tuning: { contentTypes: ['Audit.SharePoint', 'Audit.Exchange'] },
      });
    const firstAt = clock.now();
    const first = (await run(7 * 24 * HOUR)).tenants[0]!;
    assert.equal(first.windowsDone, 0);
    assert.ok(first.windowsAwaitingFirstContent > 0);
    const planned = await readCoverage(store, [chosen], clock.now());
    for (const s of planned.streams) {
      assert.equal(s.checkpoint, null);
      assert.equal(s.fetched, 0, `${s.stream}: nothing fetched`);
      assert.ok(s.gaps.length >= 8, `${s.stream}: every planned window is a gap (${s.gaps.length})`);
      assert.ok(s.gaps[0]!.start <= firstAt - 7 * 24 * HOUR + 10 * 60_000, `${s.stream}: from the first run's start`);
      assert.match(s.gaps[0]!.reason, /has not listed this subscription's first content yet/, 'the gap says why');
    }
    assert.equal(planned.streams.length, 2, 'both streams are in the ledger');

    // 13 hours later the first content has come; the user asks for one day only.
    await t.emu.clock.set(firstAt + 13 * HOUR);
    const second = (await run(24 * HOUR)).tenants[0]!;
    assert.equal(second.state, 'done', JSON.stringify(second));
    const truth = await groundTruthIds(t.emu, chosen.tenantId);
    const stored = new Set(await storedIds(store, chosen.tenantId));
    const missing = truth.filter((id) => !stored.has(id));
    assert.ok(truth.length > 500, `ground truth has ${truth.length} records`);
    assert.equal(missing.length, 0, `${missing.length} of ${truth.length} listable records were never collected`);

    const after = await readCoverage(store, [chosen], clock.now());
    const horizon = clock.now() - 7 * 24 * HOUR;
    for (const s of after.streams) {
      assert.notEqual(s.checkpoint, null, `${s.stream}: the checkpoint moved`);
      // What passed the horizon between the runs is shown, not dropped from the report.
      assert.ok(s.gaps.length > 0, `${s.stream}: the time that expired between the runs is a gap`);
      for (const g of s.gaps) {
        assert.ok(g.start < horizon + 10 * 60_000, `${s.stream}: gap ${g.state} behind the horizon`);
        // It passed the horizon while the new subscriptions awaited their first content: nothing was lost.
        assert.equal(g.state, 'not collectable', `${s.stream}: ${g.reason}`);
      }
      assert.equal(s.expired, 0, `${s.stream}: nothing counted as lost`);
      assert.ok(
        s.from !== null && s.from <= firstAt - 7 * 24 * HOUR + 10 * 60_000,
        `${s.stream}: coverage still begins where the first run began`,
      );
    }
  },
);

test(
  'time a first run planned that passes the horizon before the next run is a gap, not where coverage begins',
  { timeout: 300_000 },
  async () => {
    const late = await startTestEmulator({
      tenants: 2,
      users: 4,
      days: 8,
      recordsPerUserPerDay: 10,
      tuning: { slotMs: 60 * 60_000, firstDataDelayMs: HOUR },
    });
    const ledger = await openStore('sqlite::memory:');
    try {
      const clock = emulatorClock(late.emu);
      const chosen = late.emu.tenants.find((x) => x.ualEnabled)!;
      const tenant = emulatedTenant(late.emu, chosen, clock);
      const run = () =>
        collect({
          tenants: [tenant],
          store: ledger,
          clock,
          logger: recordingLogger(),
          signal: new AbortController().signal,
          tuning: { contentTypes: ['Audit.SharePoint'] },
        });
      const firstAt = clock.now();
      assert.equal((await run()).tenants[0]!.windowsDone, 0, 'nothing listed in the first hour');
      // Two hours later, within the same day of the grid: the first window is listed from a later horizon.
      await late.emu.clock.set(firstAt + 2 * HOUR);
      assert.equal((await run()).tenants[0]!.state, 'done');
      const [s] = (await readCoverage(ledger, [chosen], clock.now())).streams;
      const planned = firstAt - 7 * 24 * HOUR + 5 * 60_000;
      assert.ok(s!.from !== null && s!.from <= planned + 1000, 'coverage begins where the first run began');
      // Shown, though not lost: they passed the horizon while the new subscription awaited its first content.
      const passed = s!.gaps.find((g) => g.state === 'not collectable');
      assert.ok(passed, `the two hours behind the horizon are a gap: ${JSON.stringify(s!.gaps)}`);
      assert.match(passed.reason, /^not collectable before the subscription started/);
      assert.ok(Math.abs(passed.start - planned) <= 1000 && Math.abs(passed.end - (planned + 2 * HOUR)) <= 1000);
      assert.equal(s!.expired, 0);
      assert.equal(s!.windows, 8, 'the slice is not counted as a window');
    } finally {
      await ledger.close();
      await late.close();
    }
  },
);
