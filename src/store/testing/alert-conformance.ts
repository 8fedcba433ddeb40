import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SinkRef } from '../../core/sink.js';
import { ALERT_COLUMNS, alertValues, mergeHit } from '../alert-rows.js';
import type { AlertHitInput, AlertRow, Store } from '../contract.js';
import { alertSinkRow, HOUR, T0, TENANT_A, TENANT_B } from './fixtures.js';

/** A hit of rule `r1` on tenant A with one record; override what a test is about. */
export function alertHit(over: Partial<AlertHitInput> = {}): AlertHitInput {
  const recordIds = over.recordIds ?? ['rec-1'];
  return {
    hitKey: `${over.alertId ?? 'al-1'}:${recordIds.join(',')}`,
    alertId: 'al-1',
    ruleId: 'r1',
    tenant: TENANT_A,
    groupKey: '',
    windowStart: T0,
    severity: 'medium',
    title: 'Forwarding outside',
    recordIds,
    firstSeen: T0 + HOUR,
    lastSeen: T0 + HOUR,
    facts: { user: 'adele@contoso.com' },
    snoozedUntil: null,
    maxRecordIds: 3,
    ...over,
  };
}

/** A due alert as a store before the alert_deliveries migration holds it (columns and values), for upgrade tests. */
export function alertBeforeDeliveries(): { columns: readonly string[]; values: (string | number | null)[] } {
  return { columns: ALERT_COLUMNS, values: alertValues(mergeHit(null, alertHit({ alertId: 'al-old' }), T0).row) };
}

/** After the upgrade: the old alert is still due, no channel took it yet, and a channel's delivery is kept. */
export async function expectDeliveriesUpgraded(store: Store): Promise<void> {
  assert.deepEqual(
    (await store.alerts.due(T0, 10)).map((r) => r.id),
    ['al-old'],
  );
  assert.deepEqual(await store.alerts.channelDeliveries(['al-old']), []);
  await store.sinks.upsert(alertSinkRow('soc-hook'));
  assert.equal(
    await store.alerts.markChannelDelivered(await stored(store, 'al-old'), channel('soc-hook'), T0 + 1),
    'recorded',
  );
  assert.deepEqual(await store.alerts.channelDeliveries(['al-old']), [
    { alertId: 'al-old', channel: 'soc-hook', at: T0 + 1 },
  ]);
}

/** The sink `name` as alertSinkRow stores it, named as a routing pass names the channel it sends through. */
function channel(name: string): SinkRef {
  return { name, id: `sink-${name}` };
}

/** The alert `id` as stored now (routing's read of it). */
async function stored(store: Store, id: string): Promise<AlertRow> {
  const row = await store.alerts.get(id);
  assert.ok(row, `alert ${id} is stored`);
  return row;
}

