import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../src/core/log.js';
import { raiseHits } from '../src/detections/alerts/raise.js';
import { fakeEvaluator } from '../src/detections/testing/hits.js';
import { listReports, runReport } from '../src/reports/registry.js';
import { addUser, signIn, type Browser } from '../src/server/auth/testing.js';
import { buildServer, routesOf } from '../src/server/index.js';
import { CONTOSO, FABRIKAM, fixtureRecords, testDeps } from '../src/server/testing/fixtures.js';
import type { ServerDeps } from '../src/server/deps.js';
import type { StoredRecord } from '../src/core/record.js';

/**
 * Issue 16's acceptance: a user scoped to one tenant (contoso) calls EVERY route of the API — the list
 * comes from the server itself — asking for the other tenant's (fabrikam's) data in every way a route
 * takes a tenant (path, query, body, or none at all). Every answer is 403 or holds none of fabrikam's
 * data: not its GUID, not its name, not one of its record ids.
 */
let app: FastifyInstance;
let deps: ServerDeps;
let admin: Browser;
/** An investigator whose only group holds no tenant: their scope is empty, not everything. */
let nobody: Browser;
const fabrikamIds = fixtureRecords()
  .filter((r) => r.tenant === FABRIKAM)
  .map((r) => r.id);

before(async () => {
  deps = await testDeps();
  deps.reports = {
    list: () => listReports(),
    run: (id, params) => runReport(id, params, { store: deps.store, clock: deps.clock }),
  };
  deps.collector = { status: () => ({ running: true, tenants: [{ tenant: FABRIKAM, state: 'ok' }] }) };
  app = await buildServer(deps);
  await addUser(deps.store, deps.clock, { name: 'carol', role: 'admin', tenants: ['contoso'] });
  admin = await signIn(app, 'carol');
  await deps.store.auth.putGroup({ name: 'empty', tenants: [], updatedAt: deps.clock.now() });
  await addUser(deps.store, deps.clock, { name: 'nemo', role: 'investigator', groups: ['empty'] });
  nobody = await signIn(app, 'nemo');
});
after(async () => app.close());

/** The ways a request can name the other tenant's data, per route shape. */
function attempts(method: string, url: string): { url: string; payload?: unknown }[] {
  const fill = (tenant: string) =>
    url.replace(':tenant', tenant).replace(':id', fabrikamIds[0]!).replace(':name', 'carol');
  const urls = [fill(FABRIKAM), fill('fabrikam')];
  const reportIds = url.includes('/reports/:id') ? listReports().map((r) => r.id) : [];
  const paths = reportIds.length ? reportIds.map((id) => url.replace(':id', id)) : urls;
  const queries = ['', '?start=30d&end=now', '?start=30d&end=now&tenant=fabrikam', `?tenant=${FABRIKAM}`];
  if (method === 'GET') return paths.flatMap((p) => queries.map((q) => ({ url: p + q })));
  const bodies = [{}, { tenant: 'fabrikam', start: '30d' }, { tenant: [FABRIKAM], start: '30d' }];
  return paths.flatMap((p) => bodies.map((payload) => ({ url: p, payload })));
}

function leaks(body: string): string | null {
  const lower = body.toLowerCase();
  if (lower.includes(FABRIKAM)) return 'the tenant GUID';
  if (lower.includes('fabrikam')) return 'the tenant name or a user of it';
  const id = fabrikamIds.find((i) => body.includes(i));
  return id ? `record ${id}` : null;
}

