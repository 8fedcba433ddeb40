import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import { ALERT_IDENTITY } from '../detections/alerts/raise.js';
import type { Store } from '../store/contract.js';
import { openStore } from '../store/open.js';
import { alertHit } from '../store/testing/alert-conformance.js';
import { accountsOf, addUser, TEST_ACTOR } from './auth/testing.js';
import { buildServer } from './index.js';
import { CONTOSO, FABRIKAM, NOW, seedStore } from './testing/fixtures.js';

/**
 * An alert `optimize --rekey` moved to another id (ADR 0039, the merge, point 5): its old id, sent to channels and
 * written in tickets, still names it on every API route that takes an alert id, within the caller's tenants only.
 */
let store: Store;
let app: FastifyInstance;
const clock = new ManualClock(NOW);
const tokens: Record<'contoso' | 'fabrikam', string> = { contoso: '', fabrikam: '' };
let merged = '';

before(async () => {
  store = await openStore('sqlite::memory:');
  await seedStore(store);
  const hit = alertHit({ alertId: 'al-upper', tenant: CONTOSO.toUpperCase(), windowStart: NOW - 3_600_000 });
  await store.alerts.applyHit(hit, NOW - 1);
  merged = ALERT_IDENTITY.alertId(hit.ruleId, CONTOSO, hit.groupKey, hit.windowStart);
  assert.deepEqual((await store.alerts.rekey(ALERT_IDENTITY)).renamed, [{ from: 'al-upper', to: merged }]);
  app = await buildServer({ store, clock, logger: silentLogger, rules: () => null });
  const accounts = accountsOf(store, clock);
  for (const [name, tenant] of [
    ['contoso', CONTOSO],
    ['fabrikam', FABRIKAM],
  ] as const) {
    await addUser(store, clock, { name, role: 'investigator', tenants: [tenant] });
    tokens[name] = (await accounts.addToken(TEST_ACTOR, { name: `t-${name}`, user: name })).token;
  }
});
after(async () => {
  await app.close();
  await store.close();
});

const call = (as: keyof typeof tokens, url: string, payload?: object) =>
  app.inject({
    method: payload ? 'POST' : 'GET',
    url,
    headers: { authorization: `Bearer ${tokens[as]}` },
    ...(payload ? { payload } : {}),
  });

test('an old id answers with the alert it became, its id in the body, on every route that takes an id', async () => {
  const shown = await call('contoso', '/api/alerts/al-upper');
  assert.equal(shown.statusCode, 200, shown.body);
  assert.deepEqual([shown.json().alert.id, shown.json().alert.tenant], [merged, CONTOSO]);
  const acked = await call('contoso', '/api/alerts/al-upper/status', { status: 'acknowledged' });
  assert.deepEqual([acked.statusCode, acked.json().id, acked.json().status], [200, merged, 'acknowledged']);
  const snoozed = await call('contoso', '/api/alerts/al-upper/snooze', { until: '4h', reason: 'window' });
  assert.deepEqual([snoozed.statusCode, snoozed.json().id], [200, merged]);
  const excluded = await call('contoso', '/api/alerts/al-upper/exclude', { kind: 'user', value: 'x@y', reason: 'ok' });
  assert.deepEqual([excluded.statusCode, excluded.json().exclusion.tenant], [200, CONTOSO]);
  assert.equal((await store.alerts.get(merged))?.status, 'acknowledged', 'the actions reached the alert');
});

test('an old id of an alert outside the caller’s tenants tells nothing: answered as an id that never existed', async () => {
  const before = await store.alerts.get(merged);
  const never = await call('fabrikam', '/api/alerts/al-never');
  assert.equal(never.statusCode, 404);
  for (const [path, payload] of [
    ['', undefined],
    ['/status', { status: 'resolved' }],
    ['/snooze', { until: '4h' }],
    ['/exclude', { kind: 'user', value: 'x@y', reason: 'ok' }],
  ] as const) {
    const res = await call('fabrikam', `/api/alerts/al-upper${path}`, payload);
    assert.deepEqual([res.statusCode, res.json()], [404, never.json()], path || 'GET');
    assert.doesNotMatch(res.body, new RegExp(merged));
  }
  assert.deepEqual(await store.alerts.get(merged), before, 'nothing changed');
});
