import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeadLetter, SinkRow, SinkStats } from '../../core/sink.js';
import type { Store } from '../contract.js';
import { SINK_COLUMNS, sinkValues } from '../sink-rows.js';
import { alertHit } from './alert-conformance.js';
import { alertSinkRow, T0 } from './fixtures.js';

/** The sinks part of store.conformance.ts: registered sinks, dead letters, statistics (same fresh store per test). */
export function runSinkConformance(ctx: { readonly store: Store }): void {
  const sink = (over: Partial<SinkRow> = {}): SinkRow => ({
    id: `sink-${over.name ?? 'splunk-main'}`,
    name: 'splunk-main',
    kind: 'splunk',
    url: 'https://127.0.0.1:8088',
    urlSecret: null,
    takes: 'records',
    filter: { tenants: ['t1'], recordTypes: [6, 15], workloads: ['Exchange'], operations: ['FileAccessed'] },
    options: { index: 'o365', gzip: true },
    secret: 'env:HEC_TOKEN',
    caFile: '/tmp/ca.pem',
    enabled: true,
    addedAt: T0,
    updatedAt: T0,
    ...over,
  });
  const letter = (n: number, over: Partial<DeadLetter> = {}): DeadLetter => ({
    sink: 'splunk-main',
    kind: 'record',
    tenant: 't1',
    itemId: `id-${n}`,
    reason: `400 mapper_parsing_exception ${n}`,
    failedAt: T0 + n,
    ...over,
  });

  test("sinks: removing a sink forgets the alerts it took as a channel, and no other channel's", async () => {
    const s = ctx.store.sinks;
    await s.upsert(sink({ name: 'soc-mail', kind: 'email', takes: 'alerts' }));
    await s.upsert(sink({ name: 'soc-hook', kind: 'webhook', takes: 'alerts' }));
    const { alert } = await ctx.store.alerts.applyHit(alertHit(), T0);
    await ctx.store.alerts.markChannelDelivered(alert, sink({ name: 'soc-mail' }), T0);
    await ctx.store.alerts.markChannelDelivered(alert, sink({ name: 'soc-hook' }), T0);
    assert.equal(await s.remove('soc-mail'), true);
    assert.deepEqual(
      (await ctx.store.alerts.channelDeliveries(['al-1'])).map((d) => d.channel),
      ['soc-hook'],
    );
  });

  test('sinks: upsert keeps id and addedAt, list in name order, get, remove with dead letters and stats', async () => {
    const s = ctx.store.sinks;
    await s.upsert(sink());
    await s.upsert(sink({ name: 'elastic', kind: 'elastic', filter: {}, secret: null, caFile: null, enabled: false }));
    assert.deepEqual(await s.get('splunk-main'), sink());
    assert.deepEqual(
      (await s.list()).map((r) => [r.name, r.enabled]),
      [
        ['elastic', false],
        ['splunk-main', true],
      ],
    );
    await s.upsert(
      sink({
        url: 'https://127.0.0.1:9999/***',
        urlSecret: 'enc:v1:sealed',
        id: 'made-by-a-later-sink-add',
        addedAt: T0 + 9,
        updatedAt: T0 + 9,
      }),
    );
    const updated = await s.get('splunk-main');
    assert.equal(updated?.url, 'https://127.0.0.1:9999/***');
    assert.equal(updated?.urlSecret, 'enc:v1:sealed', 'the sealed URL is kept beside the masked one');
    assert.equal(updated?.addedAt, T0, 'an update keeps when the sink was first added');
    assert.equal(updated?.id, 'sink-splunk-main', 'and which sink it is');
    assert.equal(updated?.updatedAt, T0 + 9);
    await s.addDeadLetters(sink(), [letter(1)]);
    await s.addStats(sink(), { at: T0, delivered: 10 });
    assert.equal(await s.remove('splunk-main'), true);
    assert.equal(await s.remove('splunk-main'), false);
    assert.equal(await s.get('splunk-main'), null);
    assert.equal(await s.countDeadLetters('splunk-main'), 0, 'its dead letters go with it');
    assert.equal(await s.stats('splunk-main'), null);
  });

  test('a send still out when its sink was removed keeps no dead letters nor statistics of it', async () => {
    const s = ctx.store.sinks;
    await s.upsert(sink());
    await s.upsert(sink({ name: 'other' }));
    assert.equal(await s.remove('splunk-main'), true);
    await s.addDeadLetters(sink(), [letter(1)]);
    await s.addDeadLetters(sink({ name: 'other' }), [letter(2, { sink: 'other' })]);
    await s.addStats(sink(), { at: T0, delivered: 10 });
    await s.addStats(sink({ name: 'other' }), { at: T0, delivered: 1 });
    // Added again at the instant it was added first (`sink add` makes another id): still none of the old send's.
    await s.upsert(sink({ id: 'sink-splunk-main-again' }));
    await s.addDeadLetters(sink(), [letter(3)]);
    await s.addStats(sink(), { at: T0, delivered: 10 });
    assert.equal(await s.countDeadLetters('splunk-main'), 0, 'the sink added again under the name has none');
    assert.equal(await s.stats('splunk-main'), null);
    assert.equal(await s.countDeadLetters('other'), 1, 'a sink that exists keeps its own');
    assert.equal((await s.stats('other'))?.delivered, 1);
  });

  test("sinks: removing a sink takes its cursor with it, and a removed sink's cursor is never stored again", async () => {
    const s = ctx.store.sinks;
    const cursors = ctx.store.cursors;
    await s.upsert(sink());
    await s.upsert(sink({ name: 'other' }));
    assert.equal(await s.moveCursor(sink(), '000042', T0), true);
    assert.equal(await s.moveCursor(sink({ name: 'other' }), '000007', T0), true);
    assert.equal(await cursors.get('sink:splunk-main'), '000042');
    assert.equal(await s.remove('splunk-main'), true);
    assert.equal(await cursors.get('sink:splunk-main'), null, 'its cursor goes with the sink');
    // A forwarder pass still out when the sink was removed stores where it got to.
    assert.equal(await s.moveCursor(sink(), '000050', T0 + 1), false);
    assert.equal(await cursors.get('sink:splunk-main'), null, 'nothing for a sink that is gone');
    // Added again under the name (sink add --from start: no cursor), within the millisecond the removed one was added
    // in (the same addedAt and updatedAt): the old pass still stores nothing.
    const again = sink({ id: 'sink-splunk-main-again' });
    await s.upsert(again);
    assert.equal(await s.moveCursor(sink(), '000050', T0 + 3), false, 'the sink added again is another one');
    assert.equal(await cursors.get('sink:splunk-main'), null, 'the new sink starts where sink add put it');
    assert.equal(await s.moveCursor(again, '000001', T0 + 3), true, 'its own pass stores it');
    assert.equal(await cursors.get('sink:splunk-main'), '000001');
    assert.equal(await cursors.get('sink:other'), '000007', "another sink's cursor stays");
  });

  test('dead letters: added in batches, counted and listed newest first per sink', async () => {
    const s = ctx.store.sinks;
    await s.upsert(sink());
    await s.upsert(sink({ name: 'other' }));
    await s.addDeadLetters(sink(), []);
    await s.addDeadLetters(sink(), [letter(1), letter(2)]);
    await s.addDeadLetters(sink(), [letter(3)]);
    await s.addDeadLetters(sink({ name: 'other' }), [letter(4, { sink: 'other', kind: 'alert' })]);
    assert.equal(await s.countDeadLetters('splunk-main'), 3);
    assert.equal(await s.countDeadLetters('other'), 1);
    assert.deepEqual(await s.deadLetters('splunk-main', { limit: 2 }), [letter(3), letter(2)]);
    assert.deepEqual(await s.deadLetters('other'), [letter(4, { sink: 'other', kind: 'alert' })]);
  });

  test('dead letters: a whole refused batch of a large read is kept in one call', async () => {
    const s = ctx.store.sinks;
    await s.upsert(sink());
    // `forward --batch 20000` to a receiver that refuses every record (a mapping conflict): more rows than one
    // PostgreSQL statement has parameters for (65,535), and the sink failed on that batch at every try.
    const many = Array.from({ length: 11_000 }, (_, n) => letter(n));
    await s.addDeadLetters(sink(), many);
    assert.equal(await s.countDeadLetters('splunk-main'), 11_000);
    assert.deepEqual(await s.deadLetters('splunk-main', { limit: 1 }), [letter(10_999)]);
  });

  test('stats: a first change makes them, later ones add to the counters and keep the latest delivery and error', async () => {
    const s = ctx.store.sinks;
    await s.upsert(sink());
    assert.equal(await s.stats('splunk-main'), null);
    await s.addStats(sink(), { at: T0, delivered: 10, resent: 1, lastDeliveryAt: T0 });
    assert.deepEqual(
      await s.stats('splunk-main'),
      stats({ lastError: null, lastErrorAt: null, owner: null, throughput: 0, updatedAt: T0 }),
    );
    await s.addStats(sink(), { at: T0 + 1, throughput: 123.5, owner: 'host:1:abcdef01' });
    await s.addStats(sink(), { at: T0 + 1, lastError: { message: '503 server busy', at: T0 + 1 } });
    assert.deepEqual(await s.stats('splunk-main'), stats());
    await s.addStats(sink(), {
      at: T0 + 2,
      delivered: 10,
      lastDeliveryAt: T0 - 5,
      lastError: { message: 'older', at: T0 },
    });
    assert.deepEqual(
      await s.stats('splunk-main'),
      stats({ delivered: 20, updatedAt: T0 + 2 }),
      'an older delivery or error, saved late, does not hide a later one',
    );
    await s.addStats(sink(), { at: T0 + 3, lastError: { message: '401 token', at: T0 + 3 } });
    assert.equal((await s.stats('splunk-main'))?.lastError, '401 token');
    assert.equal(await s.stats('other'), null, 'per sink');
  });

  test('stats: two writers interleaved (records and alerts of one sink) keep both counts and the last error', async () => {
    const s = ctx.store.sinks;
    await s.upsert(sink({ name: 'both', takes: 'both' }));
    const forwarder = (n: number) =>
      s.addStats(sink({ name: 'both' }), {
        at: T0 + n,
        delivered: 100,
        resent: 1,
        lastDeliveryAt: T0 + n,
        throughput: 50,
        owner: 'fwd',
      });
    const channel = (n: number) =>
      n === 7
        ? s.addStats(sink({ name: 'both' }), {
            at: T0 + n,
            lastError: { message: 'config: 550 5.1.1 nobody', at: T0 + n },
          })
        : s.addStats(sink({ name: 'both' }), { at: T0 + n, delivered: 1, lastDeliveryAt: T0 + n });
    await Promise.all(Array.from({ length: 10 }, (_, n) => [forwarder(n), channel(n)]).flat());
    const got = await s.stats('both');
    assert.equal(got?.delivered, 10 * 100 + 9, 'every batch the forwarder counted and every alert the channel did');
    assert.equal(got?.resent, 10);
    assert.equal(got?.lastError, 'config: 550 5.1.1 nobody', "the channel's error is not erased by the forwarder");
    assert.equal(got?.lastErrorAt, T0 + 7);
    assert.equal(got?.lastDeliveryAt, T0 + 9);
    assert.equal(got?.owner, 'fwd');
    assert.equal(got?.throughput, 50);
  });
}

