import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect, type CollectTenant } from '../src/collector/collect.js';
import type { Clock } from '../src/core/clock.js';
import { recordingLogger, silentLogger, type Logger } from '../src/core/log.js';
import { EVENTS } from '../src/collector/events.js';
import { readCoverage } from '../src/coverage/read.js';
import type { CoverageWindow, Store } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import { blobsFail, blobsSeen, listingFails, listsLate } from './support/intercepted.js';
import { pgSkip } from './support/paths.js';
import { dropSchema, isolatedPgUrl } from './support/pg.js';
import { emulatedTenant, emulatorClock, useTestEmulator } from './support/emulator-bed.js';

/**
 * How far a window was fetched (the ledger's fetched_to) when its listing does not go as planned. The last day an
 * earlier run fetched up to its now is listed again; when the service's horizon (AF20055) moves the listing's start
 * into that day mid-listing, coverage read the head fetched before as lost; when the listing of today's window
 * fails, or ends partial (some blobs failed), it read the whole day as failed. All keep the head now: only what
 * follows it is a gap — from a blob that failed inside the head, when one did, or that a stop left unfetched.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const bed = useTestEmulator({
  tenants: 1,
  users: 3,
  days: 1,
  recordsPerUserPerDay: 6,
  tuning: { firstDataDelayMs: 0, slotMs: HOUR },
  faults: { throttleBudgetPerMinute: null },
});

const stores = [
  { kind: 'sqlite', skip: false as const, url: () => 'sqlite::memory:' },
  { kind: 'postgres', skip: pgSkip, url: () => isolatedPgUrl('horizon_shift') },
];

async function withStore(url: string, body: (store: Store) => Promise<void>): Promise<void> {
  const store = await openStore(url);
  try {
    await body(store);
  } finally {
    await store.close();
    if (url.startsWith('postgres')) await dropSchema(url);
  }
}

/** One Audit.Exchange pass of `tenant` on `clock`; `run` stops it (signal) or bounds its blob fetches at once. */
function pass(
  store: Store,
  tenant: CollectTenant,
  clock: Clock,
  sinceMs = DAY,
  logger: Logger = silentLogger,
  run: { signal?: AbortSignal; concurrency?: number } = {},
) {
  return collect({
    tenants: [tenant],
    store,
    clock,
    logger,
    signal: run.signal ?? new AbortController().signal,
    sinceMs,
    ...(run.concurrency ? { concurrency: run.concurrency } : {}),
    tuning: { contentTypes: ['Audit.Exchange'], requestsPerMinute: 100_000, retry: { maxAttempts: 2 } },
  });
}

/** Moves the emulator's clock to `hour` o'clock of the first whole UTC day after its now; that day's start. */
async function nextDayAt(hour: number): Promise<number> {
  const day = Math.floor(bed.t.emu.clock.now() / DAY) * DAY + DAY;
  await bed.t.emu.clock.set(day + hour * HOUR);
  return day;
}

/**
 * The earlier run of each test: the emulator moved to `hour` o'clock of the next day, and its first tenant collected
 * up to then (through `wrap`, when the test changes what the service answers); that day's window as it left it.
 */
async function earlierRun(store: Store, hour: number, wrap: (tenant: CollectTenant) => CollectTenant = (c) => c) {
  const clock = emulatorClock(bed.t.emu);
  const tenant = bed.t.emu.tenants[0]!;
  const day = await nextDayAt(hour);
  await pass(store, wrap(emulatedTenant(bed.t.emu, tenant, clock)), clock, hour * HOUR);
  return { clock, tenant, day, first: await dayWindow(store, tenant.tenantId, day) };
}

/** An earlier run at 10:00, not shown the blobs created from 05:00 on (`hidden`): the service lists them late. */
async function earlierRunShownLate(store: Store) {
  const hidden = new Set<string>();
  return { ...(await earlierRun(store, 10, (c) => listsLate(c, hidden))), hidden };
}

