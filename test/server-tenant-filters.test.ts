import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { PassThrough } from 'node:stream';
import { silentLogger } from '../src/core/log.js';
import type { StoredRecord } from '../src/core/record.js';
import { raiseHits } from '../src/detections/alerts/raise.js';
import { fakeEvaluator } from '../src/detections/testing/hits.js';
import { listReports, runReport } from '../src/reports/registry.js';
import { buildServer } from '../src/server/index.js';
import { addUser, signIn } from '../src/server/auth/testing.js';
import { CONTOSO, DAY, NOW, fixtureRecords, testDeps } from '../src/server/testing/fixtures.js';
import type { CliContext } from '../src/cli/context.js';
import { listCommand } from '../src/cli/commands/alerts.js';
import { pgUrl } from './support/paths.js';
import { dropSchema, isolatedPgUrl } from './support/pg.js';

/**
 * The alerts' and reports' tenant filters resolve tenants by search's rule (search/tenants.ts, the scope's
 * searchTenants): an import label in another case than stored, the caller's own labels, a key only alerts are
 * still filed under. The alerts API read the caller's own list byte for byte and kept one of two labels alike;
 * `alerts list --tenant` refused a key whose records were gone that the API took; a report refused a whole run
 * for a label of the caller's scope with no records left.
 */
const range = { start: new Date(NOW - 4 * DAY).toISOString(), end: new Date(NOW).toISOString() };

async function check(storeUrl: string): Promise<void> {
  const label = (tenant: string) => fixtureRecords(10).map((r) => ({ ...r, tenant }));
  const records = [...fixtureRecords(30), ...label('Case-2026'), ...label('CASE-2026'), ...label('Gone-2025')];
  const deps = await testDeps({}, records, storeUrl);
  const { store, clock } = deps;
  deps.reports = { list: () => listReports(), run: (id, p, o?: object) => runReport(id, p, { store, clock }, o) };
  const stored: StoredRecord[] = [];
  for await (const r of store.records.search({ range: { start: 0, end: NOW } })) stored.push(r);
  await raiseHits({ store, clock, logger: silentLogger }, fakeEvaluator(['New-InboxRule']).push(stored.reverse()));
  // Alerts outlive their records: Gone-2025's are purged, its alerts stay.
  await store.records.purgeTenant('Gone-2025');
  const app = await buildServer(deps);
  try {
    await addUser(store, clock, { name: 'alice', role: 'admin' });
    await addUser(store, clock, { name: 'bob', tenants: ['case-2026', 'contoso'] });
    const alice = await signIn(app, 'alice');
    const bob = await signIn(app, 'bob');
    const alertTenants = async (who: typeof alice, query: string) => {
      const res = await app.inject(who.with({ url: `/api/alerts${query}` }));
      assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
      return [...new Set(res.json<{ alerts: { tenant: string }[] }>().alerts.map((a) => a.tenant))].sort();
    };
    const both = ['CASE-2026', 'Case-2026'];
    assert.deepEqual(await alertTenants(alice, '?tenant=case-2026'), both, 'both labels alike, not the first');
    assert.deepEqual(await alertTenants(bob, '?tenant=CASE-2026'), ['CASE-2026'], 'a label stored as typed is itself');
    assert.deepEqual(await alertTenants(bob, ''), [CONTOSO, ...both].sort(), "bob's own label, as search reads it");
    assert.deepEqual(await alertTenants(alice, '?tenant=Gone-2025'), ['Gone-2025'], 'alerts whose records are gone');
    const unknown = await app.inject(alice.with({ url: '/api/alerts?tenant=case-2099' }));
    assert.equal(unknown.json().error.code, 'UNKNOWN_TENANT', unknown.body);

    // The CLI's alerts list --tenant answers as the API does.
    let out = '';
    const ctx = {
      clock,
      logger: silentLogger,
      out: new PassThrough().on('data', (d: Buffer) => (out += d.toString())),
      err: new PassThrough(),
      store: async () => store,
    } as unknown as CliContext;
    for (const [asked, expected] of [
      ['case-2026', both],
      ['Gone-2025', ['Gone-2025']],
    ] as const) {
      out = '';
      await listCommand(ctx, { tenant: [asked], format: 'json' });
      const listed = JSON.parse(out) as { alerts: { tenant: string }[] };
      assert.deepEqual(
        [...new Set(listed.alerts.map((a) => a.tenant))].sort(),
        expected,
        `alerts list --tenant ${asked}`,
      );
    }

    // Reports: bob's own list, resolved as search resolves it; then a label of his with no records left.
    const report = async (who: typeof alice, body: Record<string, unknown>) => {
      const res = await app.inject(who.with({ method: 'POST', url: '/api/reports/inbox-rules/run', payload: body }));
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ parameters: { tenant?: string[] }; rows: { tenant: string }[] }>();
    };
    const mine = await report(bob, range);
    assert.deepEqual([...(mine.parameters.tenant ?? [])].sort(), [CONTOSO, ...both].sort());
    assert.ok(mine.rows.some((r) => r.tenant === 'Case-2026') && mine.rows.some((r) => r.tenant === CONTOSO));
    assert.deepEqual(
      [...((await report(alice, { ...range, tenant: 'case-2026' })).parameters.tenant ?? [])].sort(),
      both,
    );
    for (const key of both) await store.records.purgeTenant(key);
    const left = await report(bob, range);
    assert.ok(left.rows.length > 0 && left.rows.every((r) => r.tenant === CONTOSO), 'the rest of his tenants');
  } finally {
    await app.close();
    await store.close();
  }
}

describe("alerts' and reports' tenant filters resolve tenants as search does", () => {
  test('on SQLite', () => check('sqlite::memory:'));

  const url = pgUrl ? isolatedPgUrl('tenant_filters') : null;
  after(async () => {
    if (url) await dropSchema(url);
  });
  test('on PostgreSQL', { skip: url ? false : 'TENANTWATCH_TEST_PG not set' }, () => check(url!));
});
