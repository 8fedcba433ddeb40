import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { accountsOf, addUser, TEST_ACTOR } from '../src/server/auth/testing.js';
import { buildServer } from '../src/server/index.js';
import { CONTOSO, DAY, FABRIKAM, NOW, testDeps } from '../src/server/testing/fixtures.js';

/** Tenants, posture, coverage, status, activities and reports through the API. */
let app: FastifyInstance;

before(async () => {
  app = await buildServer(
    await testDeps({
      collector: {
        status: () => ({
          running: true,
          tenants: [{ tenant: FABRIKAM, state: 'failed', error: { message: 'Unified audit logging is off' } }],
        }),
      },
    }),
  );
});
after(async () => {
  await app.close();
});

async function get(url: string) {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json(), text: res.body };
}

describe('overview routes', () => {
  test('tenants: posture verdict, auditing off flagged, newest record, lag, errors, gaps; no credentials', async () => {
    const res = await get('/api/tenants');
    assert.equal(res.status, 200);
    const contoso = res.body.tenants.find((t: { name: string }) => t.name === 'contoso');
    const fabrikam = res.body.tenants.find((t: { name: string }) => t.name === 'fabrikam');
    assert.equal(contoso.posture.verdict, 'ok');
    assert.equal(contoso.posture.auditingOff, false);
    assert.equal(fabrikam.posture.auditingOff, true);
    assert.equal(fabrikam.posture.verdict, 'failing');
    assert.ok(contoso.newestRecord <= NOW && contoso.newestRecord > NOW - DAY);
    assert.equal(contoso.lagMs, DAY);
    assert.equal(contoso.errors.windows, 1);
    assert.equal(contoso.errors.last, 'AF20055 throttled');
    assert.equal(contoso.gaps, 1);
    assert.equal(contoso.state, 'errors');
    assert.equal(fabrikam.state, 'errors', 'the collector reported the tenant failed');
    assert.equal(fabrikam.errors.last, 'Unified audit logging is off');
    assert.ok(!res.text.includes('SECRET-CIPHERTEXT'), 'credentials never leave the server');
  });

  test('coverage: per tenant and stream, the failed window listed as a gap', async () => {
    const res = await get('/api/coverage?tenant=contoso');
    assert.equal(res.status, 200);
    assert.equal(res.body.streams.length, 1);
    const s = res.body.streams[0];
    assert.equal(s.tenant, CONTOSO);
    assert.equal(s.windows, 2);
    assert.equal(s.checkpoint, NOW - DAY);
    assert.deepEqual(
      s.gaps.map((g: { start: number; end: number; state: string; reason: string }) => [
        g.start,
        g.end,
        g.state,
        g.reason,
      ]),
      [[NOW - DAY, NOW, 'failed', 'listing failed: AF20055 throttled']],
    );
  });

  test('posture: the latest snapshot per tenant', async () => {
    const res = await get('/api/posture');
    assert.deepEqual(res.body.snapshots.map((s: { tenant: string }) => s.tenant).sort(), [CONTOSO, FABRIKAM].sort());
  });

  test("posture: a snapshot stored with a subscription's webhook authId is answered without it", async () => {
    // Checks before 2026-12-06 stored each subscription as Microsoft listed it, webhook authId and all: the one
    // secret that authenticates webhook notifications of every tenant, answered here to viewers of one.
    const deps = await testDeps();
    const subscription = { contentType: 'Audit.SharePoint', status: 'enabled' };
    const webhook = { status: 'enabled', address: 'https://tw.example.com/api/webhooks/management', authId: 'S3CRET' };
    await deps.store.posture.save({
      tenant: CONTOSO,
      takenAt: NOW - 60_000,
      verdict: 'ok',
      body: { ualEnabled: true, findings: [], subscriptions: [{ ...subscription, webhook }] },
    });
    const own = await buildServer(deps);
    try {
      const res = await own.inject({ method: 'GET', url: '/api/posture' });
      assert.equal(res.statusCode, 200, res.body);
      assert.doesNotMatch(res.body, /S3CRET/);
      const contoso = res.json().snapshots.find((s: { tenant: string }) => s.tenant === CONTOSO);
      assert.deepEqual(contoso.body.subscriptions, [subscription]);
    } finally {
      await own.close();
    }
  });

  test("posture detail: one tenant's findings with their fixes, requested changes and every check, newest first", async () => {
    const deps = await testDeps();
    const request = {
      kind: 'organization',
      target: 'organization',
      cmdlet: 'Set-AdminAuditLogConfig',
      parameters: { UnifiedAuditLogIngestionEnabled: true },
      description: 'Turn on unified audit log ingestion',
      requestedAt: new Date(NOW - 1_800_000).toISOString(),
      requestedBy: 'cli:alice',
      appliesBy: new Date(NOW + 1_800_000).toISOString(),
      status: 'pending',
    };
    await deps.store.posture.save({
      tenant: FABRIKAM,
      takenAt: NOW - 60_000,
      verdict: 'failing',
      body: {
        ualEnabled: false,
        findings: [
          { code: 'UAL_OFF', severity: 'failing', message: 'off', fix: 'tenantwatch audit-config enable fabrikam' },
        ],
        requests: [request],
      },
    });
    const own = await buildServer(deps);
    try {
      const res = await own.inject({ method: 'GET', url: '/api/posture/fabrikam' });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.name, 'fabrikam');
      assert.equal(body.auditing.recordsNothing, true);
      assert.deepEqual(
        body.checks.map((c: { takenAt: number }) => c.takenAt),
        [NOW - 60_000, NOW - 3_600_000],
      );
      assert.equal(body.checks[0].findings[0].fix, 'tenantwatch audit-config enable fabrikam');
      assert.equal(body.checks[0].requests[0].status, 'pending');
      const missing = await own.inject({ method: 'GET', url: '/api/posture/nobody' });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().error.code, 'UNKNOWN_TENANT');
    } finally {
      await own.close();
    }
  });

  test('status: the collector reports itself', async () => {
    const res = await get('/api/status');
    assert.equal(res.body.collector.running, true);
    assert.equal(res.body.now, NOW);
  });

  test('activities: friendly names grouped by category', async () => {
    const res = await get('/api/activities');
    assert.ok(res.body.categories.length > 3);
    const all = res.body.categories.flatMap(
      (c: { activities: { operation: string; friendly: string }[] }) => c.activities,
    );
    assert.ok(
      all.some(
        (a: { operation: string; friendly: string }) =>
          a.operation === 'FileAccessed' && a.friendly === 'Accessed file',
      ),
    );
  });

  test('reports: list and run', async () => {
    const list = await get('/api/reports');
    assert.ok(list.body.reports.some((r: { id: string }) => r.id === 'admin-activity'));
    const run = await app.inject({ method: 'POST', url: '/api/reports/admin-activity/run', payload: {} });
    assert.equal(run.statusCode, 200);
    assert.equal(run.json().report, 'admin-activity');
  });

  test('without a reports engine, reports answer 501 NOT_IMPLEMENTED, not a crash', async () => {
    const bare = await buildServer({ ...(await testDeps()), reports: undefined });
    const res = await bare.inject({ method: 'GET', url: '/api/reports' });
    assert.equal(res.statusCode, 501);
    await bare.close();
  });

  test('GET /api lists the routes', async () => {
    const res = await get('/api');
    assert.ok(res.body.routes.length > 10);
  });
});

