import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalKey } from '../../core/guid.js';
import type { AlertIdentity, Store } from '../contract.js';
import { alertHit } from './alert-conformance.js';
import { alertSinkRow, HOUR, T0, TENANT_A } from './fixtures.js';

/**
 * How the tests key alerts and hits: as detections/alerts/identity.ts does in kind (the GUID tenant and record ids in
 * their key form), readable. The ids stored before a merge are those an earlier version derived from the spelling.
 */
const IDENTITY: AlertIdentity = {
  alertId: (rule, tenant, group, window) => `al:${rule}:${canonicalKey(tenant)}:${group}:${window}`,
  hitKey: (h) => `hit:${h.ruleId}:${canonicalKey(h.tenant)}:${h.groupKey}:${h.recordIds.map(canonicalKey).join(',')}`,
  maxRecordIds: 3,
};
const idOf = (tenant: string, group = ''): string => IDENTITY.alertId('r1', tenant, group, T0);
const TU = TENANT_A.toUpperCase();
const REC = 'aaaabbbb-0000-4000-8000-00000000000c';

/** The alerts' part of `optimize --rekey` (store/alert-rekey.ts, ADR 0039), for every adapter. */
export function runAlertRekeyConformance(ctx: { readonly store: Store }): void {
  test('alerts: rekey keys an alert as its merged records are keyed, under the id a current version derives', async () => {
    const a = ctx.store.alerts;
    await a.applyHits(
      [
        alertHit({ alertId: 'al-old', tenant: TU, recordIds: [REC.toUpperCase(), 'ANONYMIZED', REC] }),
        alertHit({ alertId: idOf('Case-2026'), tenant: 'Case-2026', recordIds: [REC.toUpperCase()] }),
        alertHit({ alertId: idOf(TENANT_A, 'g3'), tenant: TENANT_A, groupKey: 'g3', recordIds: [REC, 'Rec-Upper'] }),
      ],
      T0,
    );
    await a.setStatus('al-old', { from: 'new', to: 'acknowledged', actor: 'ann', at: T0 + 1 });
    const before = await a.get('al-old');
    const moved = { changed: 2, renamed: [{ from: 'al-old', to: idOf(TENANT_A) }] };
    assert.deepEqual(await a.rekey(IDENTITY, { dryRun: true }), moved, 'the label alert changes, keeping its id');
    assert.equal((await a.get('al-old'))?.tenant, TU, 'a dry run writes nothing');
    assert.equal(await a.movedTo('al-old'), null, 'not even the old id');
    assert.deepEqual(await a.rekey(IDENTITY), moved);
    assert.equal(await a.get('al-old'), null, 'not under the id of the upper-case spelling any more');
    assert.deepEqual(await a.get(idOf(TENANT_A)), {
      ...before,
      id: idOf(TENANT_A),
      tenant: TENANT_A,
      recordIds: [REC, 'ANONYMIZED'],
    });
    assert.equal((await a.get(idOf(TENANT_A)))?.recordTotal, 3, 'the hits counted stay');
    assert.deepEqual((await a.get(idOf('Case-2026')))?.recordIds, [REC]);
    assert.equal((await a.get(idOf('Case-2026')))?.tenant, 'Case-2026', 'an import label keeps its case');
    assert.deepEqual((await a.get(idOf(TENANT_A, 'g3')))?.recordIds, [REC, 'Rec-Upper'], 'not a GUID: as stored');
    assert.deepEqual(
      (await a.history(idOf(TENANT_A))).map((c) => [c.alertId, c.action]),
      [
        [idOf(TENANT_A), 'raised'],
        [idOf(TENANT_A), 'status'],
      ],
      'its history goes with it',
    );
    assert.deepEqual(await a.history('al-old'), []);
    assert.deepEqual(await a.rekey(IDENTITY), { changed: 0, renamed: [] }, 'nothing left');

    const next = alertHit({ alertId: idOf(TENANT_A), hitKey: 'new-hit', recordIds: ['rec-9'] });
    assert.equal((await a.applyHit(next, T0 + 2)).outcome, 'counted', 'the next hit finds the alert');
    const again = alertHit({ alertId: idOf(TENANT_A), hitKey: IDENTITY.hitKey({ ...next, recordIds: [REC] }) });
    assert.equal((await a.applyHit(again, T0 + 3)).outcome, 'duplicate', 'a hit of a record it counted: claimed');
    assert.equal((await a.list()).length, 3, 'no second alert');
  });

  test('alerts: rekey makes one alert of an upper-case one and its twin raised under the lower-case key', async () => {
    const a = ctx.store.alerts;
    await ctx.store.sinks.upsert(alertSinkRow('soc-hook'));
    await ctx.store.sinks.upsert(alertSinkRow('soc-mail'));
    const old = alertHit({ alertId: 'al-old', tenant: TU, recordIds: [REC.toUpperCase()], severity: 'high' });
    await a.applyHit(old, T0);
    await a.setStatus('al-old', { from: 'new', to: 'resolved', actor: 'ann', at: T0 + 1 });
    const sent = (await a.get('al-old'))!;
    assert.equal(await a.markNotified(sent, T0 + 2), 'marked');
    await a.markChannelDelivered(sent, { name: 'soc-hook', id: 'sink-soc-hook' }, T0 + 2);
    const twin = alertHit({
      alertId: idOf(TENANT_A),
      hitKey: 'twin',
      recordIds: [REC, 'rec-2'],
      lastSeen: T0 + 2 * HOUR,
    });
    await a.applyHit(twin, T0 + 5);
    await a.markChannelDelivered((await a.get(idOf(TENANT_A)))!, { name: 'soc-mail', id: 'sink-soc-mail' }, T0 + 6);

    assert.deepEqual(await a.rekey(IDENTITY), { changed: 1, renamed: [{ from: 'al-old', to: idOf(TENANT_A) }] });
    assert.equal(await a.get('al-old'), null);
    assert.equal(await a.movedTo('al-old'), idOf(TENANT_A), 'the old id names the alert it was merged into');
    const one = await a.get(idOf(TENANT_A));
    assert.ok(one);
    assert.deepEqual(
      [one.tenant, one.hits, one.recordIds, one.recordTotal, one.severity, one.status, one.createdAt, one.lastSeen],
      [TENANT_A, 2, [REC, 'rec-2'], 2, 'high', 'new', T0, T0 + 2 * HOUR],
      'both hits, their records once, the highest severity, the status judged last (the twin raised after resolving)',
    );
    assert.equal(one.notifiedAt, null, 'due: the twin was never sent');
    assert.deepEqual(
      (await a.history(idOf(TENANT_A))).map((c) => c.action),
      ['raised', 'status', 'raised'],
      'both histories',
    );
    assert.deepEqual(
      (await a.channelDeliveries([idOf(TENANT_A), 'al-old'])).map((d) => [d.alertId, d.channel]),
      [
        [idOf(TENANT_A), 'soc-hook'],
        [idOf(TENANT_A), 'soc-mail'],
      ],
    );
    const retro = alertHit({ alertId: idOf(TENANT_A), hitKey: IDENTITY.hitKey({ ...old, tenant: TENANT_A }) });
    assert.equal((await a.applyHit(retro, T0 + 7)).outcome, 'duplicate', 'a retro run over the merged record');
    assert.equal((await a.list()).length, 1);
  });

  test('alerts: an id rekey moved an alert from keeps naming it (sent to channels, written in tickets)', async () => {
    const a = ctx.store.alerts;
    await a.applyHits(
      [
        alertHit({ alertId: 'al-old', tenant: TU, recordIds: [REC.toUpperCase()] }),
        alertHit({ alertId: 'al-other', tenant: TENANT_A, groupKey: 'g2', recordIds: [REC] }),
      ],
      T0,
    );
    assert.equal(await a.movedTo('al-old'), null, 'an alert not moved: no alias');
    await a.rekey(IDENTITY);
    assert.equal(await a.movedTo('al-old'), idOf(TENANT_A));
    assert.equal(await a.movedTo(idOf(TENANT_A)), null, 'the id it has now is its own, not an alias');
    assert.equal(await a.movedTo('al-other'), null, 'an alert that was not moved');
    assert.equal(await a.movedTo('al-nope'), null);
    assert.equal(await a.forgetTenant(TENANT_A), 2);
    assert.equal(await a.movedTo('al-old'), null, '`tenant remove --purge` forgets the old id with the alert');
  });
}