/** The tenant's Audit.Exchange window of `day` (and any after it: the first) as the ledger has it now. */
async function dayWindow(store: Store, tenant: string, day: number): Promise<CoverageWindow | undefined> {
  const [window] = await store.ledger.listWindows({ tenant, stream: 'Audit.Exchange', from: day });
  return window;
}

async function gaps(store: Store, tenantId: string, now: number) {
  const cov = await readCoverage(store, [{ tenantId, name: 'tenant' }], now);
  const s = cov.streams.find((x) => x.stream === 'Audit.Exchange')!;
  return s.gaps.map((g) => ({ start: g.start, end: g.end, state: g.state }));
}

for (const s of stores)
  test(`${s.kind}: a failed listing of today's window keeps what an earlier run fetched of it`, { skip: s.skip }, () =>
    withStore(s.url(), async (store) => {
      const { clock, tenant, day, first } = await earlierRun(store, 10);
      assert.equal(first!.state, 'fetched');
      assert.equal(first!.start, day);
      const fetchedTo = first!.end;

      await bed.t.emu.clock.advance(3 * HOUR);
      const failed = await pass(store, listingFails(emulatedTenant(bed.t.emu, tenant, clock)), clock);
      assert.equal(failed.tenants[0]!.state, 'failed');
      const again = await dayWindow(store, tenant.tenantId, day);
      assert.equal(again!.state, 'failed');
      assert.equal(again!.fetchedTo, fetchedTo, 'the head fetched before is kept');
      assert.deepEqual(
        (await gaps(store, tenant.tenantId, clock.now())).filter((g) => g.end > day),
        [{ start: fetchedTo, end: again!.end, state: 'failed' }],
        'only what followed the earlier run is a gap, not the whole day',
      );

      // The next run lists the day whole again: no head to keep, nothing open.
      await pass(store, emulatedTenant(bed.t.emu, tenant, clock), clock);
      const done = await dayWindow(store, tenant.tenantId, day);
      assert.equal(done!.state, 'fetched');
      assert.equal(done!.fetchedTo, null);
      assert.deepEqual(
        (await gaps(store, tenant.tenantId, clock.now())).filter((g) => g.end > day),
        [],
      );
    }),
  );

for (const s of stores)
  test(
    `${s.kind}: the service's horizon moving a listing's start into a day fetched before (AF20055) loses nothing of its head`,
    { skip: s.skip, timeout: 240_000 },
    () =>
      withStore(s.url(), async (store) => {
        const { clock: emu, tenant, day, first } = await earlierRun(store, 12);
        assert.equal(first!.state, 'fetched');
        const fetchedTo = first!.end;

        // A week on, the service's horizon (7 days less its hour of tolerance) is 1 h into that day. The
        // collector's clock, 3 h behind, puts its own horizon before the day, so it plans the day from its start
        // and the service refuses that start: the listing shifts to the service's horizon, inside the head.
        await bed.t.emu.clock.set(day + 7 * DAY + 2 * HOUR);
        const behind: Clock = { now: () => emu.now() - 3 * HOUR, sleep: (ms, signal) => emu.sleep(ms, signal) };
        const back = await pass(store, emulatedTenant(bed.t.emu, tenant, behind), behind, 8 * DAY);
        assert.equal(back.tenants[0]!.state, 'done', JSON.stringify(back.tenants[0]));
        const shifted = await dayWindow(store, tenant.tenantId, day);
        assert.equal(shifted!.start, day);
        assert.equal(shifted!.state, 'fetched');
        assert.ok(shifted!.queriedStart! > day && shifted!.queriedStart! < fetchedTo, 'listed from the shift');
        assert.equal(shifted!.fetchedTo, fetchedTo, 'how far the earlier run fetched it is recorded');
        assert.deepEqual(
          await gaps(store, tenant.tenantId, bed.t.emu.clock.now()),
          [],
          'nothing of the head fetched before reads as lost',
        );
      }),
  );