describe('the built console', () => {
  test('index.html for pages, files as they are, JSON 404 for a missing file or API route', async () => {
    const { mkdtempSync, writeFileSync, mkdirSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const root = mkdtempSync(join(tmpdir(), 'tw-web-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
    const deps = await testDeps();
    const web = await buildServer({ ...deps, webRoot: root });
    try {
      for (const url of ['/', '/search', '/tenants/x']) {
        const res = await web.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 200, url);
        assert.match(String(res.headers['content-type']), /text\/html/);
      }
      writeFileSync(join(root, 'assets', 'new.js'), 'console.log(2)');
      const added = await web.inject({ method: 'GET', url: '/assets/new.js' });
      assert.equal(added.statusCode, 200, 'a file built after start is served');
      assert.match(String(added.headers['content-type']), /javascript/);
      const missing = await web.inject({ method: 'GET', url: '/assets/gone.js' });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().error.code, 'NOT_FOUND');
      const traversal = await web.inject({ method: 'GET', url: '/assets/..%2f..%2f..%2fetc%2fpasswd' });
      assert.ok(traversal.statusCode >= 400 && traversal.statusCode < 500);
      // It was told "Forbidden", with a hint about the API's routes.
      assert.match(traversal.json().error.message, /outside the console's files/);
      const api = await web.inject({ method: 'GET', url: '/api/nope' });
      assert.equal(api.statusCode, 404);
      assert.equal(api.json().error.code, 'NOT_FOUND');
      // The files' wildcard route took an id longer than the router reads, and the API said "Nothing at GET …" (as
      // if the route did not exist), where the server without the console said the part was too long.
      for (const url of [`/api/alerts/${'a'.repeat(1_500)}`, `/api/records/contoso/${'a'.repeat(1_100)}`]) {
        const long = await web.inject({ method: 'GET', url });
        assert.deepEqual(
          [long.statusCode, long.json().error.code, long.json().error.message],
          [400, 'BAD_INPUT', 'A part of the address is longer than the 1000 characters accepted'],
          url.slice(0, 30),
        );
      }
      // With accounts: the files' wildcard route answered every /api path no API route matches, and as a route
      // declaring no role, needed admin under /api. A viewer was told a missing route "needs the admin role", and the
      // trail recorded a refused access to "GET /*".
      await addUser(deps.store, deps.clock, { name: 'vera', role: 'viewer' });
      const { token } = await accountsOf(deps.store, deps.clock).addToken(TEST_ACTOR, { name: 'vt', user: 'vera' });
      const asVera = { authorization: `Bearer ${token}` };
      for (const url of ['/api/nope', '/api//tenants', '/api/x.js']) {
        const res = await web.inject({ method: 'GET', url, headers: asVera });
        assert.equal(res.statusCode, 404, `${url}: ${res.body}`);
        assert.equal(res.json().error.code, 'NOT_FOUND', url);
      }
      const anonymous = await web.inject({ method: 'GET', url: '/api/nope' });
      assert.equal(anonymous.statusCode, 401, 'nobody signed out learns which routes exist');
      assert.deepEqual(
        (await deps.store.consoleAudit.list()).filter((e) => e.action === 'access'),
        [],
        'a route that does not exist refuses nobody',
      );
    } finally {
      await web.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