/** The alerts part of store.conformance.ts (same fresh store per test). */
export function runAlertConformance(ctx: { readonly store: Store }): void {
  test('alerts: a hit raises an alert, further hits count on it, a replayed hit changes nothing', async () => {
    const a = ctx.store.alerts;
    const first = await a.applyHit(alertHit(), T0 + 2 * HOUR);
    assert.equal(first.outcome, 'raised');
    assert.deepEqual(first.alert, await a.get('al-1'), 'what applyHit returns is what is stored');
    const second = alertHit({
      recordIds: ['rec-2', 'rec-1', 'rec-3'],
      firstSeen: T0 + 10,
      lastSeen: T0 + 3 * HOUR,
      severity: 'high',
      facts: { user: 'other', address: '192.0.2.1' },
    });
    assert.equal((await a.applyHit(second, T0 + 4 * HOUR)).outcome, 'counted');
    assert.equal((await a.applyHit(second, T0 + 5 * HOUR)).outcome, 'duplicate', 'the same hit again: a replay');
    await a.applyHit(alertHit({ recordIds: ['rec-4', 'rec-5'], severity: 'low' }), T0 + 6 * HOUR);
    const got = await a.get('al-1');
    assert.ok(got);
    assert.equal(got.hits, 3);
    assert.deepEqual(got.recordIds, ['rec-1', 'rec-2', 'rec-3'], 'kept up to the bound, each once');
    assert.equal(got.recordTotal, 5, 'the total goes on past the bound');
    assert.equal(got.severity, 'high', 'the highest severity of its hits');
    assert.deepEqual([got.firstSeen, got.lastSeen], [T0 + 10, T0 + 3 * HOUR]);
    assert.deepEqual(got.facts, { user: 'adele@contoso.com', address: '192.0.2.1' }, 'first facts win, new names add');
    assert.deepEqual([got.status, got.createdAt, got.updatedAt], ['new', T0 + 2 * HOUR, T0 + 6 * HOUR]);
    assert.equal(await a.get('nope'), null);
  });

  test('alerts: the due alerts are read page after page, oldest first, each once', async () => {
    const a = ctx.store.alerts;
    // Two raised at one instant (ordered by id), then one later; ids out of order with time.
    await a.applyHits([alertHit({ alertId: 'al-c' }), alertHit({ alertId: 'al-a', recordIds: ['x'] })], T0);
    await a.applyHit(alertHit({ alertId: 'al-b', recordIds: ['y'] }), T0 + 1);
    const first = await a.due(T0 + 2, 2);
    assert.deepEqual(
      first.map((r) => r.id),
      ['al-a', 'al-c'],
    );
    const last = first[1]!;
    assert.deepEqual(
      (await a.due(T0 + 2, 2, { createdAt: last.createdAt, id: last.id })).map((r) => r.id),
      ['al-b'],
    );
    assert.deepEqual(
      (await a.due(T0 + 2, 2, { createdAt: first[0]!.createdAt, id: first[0]!.id })).map((r) => r.id),
      ['al-c', 'al-b'],
    );
  });

  test('alerts: hits of one new alert applied at once are all counted', async () => {
    const hits = Array.from({ length: 8 }, (_, i) => alertHit({ recordIds: [`r${i}`], maxRecordIds: 100 }));
    const outcomes = await Promise.all(hits.map((h) => ctx.store.alerts.applyHit(h, T0)));
    assert.equal(outcomes.filter((o) => o.outcome === 'raised').length, 1);
    const got = await ctx.store.alerts.get('al-1');
    assert.equal(got?.hits, 8);
    assert.equal(got?.recordIds.length, 8);
  });

  test('alerts: a batch of hits is applied in order in one call, as one at a time would', async () => {
    const a = ctx.store.alerts;
    const batch = [
      alertHit(),
      alertHit({ recordIds: ['rec-2'], severity: 'high' }),
      alertHit(),
      alertHit({ alertId: 'al-2', tenant: TENANT_B }),
    ];
    const outcomes = (await a.applyHits(batch, T0)).map((o) => [o.alert.id, o.outcome, o.alert.hits]);
    assert.deepEqual(outcomes, [
      ['al-1', 'raised', 1],
      ['al-1', 'counted', 2],
      ['al-1', 'duplicate', 2],
      ['al-2', 'raised', 1],
    ]);
    assert.equal((await a.get('al-1'))?.severity, 'high', 'a later hit sees what an earlier one did');
    const again = await a.applyHits(batch, T0 + HOUR);
    assert.deepEqual(
      again.map((o) => o.outcome),
      ['duplicate', 'duplicate', 'duplicate', 'duplicate'],
      'a replayed batch (after a crash) changes nothing',
    );
    assert.deepEqual(await a.applyHits([], T0), []);
  });

  test('alerts: the tenant keys alerts are filed under, once each, in code point order', async () => {
    const a = ctx.store.alerts;
    assert.deepEqual(await a.tenantKeys(), []);
    await a.applyHits(
      [
        alertHit({ alertId: 'al-1', tenant: 'case-b' }),
        alertHit({ alertId: 'al-2', tenant: 'Case-A' }),
        alertHit({ alertId: 'al-3', tenant: 'case-b', recordIds: ['rec-2'] }),
      ],
      T0,
    );
    assert.deepEqual(await a.tenantKeys(), ['Case-A', 'case-b']);
  });

  test("alerts: forgetting a tenant deletes its alerts, their history and hits, and no other tenant's", async () => {
    const a = ctx.store.alerts;
    await a.applyHits([alertHit(), alertHit({ alertId: 'al-2', tenant: TENANT_B })], T0);
    await a.setStatus('al-1', { from: 'new', to: 'resolved', actor: 'ann', at: T0 + 1 });
    assert.equal(await a.forgetTenant(TENANT_A), 1);
    assert.equal(await a.get('al-1'), null);
    assert.deepEqual(await a.history('al-1'), []);
    assert.ok(await a.get('al-2'), 'the other tenant keeps its alert');
    const again = await a.applyHit(alertHit(), T0 + 2);
    assert.equal(again.outcome, 'raised', 'the same hit raises again once its alert was forgotten');
    assert.equal(await a.forgetTenant('nobody'), 0);
  });

  test('alerts: status moves only from the status the caller saw, with who, when and a history', async () => {
    const a = ctx.store.alerts;
    await a.applyHit(alertHit(), T0);
    assert.equal(await a.setStatus('al-1', { from: 'new', to: 'acknowledged', actor: 'ann', at: T0 + 1 }), true);
    assert.equal(await a.setStatus('al-1', { from: 'new', to: 'resolved', actor: 'bob', at: T0 + 2 }), false);
    assert.equal(await a.setStatus('nope', { from: 'new', to: 'resolved', actor: 'bob', at: T0 + 2 }), false);
    const note = 'forwarding removed';
    assert.equal(
      await a.setStatus('al-1', { from: 'acknowledged', to: 'resolved', actor: 'ann', at: T0 + 3, note }),
      true,
    );
    const got = await a.get('al-1');
    assert.deepEqual([got?.status, got?.statusBy, got?.statusAt], ['resolved', 'ann', T0 + 3]);
    assert.equal((await a.applyHit(alertHit({ recordIds: ['rec-9'] }), T0 + 4)).outcome, 'reopened');
    assert.equal((await a.get('al-1'))?.status, 'new');
    assert.deepEqual(
      (await a.history('al-1')).map((h) => [h.action, h.from, h.to, h.actor, h.at, h.note]),
      [
        ['raised', null, 'new', 'tenantwatch', T0, null],
        ['status', 'new', 'acknowledged', 'ann', T0 + 1, null],
        ['status', 'acknowledged', 'resolved', 'ann', T0 + 3, note],
        ['reopened', 'resolved', 'new', 'tenantwatch', T0 + 4, 'a new hit after it was resolved'],
      ],
    );
    await a.setStatus('al-1', { from: 'new', to: 'false_positive', actor: 'ann', at: T0 + 5 });
    assert.equal((await a.applyHit(alertHit({ recordIds: ['rec-10'] }), T0 + 6)).outcome, 'counted');
    assert.equal((await a.get('al-1'))?.status, 'false_positive', 'a false positive stays one');
  });

  test('alerts: list filters by tenant, rule, severity, status, snooze and time, newest last hit first', async () => {
    const a = ctx.store.alerts;
    await a.applyHit(alertHit({ alertId: 'x1', lastSeen: T0 + 1 }), T0);
    await a.applyHit(alertHit({ alertId: 'x2', tenant: TENANT_B, lastSeen: T0 + 2, severity: 'high' }), T0);
    await a.applyHit(alertHit({ alertId: 'x3', ruleId: 'r2', lastSeen: T0 + 3, snoozedUntil: T0 + HOUR }), T0);
    await a.setStatus('x1', { from: 'new', to: 'acknowledged', actor: 'ann', at: T0 });
    const ids = async (f: Parameters<typeof a.list>[0]): Promise<string[]> => (await a.list(f)).map((r) => r.id);
    assert.deepEqual(await ids({}), ['x3', 'x2', 'x1']);
    assert.deepEqual(await ids({ tenants: [TENANT_B] }), ['x2']);
    assert.deepEqual(await ids({ tenants: [] }), [], 'no tenant allowed: nothing');
    assert.deepEqual(await ids({ ruleIds: ['r1'], severities: ['medium', 'low'] }), ['x1']);
    assert.deepEqual(await ids({ statuses: ['new'] }), ['x3', 'x2']);
    assert.deepEqual(await ids({ visibleAt: T0 + 10 }), ['x2', 'x1'], 'snoozed alerts are hidden while snoozed');
    assert.deepEqual(await ids({ visibleAt: T0 + HOUR }), ['x3', 'x2', 'x1'], '…and surface when the snooze ends');
    assert.deepEqual(await ids({ since: T0 + 2, limit: 1 }), ['x3']);
  });

  test('alerts: due lists undelivered alerts whose snooze has ended; snooze and markNotified change that', async () => {
    const a = ctx.store.alerts;
    await a.applyHit(alertHit({ alertId: 'd1' }), T0);
    await a.applyHit(alertHit({ alertId: 'd2', snoozedUntil: T0 + HOUR }), T0 + 1);
    assert.deepEqual(
      (await a.due(T0, 10)).map((r) => r.id),
      ['d1'],
    );
    assert.deepEqual(
      (await a.due(T0 + HOUR, 10)).map((r) => r.id),
      ['d1', 'd2'],
    );
    assert.equal(await a.markNotified(await stored(ctx.store, 'd1'), T0 + 2), 'marked');
    assert.equal((await a.get('d1'))?.notifiedAt, T0 + 2);
    assert.equal(await a.snooze('d2', T0 + 2 * HOUR, 'ann', T0 + 3, 'maintenance'), true);
    assert.deepEqual(await a.due(T0 + HOUR, 10), []);
    assert.equal(await a.snooze('nope', null, 'ann', T0), false);
    const last = (await a.history('d2')).at(-1);
    assert.equal(last?.action, 'snoozed');
    assert.match(last?.note ?? '', /until .*maintenance/);
  });

  test('alerts: the channels that took a due alert are kept until it is reopened or forgotten', async () => {
    const a = ctx.store.alerts;
    for (const name of ['soc-hook', 'soc-mail', 'soc-siem']) await ctx.store.sinks.upsert(alertSinkRow(name));
    await a.applyHits([alertHit(), alertHit({ alertId: 'al-2', tenant: TENANT_B })], T0);
    assert.deepEqual(await a.channelDeliveries(['al-1', 'al-2']), [], 'no channel took them yet');
    const [al1, al2] = [await stored(ctx.store, 'al-1'), await stored(ctx.store, 'al-2')];
    assert.equal(await a.markChannelDelivered(al1, channel('soc-hook'), T0 + 1), 'recorded');
    assert.equal(
      await a.markChannelDelivered(al1, channel('soc-hook'), T0 + 5),
      'recorded',
      'again: the first time is kept',
    );
    await a.markChannelDelivered(al2, channel('soc-mail'), T0 + 2);
    await a.markChannelDelivered(al1, channel('soc-siem'), T0 + 3);
    assert.deepEqual(await a.channelDeliveries(['al-1', 'al-2', 'nope']), [
      { alertId: 'al-1', channel: 'soc-hook', at: T0 + 1 },
      { alertId: 'al-1', channel: 'soc-siem', at: T0 + 3 },
      { alertId: 'al-2', channel: 'soc-mail', at: T0 + 2 },
    ]);
    assert.deepEqual(await a.channelDeliveries([]), []);
    assert.equal(
      (await a.applyHit(alertHit({ alertId: 'al-2', tenant: TENANT_B, recordIds: ['r9'] }), T0 + 6)).outcome,
      'counted',
    );
    await a.setStatus('al-1', { from: 'new', to: 'resolved', actor: 'ann', at: T0 + 7 });
    assert.equal((await a.applyHit(alertHit({ recordIds: ['rec-9'] }), T0 + 8)).outcome, 'reopened');
    assert.deepEqual(
      (await a.channelDeliveries(['al-1', 'al-2'])).map((d) => [d.alertId, d.channel]),
      [['al-2', 'soc-mail']],
      'a reopened alert is due to every channel again; a counted hit changes nothing',
    );
    await a.forgetTenant(TENANT_B);
    assert.deepEqual(await a.channelDeliveries(['al-2']), [], 'forgotten with its alert');
  });

  test('alerts: a delivery is recorded only for the state that was sent; one that changed meanwhile stays due', async () => {
    const a = ctx.store.alerts;
    await ctx.store.sinks.upsert(alertSinkRow('soc-hook'));
    await a.applyHit(alertHit(), T0);
    // Each change between routing's read and its record of the send: the alert stays due, no channel row is kept.
    const changes: [string, () => Promise<unknown>][] = [
      ['a new hit counted', () => a.applyHit(alertHit({ recordIds: ['rec-2'] }), T0 + 1)],
      ['acknowledged', () => a.setStatus('al-1', { from: 'new', to: 'acknowledged', actor: 'ann', at: T0 + 2 })],
      ['snoozed', () => a.snooze('al-1', T0 + 3, 'ann', T0 + 2)],
      ['resolved', () => a.setStatus('al-1', { from: 'acknowledged', to: 'resolved', actor: 'ann', at: T0 + 3 })],
      ['reopened by a hit', () => a.applyHit(alertHit({ recordIds: ['rec-3'] }), T0 + 3)],
    ];
    for (const [what, change] of changes) {
      const read = await stored(ctx.store, 'al-1');
      await change();
      assert.equal(await a.markChannelDelivered(read, channel('soc-hook'), T0 + 4), 'alert-changed', what);
      assert.deepEqual(await a.channelDeliveries(['al-1']), [], `${what}: no row for the older state`);
      assert.equal(await a.markNotified(read, T0 + 4), 'alert-changed', what);
      assert.deepEqual(
        (await a.due(T0 + HOUR, 10)).map((r) => r.id),
        ['al-1'],
        `${what}: still due`,
      );
    }
    const now = await stored(ctx.store, 'al-1');
    assert.equal(
      await a.markChannelDelivered(now, channel('soc-hook'), T0 + 5),
      'recorded',
      'the state as it is: recorded',
    );
    assert.equal(await a.markNotified(now, T0 + 5, ['soc-hook']), 'marked');
    assert.deepEqual(await a.due(T0 + HOUR, 10), []);
    await a.forgetTenant(TENANT_A);
    assert.equal(await a.markChannelDelivered(now, channel('soc-hook'), T0 + 6), 'alert-changed', 'a forgotten alert');
    assert.equal(await a.markNotified(now, T0 + 6), 'alert-changed');
    assert.deepEqual(await a.channelDeliveries(['al-1']), []);
  });

  test('alerts: a delivery through a sink removed meanwhile is not recorded; a sink added again takes it anew', async () => {
    const a = ctx.store.alerts;
    await ctx.store.sinks.upsert(alertSinkRow('soc-hook'));
    await a.applyHit(alertHit(), T0);
    const read = await stored(ctx.store, 'al-1');
    assert.equal(await ctx.store.sinks.remove('soc-hook'), true);
    assert.equal(await a.markChannelDelivered(read, channel('soc-hook'), T0 + 1), 'sink-removed');
    assert.equal(
      await a.markChannelDelivered(read, channel('never-added'), T0 + 1),
      'sink-removed',
      'no such sink at all',
    );
    // Added again at the instant it was added first: only its identity tells it from the removed one.
    const again = alertSinkRow('soc-hook', { id: 'sink-soc-hook-again' });
    await ctx.store.sinks.upsert(again);
    assert.equal(
      await a.markChannelDelivered(read, channel('soc-hook'), T0 + 1),
      'sink-removed',
      'a send through the removed sink, recorded late',
    );
    assert.deepEqual(await a.channelDeliveries(['al-1']), [], 'the sink added again has not taken it');
    assert.equal(
      await a.markNotified(read, T0 + 2, ['soc-hook']),
      'channel-missing',
      'not delivered while the sink there is now has no row',
    );
    assert.equal(await a.markChannelDelivered(read, again, T0 + 3), 'recorded');
    assert.equal(await ctx.store.sinks.remove('soc-hook'), true);
    assert.equal(
      await a.markNotified(read, T0 + 4, ['soc-hook']),
      'channel-missing',
      'its row went with the sink removed after it took the alert',
    );
    assert.deepEqual(
      (await a.due(T0 + HOUR, 10)).map((r) => r.id),
      ['al-1'],
    );
  });

  test('alert exclusions and snoozes: stored as data; an excluded hit is counted once per hit', async () => {
    const a = ctx.store.alerts;
    const base = { reason: 'scanner', author: 'ann', createdAt: T0, hits: 0, lastHitAt: null };
    await a.addExclusion({ id: 'e1', ruleId: 'r1', tenant: TENANT_A, kind: 'address', value: '192.0.2.0/24', ...base });
    await a.addExclusion({ id: 'e2', ruleId: '*', tenant: TENANT_B, kind: 'user', value: 'svc@x', ...base });
    assert.deepEqual(
      (await a.listExclusions()).map((e) => e.id),
      ['e1', 'e2'],
    );
    assert.deepEqual(
      (await a.listExclusions({ ruleId: 'r9', tenant: TENANT_B })).map((e) => e.id),
      ['e2'],
    );
    assert.deepEqual(
      (await a.listExclusions({ ruleId: 'r1', tenant: TENANT_A })).map((e) => e.id),
      ['e1'],
    );
    assert.equal(await a.countExcluded('h1', 'e1', T0 + 5), true);
    assert.equal(await a.countExcluded('h1', 'e1', T0 + 6), false, 'a replay is not counted again');
    assert.equal(await a.countExcluded('h2', 'e1', T0 + 4), true);
    const e1 = (await a.listExclusions()).find((e) => e.id === 'e1');
    assert.deepEqual([e1?.hits, e1?.lastHitAt, e1?.value], [2, T0 + 5, '192.0.2.0/24']);
    assert.equal(await a.removeExclusion('e1'), true);
    assert.equal(await a.removeExclusion('e1'), false);

    const snooze = { ruleId: 'r1', tenant: TENANT_A, reason: 'change window', author: 'ann', createdAt: T0 };
    await a.addSnooze({ id: 's1', groupKey: null, until: T0 + HOUR, ...snooze });
    await a.addSnooze({ id: 's2', groupKey: 'adele', until: T0 + 2 * HOUR, ...snooze });
    assert.deepEqual(
      (await a.listSnoozes()).map((s) => [s.id, s.groupKey]),
      [
        ['s1', null],
        ['s2', 'adele'],
      ],
    );
    assert.deepEqual(
      (await a.listSnoozes(T0 + HOUR)).map((s) => s.id),
      ['s2'],
      'an ended snooze is not in force',
    );
    assert.equal(await a.removeSnooze('s2'), true);
    assert.deepEqual(await a.listSnoozes(T0 + HOUR), []);
  });
}
