import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import type { AuditRecord } from '../core/record.js';
import { DAY } from '../core/time.js';
import { signIn } from '../reports/testing/builders.js';
import type { Store } from '../store/contract.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { raiseHits } from './alerts/raise.js';
import { openLiveDetections } from './live-session.js';
import { runRetro } from './retro.js';
import { rulesFrom } from './testing/rules.js';
import { BASE, rng, SIGNIN_RULES, story } from './testing/sign-in-story.js';

/**
 * The live runner across restarts: each `tenantwatch collect` or `import` is a new process with a new
 * Evaluator, primed from the store (prime.ts). Records arrive up to a day late and shuffled, in random
 * batches, and the process "restarts" every few passes; the alerts must be those of one retro run over
 * the same records: same rule, tenant, group key and records behind each.
 */
const NOW = BASE + 30 * DAY;
let live: Store;
let retro: Store;
beforeEach(() => {
  live = openSqliteStore(':memory:');
  retro = openSqliteStore(':memory:');
});
afterEach(async () => {
  await live.close();
  await retro.close();
});

async function alertsOf(store: Store): Promise<string[]> {
  return (await store.alerts.list({ limit: 10_000 })).map(
    (a) => `${a.ruleId} ${a.tenant} ${a.groupKey}: ${[...a.recordIds].sort().join(',')}`,
  );
}

/** Every record arrives up to a day after its CreationTime; a quiet record two days on closes the story. */
function arrivals(random: () => number): AuditRecord[] {
  const records = story(random);
  const last = Math.max(...records.map((r) => r.creationTime));
  const quiet = signIn(false, {
    CreationTime: new Date(last + 2 * DAY).toISOString().slice(0, 19),
    Operation: 'FileAccessed',
    UserId: 'someone@contoso.com',
  });
  return [
    ...records
      .map((r) => ({ r, at: r.creationTime + Math.floor(random() * DAY) }))
      .sort((a, b) => a.at - b.at)
      .map((x) => x.r),
    quiet,
  ];
}

for (const seed of [11, 12]) {
  test(`live across restarts, late and shuffled, raises the alerts of a retro run (seed ${seed})`, async () => {
    const set = rulesFrom(SIGNIN_RULES);
    const random = rng(seed);
    const records = arrivals(random);
    const clock = new ManualClock(NOW);
    const options = { clock, logger: silentLogger, posture: false, batchSize: 7 };
    let session = openLiveDetections(live, set, options);
    let restarts = 0;
    for (let i = 0, pass = 0; i < records.length; pass++) {
      const n = 1 + Math.floor(random() * 40);
      await live.records.insert(records.slice(i, i + n));
      i += n;
      if (pass % 2 === 1) {
        session = openLiveDetections(live, set, options);
        restarts++;
      }
      await session.pass();
    }
    assert.ok(restarts >= 5, `${restarts} restarts`);

    await retro.records.insert(records);
    const hits = await runRetro(retro, set, { start: BASE - DAY, end: NOW });
    await raiseHits({ store: retro, clock, logger: silentLogger }, hits);
    const want = await alertsOf(retro);
    const titles = new Set((await retro.alerts.list()).map((a) => a.title));
    for (const t of ['Brute force', 'Password spray', 'Failures then success', 'New address for a user'])
      assert.ok(titles.has(t), t);
    assert.deepEqual(await alertsOf(live), want);
  });
}

/** The sign-in rules, twelve failed sign-ins of one user from one address (a brute force), and live options. */
function bruteForceSplit() {
  const failures = Array.from({ length: 12 }, (_, i) =>
    signIn(true, {
      CreationTime: new Date(BASE + i * 20_000).toISOString().slice(0, 19),
      UserId: 'victim@contoso.com',
      ClientIP: '203.0.113.9',
    }),
  );
  const options = { clock: new ManualClock(NOW), logger: silentLogger, posture: false };
  return { set: rulesFrom(SIGNIN_RULES), failures, options };
}

test('without priming, a restart would lose the brute force split across two runs (the test can fail)', async () => {
  const { set, failures, options } = bruteForceSplit();
  await live.records.insert(failures.slice(0, 6));
  await openLiveDetections(live, set, options).pass();
  assert.equal((await live.alerts.list()).length, 0, 'six failures: not yet a brute force');
  await live.records.insert(failures.slice(6));
  const second = openLiveDetections(live, set, options);
  await second.pass();
  const [alert] = await live.alerts.list();
  assert.equal(alert?.title, 'Brute force');
  assert.equal(alert?.recordIds.length, 12, 'the six of the first run count too');
  assert.equal(second.totals.records, 6, 'the first six were not evaluated twice');
});

test('two processes running live passes on one store (serve beside collect --follow) miss no brute force split between them', async () => {
  const { set, failures, options } = bruteForceSplit();
  const serve = openLiveDetections(live, set, options);
  const collect = openLiveDetections(live, set, options);
  await serve.pass(); // both running before the failures come
  await collect.pass();
  await live.records.insert(failures.slice(0, 6));
  await collect.pass(); // a collect pass stored and evaluated the first six
  await live.records.insert(failures.slice(6));
  await serve.pass(); // a webhook fetch stored the next six and serve's pass ran
  await collect.pass();
  const [alert] = await live.alerts.list();
  assert.equal(alert?.title, 'Brute force', 'each process saw only its own half: no window held');
  assert.equal(alert?.recordIds.length, 12);
  assert.equal((await live.alerts.list()).length, 1, 'one alert, whichever process raised it');
  await live.records.insert(failures.slice(0, 1)); // a repeat: nothing new
  await serve.pass();
  assert.equal((await live.alerts.list())[0]?.hits, alert?.hits, 'no hit counted twice');
});
