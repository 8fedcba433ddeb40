import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../src/core/clock.js';
import { recordingLogger, silentLogger } from '../src/core/log.js';
import { addUser, auditHookDone, signIn, type Browser } from '../src/server/auth/testing.js';
import { buildServer } from '../src/server/index.js';
import { fakeReports, NOW, seedStore } from '../src/server/testing/fixtures.js';
import type { Store } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import { pgSkip, pgUrl, tempDir } from './support/paths.js';
import { dropSchema, isolatedPgUrl } from './support/pg.js';

/**
 * The console records a search's next pages, count and timeline, and the Search page's user suggestions, once per
 * caller and filters in their window (ADR 0019, decision 9). Several serve processes share one store, and a
 * process restarts: the trail itself is asked, so the dedupe holds across them (it was each process's memory, and
 * another process, or the same one restarted, recorded the same thing again). Each server here has its own store
 * handle on one SQLite file or one PostgreSQL schema, as two processes would, and one clock.
 */

/** A serve process: its own store handle and server over the shared database. */
interface Serve {
  store: Store;
  app: FastifyInstance;
  /** GET as the browser, expecting 200, returning when the request's entry (if any) is written. */
  get(browser: Browser, url: string): Promise<Record<string, unknown>>;
}

async function serve(url: string, clock: ManualClock): Promise<Serve> {
  const store = await openStore(url);
  const app = await buildServer({ store, clock, logger: silentLogger, reports: fakeReports });
  const written = auditHookDone(app);
  const get = async (browser: Browser, path: string): Promise<Record<string, unknown>> => {
    const res = await app.inject(browser.with({ url: path }));
    assert.equal(res.statusCode, 200, `${path}: ${res.body}`);
    await written(res);
    return res.json();
  };
  return { store, app, get };
}

async function stop(server: Serve): Promise<void> {
  await server.app.close();
  await server.store.close();
}

const week = '/api/search/user-suggestions?start=7d&end=now';
const day = '/api/search/user-suggestions?start=1d&end=now';
const megan = 'start=7d&end=now&user=megan@contoso.onmicrosoft.com';

/** The trail's entries after `seq`, each as its action and what it asked. */
async function entriesAfter(store: Store, seq: number): Promise<string[]> {
  return (await store.consoleAudit.list({ after: seq, limit: 1_000 })).map((e) => {
    const query = e.details.query as Record<string, string | undefined>;
    const asked = query.user ?? query.freeText ?? `${query.start}-${query.end}`;
    const what = asked.length > 40 ? `${asked.slice(0, 10)}… (${asked.length})` : asked;
    return `${e.actor} ${e.action} ${what}${query.cursor ? ' cursor' : ''}`;
  });
}