/** Two sinks as a store before sink identities (SQLite 19, PostgreSQL 21) holds them: every column but `id`. */
export function sinksBeforeIds(): { columns: readonly string[]; rows: unknown[][] } {
  const columns = SINK_COLUMNS.filter((c) => c !== 'id');
  const rows = ['siem', 'soc-hook'].map((name) => {
    const row = alertSinkRow(name);
    const values = sinkValues(row, (b) => b);
    return values.slice(0, SINK_COLUMNS.indexOf('id')).map((v) => (typeof v === 'boolean' ? Number(v) : v));
  });
  return { columns, rows };
}

/** After the upgrade: each sink has an identity of its own, which its cursor, statistics and deliveries are written by. */
export async function expectSinkIdsUpgraded(store: Store): Promise<void> {
  const sinks = await store.sinks.list();
  assert.deepEqual(
    sinks.map((r) => r.name),
    ['siem', 'soc-hook'],
  );
  const ids = sinks.map((r) => r.id);
  assert.ok(
    ids.every((id) => /^[0-9a-f-]{32,36}$/.test(id)),
    `random identities: ${ids.join(', ')}`,
  );
  assert.notEqual(ids[0], ids[1]);
  assert.equal(await store.sinks.moveCursor(sinks[0]!, '000001', T0), true);
  assert.equal(await store.sinks.moveCursor({ name: 'siem', id: 'another' }, '000002', T0), false);
  assert.equal(await store.cursors.get('sink:siem'), '000001');
}

function stats(over: Partial<SinkStats> = {}): SinkStats {
  return {
    sink: 'splunk-main',
    delivered: 10,
    resent: 1,
    throughput: 123.5,
    lastDeliveryAt: T0,
    lastError: '503 server busy',
    lastErrorAt: T0 + 1,
    owner: 'host:1:abcdef01',
    updatedAt: T0 + 1,
    ...over,
  };
}