for (const s of stores)
  test(
    `${s.kind}: the service's horizon moving a listing's start past the part fetched before (AF20055) is said as lost`,
    { skip: s.skip, timeout: 240_000 },
    () =>
      withStore(s.url(), async (store) => {
        const { clock: emu, tenant, day, first } = await earlierRun(store, 12);
        const fetchedTo = first!.end;

        // A week on, the service's horizon is 13 h into that day, past the 12 h fetched; the collector's clock, 3 h
        // behind, plans the day from its own horizon inside the head, and the service moves the start past it.
        await bed.t.emu.clock.set(day + 7 * DAY + 14 * HOUR);
        const behind: Clock = { now: () => emu.now() - 3 * HOUR, sleep: (ms, signal) => emu.sleep(ms, signal) };
        const logger = recordingLogger();
        const back = await pass(store, emulatedTenant(bed.t.emu, tenant, behind), behind, 8 * DAY, logger);
        assert.equal(back.tenants[0]!.state, 'done', JSON.stringify(back.tenants[0]));
        const shifted = await dayWindow(store, tenant.tenantId, day);
        assert.ok(shifted!.queriedStart! > fetchedTo, 'listed from past the head');
        const lost = logger.entries
          .filter((e) => (e.obj as { event?: string }).event === EVENTS.windowExpired)
          .map((e) => [e.level, e.msg, (e.obj as { start: number }).start, (e.obj as { end: number }).end]);
        assert.deepEqual(lost, [['warn', 'time lost behind the 7-day horizon', fetchedTo, shifted!.queriedStart]]);
        assert.deepEqual(
          (await gaps(store, tenant.tenantId, bed.t.emu.clock.now())).map((g) => [g.start, g.end]),
          [[fetchedTo, shifted!.queriedStart]],
          'the warning names the gap coverage shows',
        );
      }),
  );

/** The window gaps and the failed blobs' gaps of `day` on. */
async function dayGaps(store: Store, tenantId: string, now: number, day: number) {
  const all = (await gaps(store, tenantId, now)).filter((g) => g.end > day);
  return { windows: all.filter((g) => g.start < g.end), blobs: all.filter((g) => g.start === g.end) };
}

async function fetchedBlobs(store: Store, tenantId: string, day: number) {
  const rows = await store.ledger.listBlobs({ tenant: tenantId, contentType: 'Audit.Exchange', from: day });
  return rows.filter((b) => b.status === 'fetched');
}

async function failedBlobs(store: Store, tenantId: string, day: number) {
  const rows = await store.ledger.listBlobs({ tenant: tenantId, contentType: 'Audit.Exchange', from: day });
  return rows
    .filter((b) => b.status === 'failed')
    .map((b) => ({ start: b.contentCreated, end: b.contentCreated, state: 'blob failed' }))
    .sort((a, b) => a.start - b.start);
}

for (const s of stores)
  test(
    `${s.kind}: a re-list of today's window that ends partial keeps what an earlier run fetched of it`,
    { skip: s.skip },
    () =>
      withStore(s.url(), async (store) => {
        const { clock, tenant, day, first } = await earlierRun(store, 10);
        assert.equal(first!.state, 'fetched');
        const fetchedTo = first!.end;

        // Every blob the re-list has to fetch (those after the earlier run's now) fails.
        await bed.t.emu.clock.advance(3 * HOUR);
        await pass(
          store,
          blobsFail(emulatedTenant(bed.t.emu, tenant, clock), () => true),
          clock,
        );
        const again = await dayWindow(store, tenant.tenantId, day);
        assert.equal(again!.state, 'partial');
        assert.equal(again!.fetchedTo, fetchedTo, 'the head fetched before is kept');
        const lost = await failedBlobs(store, tenant.tenantId, day);
        assert.ok(lost.length > 0 && lost.every((b) => b.start >= fetchedTo), JSON.stringify(lost));
        assert.deepEqual(await dayGaps(store, tenant.tenantId, clock.now(), day), {
          windows: [{ start: fetchedTo, end: again!.end, state: 'partial' }],
          blobs: lost,
        });
      }),
  );