async function check(url: string): Promise<void> {
  const clock = new ManualClock(NOW);
  const running: Serve[] = [];
  const start = async (): Promise<Serve> => {
    const server = await serve(url, clock);
    running.push(server);
    return server;
  };
  try {
    const one = await start();
    const two = await start();
    await seedStore(one.store);
    await addUser(one.store, clock, { name: 'ines', role: 'investigator', tenants: ['contoso'] });
    // Sessions are in the database: signed in through one, the browser is signed in on the other.
    const ines = await signIn(one.app, 'ines');
    const seq = (await one.store.consoleAudit.list({ newestFirst: true, limit: 1 }))[0]?.seq ?? 0;

    // The Search page opens on one process, and asks again on the other (behind one load balancer).
    await one.get(ines, week);
    await two.get(ines, week);
    // A search on one; its count, timeline and next page answered by the other.
    const first = await one.get(ines, `/api/search?${megan}&limit=5`);
    const next = first.next as string;
    assert.ok(next, 'the fixture has more than one page');
    await two.get(ines, `/api/search/count?${megan}`);
    await two.get(ines, `/api/search/timeline?${megan}&bucket=day`);
    await two.get(ines, `/api/search?${megan}&limit=5&cursor=${next}`);
    // What was not recorded is: another period.
    await two.get(ines, day);

    // A filter over 500 characters is kept cut in the trail: its entry cannot tell it from a filter that is the cut
    // text itself, so a count of that other filter is recorded. The process that recorded the search knows it whole.
    const long = 'x'.repeat(600);
    await one.get(ines, `/api/search?start=7d&end=now&freeText=${long}`);
    await two.get(ines, `/api/search/count?start=7d&end=now&freeText=${encodeURIComponent(`${long.slice(0, 500)}…`)}`);
    await one.get(ines, `/api/search/count?start=7d&end=now&freeText=${long}`);

    // One process restarts: its memory is gone, the trail is not.
    await stop(running.shift()!);
    const three = await start();
    clock.advance(10_000);
    await three.get(ines, week);
    await three.get(ines, `/api/search?${megan}&limit=5&cursor=${next}`);
    await three.get(ines, `/api/search/count?${megan}`);

    // Past each window, recorded again, once.
    clock.advance(61_000); // no search of these filters for 61 s: a count is no follow-up
    await three.get(ines, `/api/search/count?${megan}`);
    clock.advance(30 * 60_000 - 71_000); // the suggestions' entry is half an hour old
    await two.get(ines, week);
    await three.get(ines, week);
    clock.advance(60_000); // the search is 31 minutes old, and its last page read here 30 min 50 s ago
    await three.get(ines, `/api/search?${megan}&limit=5&cursor=${next}`);

    assert.deepEqual(await entriesAfter(two.store, seq), [
      'ines search.user-suggestions 7d-now',
      'ines search megan@contoso.onmicrosoft.com',
      'ines search.user-suggestions 1d-now',
      'ines search xxxxxxxxxx… (501)',
      'ines search.count xxxxxxxxxx… (501)',
      'ines search.count megan@contoso.onmicrosoft.com',
      'ines search.user-suggestions 7d-now',
      'ines search megan@contoso.onmicrosoft.com cursor',
    ]);
  } finally {
    for (const server of running) await stop(server);
  }
}

describe('the console records a follow-up once, whichever process answers it and across a restart', () => {
  test('SQLite: two processes on one file', async () => {
    const dir = tempDir();
    try {
      await check(`sqlite:${join(dir.dir, 'shared.sqlite')}`);
    } finally {
      dir.cleanup();
    }
  });

  test('a lookup the store fails leaves no entry out: the call is recorded, the failure logged', async () => {
    const store = await openStore('sqlite::memory:');
    const trail = store.consoleAudit;
    const failing: Store = {
      ...store,
      migrate: () => store.migrate(),
      close: () => store.close(),
      consoleAudit: {
        append: (entry) => trail.append(entry),
        // Only the dedupe's lookup names an outcome.
        list: async (filter) => {
          if (filter?.outcome) throw new Error('connection reset');
          return trail.list(filter);
        },
      },
    };
    const clock = new ManualClock(NOW);
    const logger = recordingLogger();
    const app = await buildServer({ store: failing, clock, logger, reports: fakeReports });
    const written = auditHookDone(app);
    try {
      await seedStore(store);
      await addUser(store, clock, { name: 'ines', role: 'investigator', tenants: ['contoso'] });
      const ines = await signIn(app, 'ines');
      const seq = (await trail.list({ newestFirst: true, limit: 1 }))[0]?.seq ?? 0;
      for (const path of [week, week, `/api/search/count?${megan}`]) {
        const res = await app.inject(ines.with({ url: path }));
        assert.equal(res.statusCode, 200, res.body);
        await written(res);
      }
      // The second call of the suggestions is this process's to know: not recorded.
      assert.deepEqual(await entriesAfter(store, seq), [
        'ines search.user-suggestions 7d-now',
        'ines search.count megan@contoso.onmicrosoft.com',
      ]);
      const failures = logger.entries.filter((e) => e.level === 'warn' && 'event' in e.obj);
      assert.deepEqual(
        failures.map((e) => [(e.obj as { event: string }).event, (e.obj as { action: string }).action]),
        [
          ['auth.audit_lookup_failed', 'search.user-suggestions'],
          ['auth.audit_lookup_failed', 'search'],
        ],
      );
    } finally {
      await app.close();
      await store.close();
    }
  });

  const url = pgUrl ? isolatedPgUrl('audit_shared') : null;
  after(async () => {
    if (url) await dropSchema(url);
  });
  test('PostgreSQL: two processes on one schema', { skip: pgSkip }, async () => check(url!));
});
