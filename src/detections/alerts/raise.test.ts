import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import type { Store } from '../../store/contract.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { record } from '../../store/testing/fixtures.js';
import { hit } from '../testing/hits.js';
import { changeStatus, excludeFromAlert, snoozeAlert } from './actions.js';
import { newExclusion } from './exclusions.js';
import { alertPolicy, raiseHits, type RaiseDeps } from './raise.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 9, 2);
let store: Store;
let clock: ManualClock;
let deps: RaiseDeps;
beforeEach(() => {
  store = openSqliteStore(':memory:');
  clock = new ManualClock(NOW);
  deps = { store, clock, logger: silentLogger };
});
afterEach(() => store.close());

describe('raising alerts from hits', () => {
  test('a replayed hit (the same rule, tenant, group key and records) is not counted twice', async () => {
    const first = await raiseHits(deps, [hit(), hit({ recordIds: ['rec-2'] })]);
    assert.deepEqual([first.raised, first.counted, first.duplicates], [1, 1, 0]);
    const replay = await raiseHits(deps, [hit({ recordIds: ['rec-2'] }), hit()]);
    assert.deepEqual([replay.raised, replay.counted, replay.duplicates], [0, 0, 2]);
    const [alert] = await store.alerts.list();
    assert.deepEqual([alert?.hits, alert?.recordIds, alert?.recordTotal], [2, ['rec-1', 'rec-2'], 2]);
  });

  test('one alert per rule, tenant and group key within a suppression window; per rule configurable', async () => {
    const t = Date.UTC(2026, 9, 1, 1);
    await raiseHits(deps, [
      hit({ recordIds: ['a'], firstSeen: t }),
      hit({ recordIds: ['b'], firstSeen: t + 20 * HOUR }),
      hit({ recordIds: ['c'], firstSeen: t + 24 * HOUR }),
      hit({ recordIds: ['d'], firstSeen: t, groupKey: 'bob' }),
      hit({ recordIds: ['e'], firstSeen: t, tenant: 't2' }),
      hit({ recordIds: ['f'], firstSeen: t, ruleId: 'r2' }),
    ]);
    const ids = (await store.alerts.list()).map((a) => a.recordIds.join(',')).sort();
    assert.deepEqual(ids, ['a,b', 'c', 'd', 'e', 'f'], 'windows are UTC days by default');
    const hourly = { ...deps, policy: alertPolicy({ r3: HOUR }) };
    await raiseHits(hourly, [
      hit({ ruleId: 'r3', recordIds: ['x'], firstSeen: t }),
      hit({ ruleId: 'r3', recordIds: ['y'], firstSeen: t + HOUR }),
    ]);
    assert.equal((await store.alerts.list({ ruleIds: ['r3'] })).length, 2);
  });

  test('an exclusion that matches every record behind a hit keeps it from being raised, counted once', async () => {
    const svc = record({ tenant: 't1', userId: 'svc-backup@contoso.com', clientIp: '198.51.100.7' });
    const other = record({ tenant: 't1', userId: 'adele@contoso.com', clientIp: '198.51.100.8', appId: 'APP-1' });
    await store.records.insert([svc, other]);
    const base = { ruleId: 'r1', tenant: 't1', reason: 'backup job', author: 'ann' };
    await store.alerts.addExclusion(newExclusion({ ...base, kind: 'user', value: 'SVC-Backup@contoso.com' }, NOW));
    const onlySvc = hit({ recordIds: [svc.id] });
    const both = hit({ recordIds: [svc.id, other.id] });
    const s1 = await raiseHits(deps, [onlySvc, onlySvc, both]);
    assert.deepEqual([s1.excluded, s1.duplicates, s1.raised], [1, 1, 1], 'a hit with another user in it is raised');
    assert.equal((await store.alerts.listExclusions())[0]?.hits, 1);
    await store.alerts.addExclusion(
      newExclusion({ ...base, ruleId: '*', kind: 'address', value: '198.51.100.0/28' }, NOW),
    );
    assert.equal((await raiseHits(deps, [hit({ recordIds: [other.id, svc.id], groupKey: 'g' })])).excluded, 1, 'CIDR');
    await store.alerts.addExclusion(newExclusion({ ...base, tenant: '*', kind: 'application', value: 'app-1' }, NOW));
    assert.equal((await raiseHits(deps, [hit({ recordIds: [other.id], groupKey: 'h' })])).excluded, 1, 'application');
    assert.equal(
      (await raiseHits(deps, [hit({ tenant: 't2', recordIds: [other.id], groupKey: 'h' })])).raised,
      1,
      'other tenant: not excluded',
    );
    assert.throws(() => newExclusion({ ...base, kind: 'address', value: '10.0.0.0/99' }, NOW), { code: 'BAD_INPUT' });
    assert.throws(() => newExclusion({ ...base, kind: 'device', value: 'x' }, NOW), { code: 'BAD_INPUT' });
    assert.throws(() => newExclusion({ ...base, kind: 'user', value: 'x', reason: ' ' }, NOW), { code: 'BAD_INPUT' });
  });

  test('a snoozed hit is stored silently and surfaces (listed and due for delivery) when the snooze ends', async () => {
    const [raised] = (await raiseHits(deps, [hit()])).alerts;
    assert.ok(raised);
    await snoozeAlert(deps, raised.id, NOW + 2 * HOUR, 'ann', 'change window');
    const later = await raiseHits(deps, [
      hit({ recordIds: ['rec-2'] }),
      hit({ recordIds: ['rec-3'], groupKey: 'other' }),
    ]);
    assert.equal(later.snoozed, 1, 'the snooze covers the rule, tenant and group key of the alert only');
    assert.deepEqual(
      (await store.alerts.list({ visibleAt: NOW })).map((a) => a.groupKey),
      ['other'],
    );
    assert.deepEqual(
      (await store.alerts.due(NOW, 10)).map((a) => a.groupKey),
      ['other'],
    );
    clock.advance(2 * HOUR);
    assert.equal((await store.alerts.list({ visibleAt: clock.now() })).length, 2);
    assert.deepEqual((await store.alerts.due(clock.now(), 10)).map((a) => a.groupKey).sort(), ['', 'other']);
    assert.equal((await store.alerts.get(raised.id))?.hits, 2, 'hits during the snooze were counted');
    // The API's `until` reaches this check (the CLI refuses a past --until first): it was told "Use e.g. --until 24h".
    await assert.rejects(snoozeAlert(deps, raised.id, NOW, 'ann', ''), {
      code: 'BAD_INPUT',
      hint: 'Give a span from now such as 24h, or a date-time after now such as 2026-12-01T08:00Z',
    });
  });

  test('snoozed again: a hit raised while the old snooze is replaced is held back all the same', async () => {
    const [raised] = (await raiseHits(deps, [hit()])).alerts;
    assert.ok(raised);
    await snoozeAlert(deps, raised.id, NOW + 7 * 24 * HOUR, 'ann', 'a week');
    let during: Awaited<ReturnType<typeof raiseHits>> | null = null;
    // A live process raising a hit right after the old snooze went (`alerts snooze` run again meanwhile).
    const alerts = Object.assign(Object.create(store.alerts) as typeof store.alerts, {
      removeSnooze: async (id: string) => {
        const removed = await store.alerts.removeSnooze(id);
        during = await raiseHits(deps, [hit({ recordIds: ['rec-2'] })]);
        return removed;
      },
    });
    await snoozeAlert({ ...deps, store: { ...store, alerts } }, raised.id, NOW + HOUR, 'ann', 'an hour will do');
    assert.equal(during!.snoozed, 1, 'the new snooze was there before the old one went');
    assert.equal((await store.alerts.listSnoozes(NOW)).length, 1, 'the old snooze is gone');
  });

  test('snoozed again until an earlier time, the alert and its group surface then, not at the first end', async () => {
    const [raised] = (await raiseHits(deps, [hit()])).alerts;
    assert.ok(raised);
    await snoozeAlert(deps, raised.id, NOW + 7 * 24 * HOUR, 'ann', 'a week');
    await snoozeAlert(deps, raised.id, NOW + HOUR, 'ann', 'an hour will do');
    assert.equal((await store.alerts.get(raised.id))?.snoozedUntil, NOW + HOUR);
    const during = await raiseHits(deps, [hit({ recordIds: ['rec-2'] })]);
    assert.equal(during.snoozed, 1, 'held back by the hour');
    assert.equal((await store.alerts.get(raised.id))?.snoozedUntil, NOW + HOUR, 'not snoozed for the week again');
    clock.advance(2 * HOUR);
    const after = await raiseHits(deps, [hit({ recordIds: ['rec-3'] })]);
    assert.equal(after.snoozed, 0, 'the week-long snooze was replaced');
    assert.deepEqual(
      (await store.alerts.due(clock.now(), 10)).map((a) => a.id),
      [raised.id],
    );
  });

  test('status: ack, resolve, false positive with clear errors; a new hit reopens a resolved alert', async () => {
    const [a] = (await raiseHits(deps, [hit()])).alerts;
    assert.ok(a);
    await assert.rejects(changeStatus(deps, 'al_nope', 'acknowledged', 'ann'), { code: 'NOT_FOUND' });
    assert.equal((await changeStatus(deps, a.id, 'acknowledged', 'ann')).status, 'acknowledged');
    assert.equal(
      (await changeStatus(deps, a.id, 'acknowledged', 'ann')).statusBy,
      'ann',
      'asking again changes nothing',
    );
    await changeStatus(deps, a.id, 'resolved', 'bob', 'rule removed');
    await assert.rejects(changeStatus(deps, a.id, 'acknowledged', 'ann'), { code: 'CONFLICT' });
    assert.equal((await raiseHits(deps, [hit({ recordIds: ['rec-2'] })])).reopened, 1);
    assert.equal((await store.alerts.get(a.id))?.status, 'new');
    const ex = await excludeFromAlert(deps, a.id, {
      kind: 'user',
      value: 'adele@contoso.com',
      reason: 'VIP',
      author: 'ann',
    });
    assert.deepEqual([ex.ruleId, ex.tenant], ['r1', 't1']);
  });
});