for (const s of stores)
  test(
    `${s.kind}: a blob listed late inside the part fetched before, failing on a re-list, is still a gap`,
    { skip: s.skip },
    () =>
      withStore(s.url(), async (store) => {
        const { clock, tenant, day, first, hidden } = await earlierRunShownLate(store);
        assert.equal(first!.state, 'fetched');
        assert.equal(first!.blobsFetched, 1);
        assert.ok(hidden.size > 0);

        // The re-list shows them, inside [day, fetchedTo), and each fails.
        await bed.t.emu.clock.advance(3 * HOUR);
        await pass(
          store,
          blobsFail(emulatedTenant(bed.t.emu, tenant, clock), (id) => hidden.has(id)),
          clock,
        );
        const again = await dayWindow(store, tenant.tenantId, day);
        assert.equal(again!.state, 'partial');
        const lost = await failedBlobs(store, tenant.tenantId, day);
        assert.equal(lost.length, hidden.size);
        assert.ok(lost[0]!.start < first!.end, 'the first lost blob is inside the part fetched before');
        assert.equal(again!.fetchedTo, lost[0]!.start, 'the head kept ends at the first lost blob');
        assert.deepEqual(await dayGaps(store, tenant.tenantId, clock.now(), day), {
          windows: [{ start: lost[0]!.start, end: again!.end, state: 'partial' }],
          blobs: lost,
        });
      }),
  );

for (const s of stores)
  test(
    `${s.kind}: a re-list of today's window stopped mid-way keeps the head up to the first blob it did not store`,
    { skip: s.skip },
    () =>
      withStore(s.url(), async (store) => {
        const { clock, tenant, day, first, hidden } = await earlierRunShownLate(store);
        assert.equal(first!.state, 'fetched');
        assert.ok(hidden.size > 1, 'more than one blob is listed late inside the part fetched before');

        // The re-list shows them. It fetches one blob at a time and is stopped (Ctrl-C) once the first of them is
        // in: that one is stored, the blobs queued after it are not.
        await bed.t.emu.clock.advance(3 * HOUR);
        const stop = new AbortController();
        const fetchedThen: string[] = [];
        const stopping = blobsSeen(emulatedTenant(bed.t.emu, tenant, clock), fetchedThen, (id) => {
          if (hidden.has(id)) stop.abort();
        });
        await pass(store, stopping, clock, DAY, silentLogger, { signal: stop.signal, concurrency: 1 });
        assert.equal(fetchedThen.filter((id) => hidden.has(id)).length, 1, 'stopped after one of them');
        const stopped = await dayWindow(store, tenant.tenantId, day);
        assert.equal(stopped!.state, 'listed', 'the window is not shown whole');
        const storedThen = new Set((await fetchedBlobs(store, tenant.tenantId, day)).map((b) => b.contentId));
        const gapsThen = await dayGaps(store, tenant.tenantId, clock.now(), day);

        // The next run fetches every blob the stop left, once, and none it stored.
        const fetchedLater: string[] = [];
        await pass(store, blobsSeen(emulatedTenant(bed.t.emu, tenant, clock), fetchedLater), clock);
        const done = await dayWindow(store, tenant.tenantId, day);
        assert.equal(done!.state, 'fetched');
        assert.equal(done!.fetchedTo, null);
        const missed = (await fetchedBlobs(store, tenant.tenantId, day)).filter((b) => !storedThen.has(b.contentId));
        assert.deepEqual(
          [...fetchedLater].sort(),
          missed.map((b) => b.contentId).sort(),
          'each blob not stored before is fetched once; none stored before is fetched again',
        );
        assert.deepEqual(await dayGaps(store, tenant.tenantId, clock.now(), day), { windows: [], blobs: [] });

        // So the stopped re-list kept the head only up to the first of those: no loss inside it was hidden.
        const firstMissed = Math.min(...missed.map((b) => b.contentCreated));
        assert.ok(firstMissed > day && firstMissed < first!.end, 'the first blob not stored is inside the head');
        assert.equal(stopped!.fetchedTo, firstMissed, 'the head kept ends at the first blob not stored');
        assert.deepEqual(gapsThen, {
          windows: [{ start: firstMissed, end: stopped!.end, state: 'listed' }],
          blobs: [],
        });
      }),
  );
