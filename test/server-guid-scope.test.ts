import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { buildServer } from '../src/server/index.js';
import { addUser, signIn } from '../src/server/auth/testing.js';
import { CONTOSO, DAY, FABRIKAM, NOW, fixtureRecords, testDeps } from '../src/server/testing/fixtures.js';
import { alertHit } from '../src/store/testing/alert-conformance.js';
import { pgUrl } from './support/paths.js';
import { dropSchema, isolatedPgUrl } from './support/pg.js';

/**
 * ADR 0039: a registered tenant's records that a version before it stored under the upper-case spelling of the
 * GUID are the tenant's records for a user whose scope lists the tenant, also when a request names no tenant: the
 * caller's own list read the registered (lower-case) key only, while naming the tenant read both. After the merge
 * (`optimize --rekey`) the same records are under the one key.
 */
const range = `start=${new Date(NOW - 4 * DAY).toISOString()}&end=${new Date(NOW).toISOString()}`;

async function check(storeUrl: string): Promise<void> {
  const records = fixtureRecords(30);
  // As an earlier version stored a file that spelled contoso's GUID in upper case: ten more records of contoso.
  const earlier = fixtureRecords(40)
    .slice(30)
    .map((r) => ({ ...r, tenant: r.tenant === CONTOSO ? CONTOSO.toUpperCase() : r.tenant }));
  const deps = await testDeps({}, [...records, ...earlier], storeUrl);
  const app = await buildServer(deps);
  try {
    await addUser(deps.store, deps.clock, { name: 'bob', tenants: ['contoso'] });
    const bob = await signIn(app, 'bob');
    const tenants = async (query: string) => {
      const res = await app.inject(bob.with({ url: `/api/search?${range}${query}` }));
      assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
      const counts = new Map<string, number>();
      for (const r of res.json<{ records: { tenant: string }[] }>().records)
        counts.set(r.tenant, (counts.get(r.tenant) ?? 0) + 1);
      return Object.fromEntries([...counts].sort());
    };
    const contoso = records.filter((r) => r.tenant === CONTOSO).length;
    const upper = earlier.filter((r) => r.tenant !== FABRIKAM).length;
    const both = { [CONTOSO.toUpperCase()]: upper, [CONTOSO]: contoso };
    assert.deepEqual(await tenants('&tenant=contoso'), both, 'naming the tenant reads both spellings');
    assert.deepEqual(await tenants(''), both, 'so does naming none: every record of his tenants');

    await deps.store.records.rekey!();
    assert.deepEqual(await tenants(''), { [CONTOSO]: contoso + upper }, 'after the merge: one key');
  } finally {
    await app.close();
    await deps.store.close();
  }
}

/**
 * Alerts outlive their records (retention, a purge): an alert an earlier version filed under the upper-case GUID of a
 * user's tenant, whose records are gone, is still the tenant's alert — read with the user's own list, or naming it.
 */
async function checkAlerts(storeUrl: string): Promise<void> {
  const deps = await testDeps({}, fixtureRecords(30), storeUrl);
  const app = await buildServer(deps);
  try {
    const hit = (alertId: string, tenant: string) => alertHit({ alertId, tenant, recordIds: ['gone-1'] });
    await deps.store.alerts.applyHits(
      [hit('al-upper', CONTOSO.toUpperCase()), hit('al-lower', CONTOSO), hit('al-other', FABRIKAM)],
      NOW,
    );
    await addUser(deps.store, deps.clock, { name: 'bob', tenants: ['contoso'] });
    const bob = await signIn(app, 'bob');
    const ids = async (query: string) => {
      const res = await app.inject(bob.with({ url: `/api/alerts${query}` }));
      assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
      return res
        .json<{ alerts: { id: string }[] }>()
        .alerts.map((a) => a.id)
        .sort();
    };
    assert.deepEqual(await ids(''), ['al-lower', 'al-upper'], 'his own list: every spelling alerts are filed under');
    assert.deepEqual(await ids('?tenant=contoso'), ['al-lower', 'al-upper'], 'naming the tenant: the same');
    const one = await app.inject(bob.with({ url: '/api/alerts/al-upper' }));
    assert.equal(one.statusCode, 200, one.body);
  } finally {
    await app.close();
    await deps.store.close();
  }
}

describe('a scoped user reading without naming a tenant', () => {
  test('sees the alerts of a GUID tenant filed under every spelling, on SQLite', () => checkAlerts('sqlite::memory:'));

  test('sees the records of a GUID tenant under every spelling, on SQLite', () => check('sqlite::memory:'));

  const url = pgUrl ? isolatedPgUrl('guid_scope') : null;
  after(async () => {
    if (url) await dropSchema(url);
  });
  test(
    'sees the records of a GUID tenant under every spelling, on PostgreSQL',
    { skip: url ? false : 'TENANTWATCH_TEST_PG not set' },
    () => check(url!),
  );
  const alertsUrl = pgUrl ? isolatedPgUrl('guid_scope_alerts') : null;
  after(async () => {
    if (alertsUrl) await dropSchema(alertsUrl);
  });
  test(
    'sees the alerts of a GUID tenant filed under every spelling, on PostgreSQL',
    { skip: alertsUrl ? false : 'TENANTWATCH_TEST_PG not set' },
    () => checkAlerts(alertsUrl!),
  );
});
