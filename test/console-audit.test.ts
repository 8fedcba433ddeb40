import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { accountsOf, addUser, signIn, TEST_ACTOR, TEST_PASSWORD } from '../src/server/auth/testing.js';
import { buildServer, routesOf } from '../src/server/index.js';
import { testDeps } from '../src/server/testing/fixtures.js';
import type { ServerDeps } from '../src/server/deps.js';
import { keptLogLines } from './support/logs.js';

/**
 * The console's own audit trail (issue 16): every sign-in and failure, search with its filters, export,
 * report run and account change is recorded with the right user and address; the trail has no route
 * that changes it; and no password, token or session id reaches a log, the trail or a response.
 */
let app: FastifyInstance;
let deps: ServerDeps;
const { logger, lines: logged } = keptLogLines();
const bodies: string[] = [];

before(async () => {
  deps = await testDeps({ logger });
  app = await buildServer(deps);
  app.addHook('onSend', async (_request, _reply, payload) => {
    if (typeof payload === 'string') bodies.push(payload);
    return payload;
  });
});
after(async () => app.close());

describe('console audit trail', () => {
  test('sign-ins, failures, searches with filters, exports, report runs and account changes, each with its user', async () => {
    await addUser(deps.store, deps.clock, { name: 'alice', role: 'admin' });
    await app.inject({ method: 'POST', url: '/api/auth/login', payload: { name: 'alice', password: 'wrong guess!!' } });
    const alice = await signIn(app, 'alice');
    await app.inject(alice.with({ url: '/api/search?start=7d&end=now&user=adele@contoso.onmicrosoft.com' }));
    // A cursor on filters no recorded search had is no next page: recorded (this one is not a cursor at all).
    await app.inject(alice.with({ url: '/api/search?start=7d&end=now&cursor=abc' }));
    await app.inject(alice.with({ url: '/api/export?start=7d&end=now&format=csv' }));
    await app.inject(alice.with({ method: 'POST', url: '/api/reports/admin-activity/run', payload: { start: '3d' } }));
    const made = await app.inject(
      alice.with({
        method: 'POST',
        url: '/api/admin/users',
        payload: { name: 'bob', role: 'viewer', password: 'another long passphrase', tenants: ['contoso'] },
      }),
    );
    assert.equal(made.statusCode, 200, made.body);
    const bob = await signIn(app, 'bob', 'another long passphrase');
    await app.inject(bob.with({ url: '/api/export?start=7d&end=now' }));
    await app.inject(alice.with({ method: 'POST', url: '/api/auth/logout' }));

    const trail = await deps.store.consoleAudit.list();
    const seen = trail.map((e) => `${e.actor} ${e.action} ${e.outcome}`);
    assert.deepEqual(seen, [
      'test user.add ok',
      '- signin failed',
      'alice signin ok',
      'alice search ok',
      'alice search failed',
      'alice export ok',
      'alice report.run ok',
      'alice user.add ok',
      'bob signin ok',
      'bob export denied',
      'alice signout ok',
    ]);
    const search = trail.find((e) => e.action === 'search')!;
    assert.deepEqual((search.details.query as Record<string, unknown>).user, 'adele@contoso.onmicrosoft.com');
    assert.equal(search.address, '127.0.0.1');
    assert.equal(trail.find((e) => e.action === 'report.run')?.target, 'admin-activity');
    assert.equal(trail[1]!.target, 'alice');
  });

  test('the trail is shown and exported to admins, and no route can change it', async () => {
    const alice = await signIn(app, 'alice');
    const shown = await app.inject(alice.with({ url: '/api/audit?action=signin' }));
    assert.equal(shown.statusCode, 200);
    assert.ok(shown.json().entries.length >= 3);
    const csv = await app.inject(alice.with({ url: '/api/audit/export?format=csv' }));
    assert.match(csv.body, /^\uFEFFseq,at,actor,via,address,action,outcome,target,details\r\n/);
    assert.match(csv.body, /alice,session,127\.0\.0\.1,signin,ok/);
    const json = await app.inject(alice.with({ url: '/api/audit/export?format=json' }));
    assert.ok(json.json().entries.some((e: { action: string }) => e.action === 'audit.export'));
    const auditRoutes = routesOf(app).filter((r) => r.url === '/api/audit' || r.url.startsWith('/api/audit/'));
    assert.deepEqual([...new Set(auditRoutes.map((r) => r.method))], ['GET']);
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST'] as const) {
      const res = await app.inject(alice.with({ method, url: '/api/audit', payload: {} }));
      assert.equal(res.statusCode, 404, method);
    }
  });

  test('an export holds the whole trail of its filters, not the newest 10,000 entries', async () => {
    const total = 10_050;
    for (let i = 0; i < total; i++)
      await deps.store.consoleAudit.append({
        at: deps.clock.now(),
        actor: 'bulk',
        via: 'token',
        address: '127.0.0.1',
        action: 'test.bulk',
        outcome: 'ok',
        target: `n${i}`,
        details: {},
      });
    const alice = await signIn(app, 'alice');
    const csv = await app.inject(alice.with({ url: '/api/audit/export?format=csv&action=test.bulk' }));
    assert.equal(csv.statusCode, 200, csv.body);
    const lines = csv.body.split('\r\n').filter((l) => l !== '');
    assert.equal(lines.length, 1 + total, 'the header and every entry');
    assert.match(lines[1]!, /,n10049,/, 'newest first');
    assert.match(lines[total]!, /,n0,/, 'down to the oldest');
    const json = await app.inject(alice.with({ url: '/api/audit/export?format=json&action=test.bulk' }));
    const entries = json.json<{ entries: { target: string }[] }>().entries;
    assert.equal(entries.length, total);
    assert.equal(new Set(entries.map((e) => e.target)).size, total, 'each entry once');
    // A limit asked for is kept: the newest that many.
    const some = await app.inject(alice.with({ url: '/api/audit/export?format=json&action=test.bulk&limit=3' }));
    assert.deepEqual(
      some.json<{ entries: { target: string }[] }>().entries.map((e) => e.target),
      ['n10049', 'n10048', 'n10047'],
    );
  });

  test('a period whose from is not before its to is refused, not answered with no entries', async () => {
    const alice = await signIn(app, 'alice');
    for (const url of ['/api/audit?from=2026-12-01&to=2026-11-01', '/api/audit/export?from=1d&to=2d']) {
      const res = await app.inject(alice.with({ url }));
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.equal(res.json().error.code, 'BAD_TIME');
      assert.match(res.json().error.message, /is not before/);
    }
  });

  test('the listing refuses format, naming the export route, rather than answering JSON to format=csv', async () => {
    const alice = await signIn(app, 'alice');
    // GET /api/audit?format=csv answered the JSON listing (the newest 200 entries) as if format were not there.
    for (const format of ['csv', 'json']) {
      const res = await app.inject(alice.with({ url: `/api/audit?format=${format}` }));
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.message, 'The audit trail listing takes no format');
      assert.match(res.json().error.hint, new RegExp(`GET /api/audit/export\\?format=${format}`));
    }
    const file = await app.inject(alice.with({ url: '/api/audit/export?format=csv' }));
    assert.equal(file.statusCode, 200);
  });

  test('no password, token or session id appears in a log, the trail or any response but the one that creates it', async () => {
    const created = await accountsOf(deps.store, deps.clock).addToken(TEST_ACTOR, { name: 'siem', user: 'alice' });
    const alice = await signIn(app, 'alice');
    await app.inject({ url: '/api/tenants', headers: { authorization: `Bearer ${created.token}` } });
    const viaApi = await app.inject(
      alice.with({ method: 'POST', url: '/api/admin/tokens', payload: { name: 'ci', user: 'alice' } }),
    );
    const apiToken = viaApi.json().token as string;
    await app.inject({ url: '/api/tenants', headers: { authorization: `Bearer ${apiToken}` } });
    await app.inject({ url: '/api/tenants', headers: { authorization: `Bearer ${apiToken}x` } });
    const session = /tw_session=([^;]+)/.exec(alice.cookie)![1]!;
    const trail = JSON.stringify(await deps.store.consoleAudit.list({ limit: 10_000 }));
    const stored =
      JSON.stringify(await deps.store.auth.listTokens()) + JSON.stringify(await deps.store.auth.listUsers());
    const others = bodies.filter((b) => !b.includes('"token":"tw_'));
    for (const secret of [
      TEST_PASSWORD,
      'another long passphrase',
      'wrong guess!!',
      created.token,
      apiToken,
      session,
    ]) {
      const where = [
        logged.join('').includes(secret) && 'a log line',
        trail.includes(secret) && 'the audit trail',
        stored.includes(secret) && 'the store',
        others.some((b) => b.includes(secret)) && 'a response',
      ].filter(Boolean);
      assert.deepEqual(where, [], `${secret.slice(0, 6)}… found in ${where.join(', ')}`);
    }
    assert.ok(logged.length > 0, 'the logger was used');
  });
});
