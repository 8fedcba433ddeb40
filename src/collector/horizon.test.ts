import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { recordingLogger, type LogEntry } from '../core/log.js';
import { readCoverage } from '../coverage/read.js';
import { endpointsFor, type TenantConnection } from '../microsoft/types.js';
import type { HttpResponse } from '../net/types.js';
import type { Store } from '../store/contract.js';
import { openStore } from '../store/open.js';
import { collect, type CollectTenant } from './collect.js';
import { EVENTS } from './events.js';

/**
 * What passes the 7-day horizon unfetched, said once and worded by its cause, over a canned Management API
 * (no network, the clock injected): a feed that stays empty after its subscription starts (DLP.All) is not
 * "lost" on every run of its wait, and a collector down for more than 7 days still warns, once.
 */
const TENANT = '3509e8a3-4d87-4795-8f58-150ac9ed451b';
const NOW = Date.UTC(2026, 2, 10, 12);
const H = 3_600_000;
const DAY = 24 * H;

function reply(status: number, body: string): HttpResponse {
  return {
    status,
    headers: {},
    body: Readable.from([Buffer.from(body)]),
    text: async () => body,
    json: async () => JSON.parse(body) as unknown,
  };
}

/** A tenant whose DLP.All feed lists nothing; its subscription starts with the first run unless `enabled`. */
function emptyFeed(enabled: boolean): CollectTenant {
  const state = { enabled };
  const conn: TenantConnection = {
    tenantId: TENANT,
    endpoints: endpointsFor('commercial'),
    publisherId: null,
    tokens: { token: async () => 'token-123' },
    http: {
      async request(req) {
        const url = new URL(req.url);
        const sub = () => ({ contentType: 'DLP.All', status: state.enabled ? 'enabled' : 'disabled', webhook: null });
        if (url.pathname.endsWith('/subscriptions/list')) return reply(200, JSON.stringify([sub()]));
        if (url.pathname.endsWith('/subscriptions/start')) {
          state.enabled = true;
          return reply(200, JSON.stringify(sub()));
        }
        if (url.pathname.endsWith('/subscriptions/content')) return reply(200, '[]');
        return reply(404, '{"error":{"code":"AF20050","message":"no"}}');
      },
    },
  };
  return { tenantId: TENANT, name: 'contoso', connect: () => conn };
}

/** `collect --follow` every `interval` from `at` until `passes` passes are done; its log entries. */
async function follow(store: Store, tenant: CollectTenant, at: number, passes: number, interval = 10 * 60_000) {
  const logger = recordingLogger();
  const stop = new AbortController();
  await collect({
    tenants: [tenant],
    store,
    clock: new ManualClock(at, true),
    logger,
    signal: stop.signal,
    follow: true,
    intervalMs: interval,
    afterPass: async (pass) => {
      if (pass >= passes) stop.abort();
    },
    tuning: { contentTypes: ['DLP.All'] },
  });
  return logger.entries;
}

const said = (entries: LogEntry[], event: string) =>
  entries.filter((e) => (e.obj as { event?: string }).event === event);

test('a feed awaiting its first content: what passes the horizon is not collectable, said once, never "lost"', async () => {
  const store = await openStore('sqlite::memory:');
  try {
    // Every 10 minutes through the 12 hours of the wait and two hours past it.
    const entries = await follow(store, emptyFeed(false), NOW, 85);
    assert.deepEqual(said(entries, EVENTS.windowExpired), [], 'no "lost behind the horizon" warning');
    const notCollectable = said(entries, EVENTS.windowNotCollectable);
    assert.equal(notCollectable.length, 1, 'said once, when it first became true');
    assert.equal(notCollectable[0]!.level, 'info');
    assert.match(notCollectable[0]!.msg ?? '', /not collectable before the subscription started/);

    const [s] = (await readCoverage(store, [{ tenantId: TENANT, name: 'contoso' }], NOW + 15 * H)).streams;
    assert.ok(s!.checkpoint !== null, 'the wait ended and the empty windows were recorded');
    assert.equal(s!.expired, 0, 'nothing counted as lost');
    assert.ok(s!.gaps.length > 0);
    for (const g of s!.gaps) {
      assert.equal(g.state, 'not collectable', JSON.stringify(g));
      assert.match(g.reason, /^not collectable before the subscription started/);
    }
    // Coverage begins where the first run began: the 12 hours behind the horizon since are shown, whole.
    assert.equal(s!.from, s!.gaps[0]!.start);
    assert.ok(Math.abs(s!.gaps.at(-1)!.end - s!.gaps[0]!.start - 12 * H) <= 20 * 60_000);
  } finally {
    await store.close();
  }
});