describe('tenant scope on every route', () => {
  test('the server lists its routes, including the ones that read tenant data', () => {
    const urls = routesOf(app).map((r) => `${r.method} ${r.url}`);
    for (const must of ['GET /api/search', 'GET /api/export', 'GET /api/records/:tenant/:id', 'GET /api/coverage'])
      assert.ok(urls.includes(must), must);
  });

  test("a user of contoso gets 403 or nothing of fabrikam's from every route, however it is asked", async () => {
    const api = routesOf(app).filter((r) => r.url.startsWith('/api') && !r.url.startsWith('/api/auth/'));
    let calls = 0;
    for (const route of api) {
      for (const attempt of attempts(route.method, route.url)) {
        const res = await app.inject(
          admin.with({
            method: route.method,
            url: attempt.url,
            ...(attempt.payload ? { payload: attempt.payload } : {}),
          }),
        );
        calls++;
        const where = `${route.method} ${attempt.url} ${JSON.stringify(attempt.payload ?? '')} → ${res.statusCode}`;
        if (res.statusCode === 403) continue;
        assert.ok(res.statusCode < 500, `${where}: ${res.body.slice(0, 300)}`);
        const leak = leaks(res.body);
        assert.equal(leak, null, `${where} shows ${leak}: ${res.body.slice(0, 300)}`);
      }
    }
    assert.ok(calls > 50, `${calls} calls`);
  });

  test("a user whose scope holds no tenant learns no tenant's name or state from any route, body or header", async () => {
    const api = routesOf(app).filter((r) => r.url.startsWith('/api') && !r.url.startsWith('/api/auth/'));
    for (const route of api) {
      for (const attempt of attempts(route.method, route.url)) {
        const res = await app.inject(
          nobody.with({
            method: route.method,
            url: attempt.url,
            ...(attempt.payload ? { payload: attempt.payload } : {}),
          }),
        );
        if (res.statusCode === 403) continue;
        const where = `${route.method} ${attempt.url} → ${res.statusCode}`;
        const text = JSON.stringify(res.headers) + res.body;
        for (const name of ['contoso', CONTOSO, 'fabrikam', FABRIKAM])
          assert.ok(!text.toLowerCase().includes(name), `${where} names ${name}: ${text.slice(0, 400)}`);
      }
    }
  });

  test("the same user sees contoso's own data (the scope is not simply everything refused)", async () => {
    const res = await app.inject(admin.with({ url: '/api/search/count?start=30d&end=now' }));
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().count, fixtureRecords().filter((r) => r.tenant === CONTOSO).length);
    const tenants = await app.inject(admin.with({ url: '/api/tenants' }));
    assert.deepEqual(
      tenants.json().tenants.map((t: { name: string }) => t.name),
      ['contoso'],
    );
  });

  test("a tenant-scoped user cannot silence other tenants' alerts, nor act under another's name", async () => {
    const contoso: StoredRecord[] = [];
    for await (const r of deps.store.records.search({ range: { start: 0, end: deps.clock.now() }, tenants: [CONTOSO] }))
      contoso.push(r);
    await raiseHits(
      { store: deps.store, clock: deps.clock, logger: silentLogger },
      fakeEvaluator(['New-InboxRule']).push(contoso),
    );
    const alert = (await deps.store.alerts.list({ tenants: [CONTOSO], limit: 1 }))[0]!;
    const post = (action: string, payload: Record<string, unknown>) =>
      app.inject(admin.with({ method: 'POST', url: `/api/alerts/${alert.id}/${action}?tenant=contoso`, payload }));
    const before = (await deps.store.alerts.listExclusions()).length;
    const everywhere = await post('exclude', {
      kind: 'user',
      value: 'x@fabrikam.onmicrosoft.com',
      reason: 'noise',
      allTenants: true,
    });
    assert.equal(everywhere.statusCode, 403, everywhere.body);
    assert.match(everywhere.json().error.message, /needs an account that sees every tenant/);
    assert.equal((await deps.store.alerts.listExclusions()).length, before, 'nothing was excluded');
    const own = await post('exclude', { kind: 'user', value: 'x@contoso.onmicrosoft.com', reason: 'VIP', by: 'boss' });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().exclusion.author, 'carol');
    assert.equal(own.json().exclusion.tenant, CONTOSO);
    const status = await post('status', { status: 'acknowledged', by: 'boss' });
    assert.equal(status.json().statusBy, 'carol');
  });

  test("an exclusion of every tenant is listed to a tenant's user without another tenant's values or counts", async () => {
    // Made by an administrator of every tenant from one of fabrikam's alerts: its value is a fabrikam user.
    await deps.store.alerts.addExclusion({
      id: 'x-everywhere',
      ruleId: '*',
      tenant: '*',
      kind: 'user',
      value: 'scanner@fabrikam.onmicrosoft.com',
      reason: "Fabrikam's vulnerability scanner",
      author: 'root',
      createdAt: deps.clock.now(),
      hits: 42,
      lastHitAt: deps.clock.now(),
    });
    try {
      const listed = await app.inject(admin.with({ url: '/api/alert-exclusions' }));
      assert.equal(listed.statusCode, 200, listed.body);
      assert.equal(leaks(listed.body), null, 'nothing of fabrikam in what carol (contoso only) is shown');
      const row = (listed.json().exclusions as Record<string, unknown>[]).find((e) => e.id === 'x-everywhere');
      // That it exists is carol's to know: it silences her tenant's alerts too.
      assert.deepEqual(
        row && [
          row.ruleId,
          row.tenant,
          row.kind,
          row.author,
          row.value,
          row.reason,
          row.hits,
          row.lastHitAt,
          row.withheld,
        ],
        ['*', '*', 'user', 'root', null, null, null, null, true],
      );
      const own = await app.inject(admin.with({ url: '/api/alert-exclusions?tenant=contoso' }));
      assert.equal(leaks(own.body), null, 'nor when she asks about her tenant by name');

      await addUser(deps.store, deps.clock, { name: 'root', role: 'admin' });
      const root = await signIn(app, 'root');
      const full = (await app.inject(root.with({ url: '/api/alert-exclusions' }))).json().exclusions as Record<
        string,
        unknown
      >[];
      const whole = full.find((e) => e.id === 'x-everywhere');
      assert.deepEqual(
        whole && [whole.value, whole.reason, whole.hits, whole.withheld],
        ['scanner@fabrikam.onmicrosoft.com', "Fabrikam's vulnerability scanner", 42, false],
        'an account that sees every tenant sees it whole',
      );
    } finally {
      await deps.store.alerts.removeExclusion('x-everywhere');
    }
  });

  test('coverage for several tenants answers for all of them or refuses, never narrows silently', async () => {
    const both = await app.inject(admin.with({ url: '/api/coverage?tenant=contoso&tenant=fabrikam' }));
    assert.equal(both.statusCode, 403, both.body);
    assert.match(both.json().error.message, /may not see tenant "fabrikam"/);
    const own = await app.inject(admin.with({ url: `/api/coverage?tenant=contoso&tenant=${CONTOSO}` }));
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(leaks(own.body), null);
  });
});