test('a collector down for more than 7 days (several windows) warns once that time was lost, and coverage shows it as expired', async () => {
  const store = await openStore('sqlite::memory:');
  try {
    const tenant = emptyFeed(true);
    assert.deepEqual(said(await follow(store, tenant, NOW, 1), EVENTS.windowExpired), []);
    const back = await follow(store, tenant, NOW + 12 * DAY, 3);
    const lost = said(back, EVENTS.windowExpired);
    assert.equal(lost.length, 1, 'once, not per window nor per run');
    assert.equal(lost[0]!.level, 'warn');
    assert.match(lost[0]!.msg ?? '', /lost behind the 7-day horizon/);
    assert.deepEqual(said(back, EVENTS.windowNotCollectable), []);

    const [s] = (await readCoverage(store, [{ tenantId: TENANT, name: 'contoso' }], NOW + 12 * DAY)).streams;
    assert.ok(s!.expired > 0);
    // The rest of the last day fetched before the outage passed the horizon unlisted: lost, not a hole, and
    // said from where that day's fetching ended to the horizon in the day the collector came back.
    assert.deepEqual([...new Set(s!.gaps.map((g) => g.state))], ['expired'], JSON.stringify(s!.gaps));
    const warned = lost[0]!.obj as { start: number; end: number };
    assert.equal(s!.gaps[0]!.start, warned.start, 'the warning and the gap list agree where the loss began');
    assert.equal(s!.gaps.at(-1)!.end, warned.end, 'and where it ended');
    assert.equal(warned.start, NOW + 1000, 'just after the first run');
    assert.equal(warned.end % DAY, 12 * H + 5 * 60_000, 'the horizon when the collector came back');
  } finally {
    await store.close();
  }
});

/**
 * The day of the first run, fetched up to that run's now (noon), is listed again from the horizon when the
 * collector comes back after an outage that puts the horizon inside that day: only what followed the first
 * run's now up to the horizon was lost. Coverage once read the whole [day start, horizon) as expired.
 */
for (const { back, what } of [
  {
    back: NOW + 7 * DAY + 6 * H - 5 * 60_000,
    what: 'the horizon after what was fetched: only the time between is lost',
  },
  { back: NOW + 7 * DAY - 6 * H - 5 * 60_000, what: 'the horizon inside what was fetched: nothing is lost' },
])
  test(`a day fetched up to an earlier run's now, listed again from the horizon: ${what}`, async () => {
    const store = await openStore('sqlite::memory:');
    try {
      const tenant = emptyFeed(true);
      await follow(store, tenant, NOW, 1);
      const edge = back - 7 * DAY + 5 * 60_000;
      const entries = await follow(store, tenant, back, 1);
      const lost = said(entries, EVENTS.windowExpired).map((e) => e.obj as { start: number; end: number });
      const expected = edge > NOW + 1000 ? [[NOW + 1000, edge]] : [];
      assert.deepEqual(
        lost.map((l) => [l.start, l.end]),
        expected,
        'the warning says what passed the horizon unfetched',
      );

      const [s] = (await readCoverage(store, [{ tenantId: TENANT, name: 'contoso' }], back)).streams;
      assert.deepEqual(
        s!.gaps.map((g) => [g.start, g.end, g.state]),
        expected.map(([start, end]) => [start, end, 'expired']),
        'coverage shows the same loss, never the head of the day that was fetched',
      );
      assert.equal(s!.expired, expected.length);
    } finally {
      await store.close();
    }
  });
