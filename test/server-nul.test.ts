import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { addUser, signIn, type Browser } from '../src/server/auth/testing.js';
import { buildServer } from '../src/server/index.js';
import { testDeps } from '../src/server/testing/fixtures.js';
import type { ServerDeps } from '../src/server/deps.js';
import { openStore } from '../src/store/open.js';
import { seedStore } from '../src/server/testing/fixtures.js';
import { pgUrl } from './support/paths.js';
import { dropSchema, isolatedPgUrl } from './support/pg.js';

/**
 * A NUL character anywhere a request names something (a path's tenant or id, a query value, a JSON body's
 * text) is bad input, answered 400 with what was wrong, on every store: PostgreSQL refuses NUL in text, and
 * every such request was a 500 there (sign-in included, for anyone who reaches the port); SQLite read it as
 * the end of the value. And the trail keeps the refused read: its entry names the value without the NUL.
 */
const GETS = [
  '/api/records/contoso/a%00b',
  '/api/records/con%00toso/x',
  '/api/alerts/al_%00',
  '/api/posture/x%00',
  '/api/coverage?tenant=x%00',
  '/api/alerts?rule=r%00',
  '/api/rule-history?tenant=x%00',
  '/api/audit?actor=a%00',
  '/api/search?start=7d&user=a%00',
];

async function check(deps: ServerDeps): Promise<void> {
  const app: FastifyInstance = await buildServer(deps);
  try {
    await addUser(deps.store, deps.clock, { name: 'alice', role: 'admin' });
    const alice: Browser = await signIn(app, 'alice');
    const refused = (res: { statusCode: number; body: string }, what: string) => {
      assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
      const error = JSON.parse(res.body).error as { code: string; message: string; hint: string };
      assert.match(error.code, /^BAD_(INPUT|FILTER)$/, what);
      assert.match(error.message, /NUL character/, what);
      assert.match(error.hint, /Remove/, what);
    };
    for (const url of GETS) refused(await app.inject(alice.with({ url })), url);
    const login = { name: 'ali\u0000ce', password: 'correct horse battery staple' };
    refused(await app.inject({ method: 'POST', url: '/api/auth/login', payload: login }), 'sign-in');
    for (const [method, url, payload] of [
      ['DELETE', '/api/admin/users/x%00', undefined],
      ['DELETE', '/api/admin/tokens/x%00', undefined],
      ['POST', '/api/alerts/x%00/status', { status: 'resolved' }],
      [
        'POST',
        '/api/admin/users',
        { name: 'bob', role: 'viewer', password: 'a long passphrase', tenants: ['c\u0000'] },
      ],
    ] as const)
      refused(await app.inject(alice.with({ method, url, ...(payload ? { payload } : {}) })), `${method} ${url}`);
    const views = await deps.store.consoleAudit.list({ action: 'record.view' });
    assert.deepEqual(
      views.map((e) => `${e.actor} ${e.outcome} ${e.target}`),
      ['alice failed contoso/a\uFFFDb', 'alice failed con\uFFFDtoso/x'],
    );
  } finally {
    await app.close();
  }
}

describe('a NUL character in a request', () => {
  test('is bad input on SQLite', async () => check(await testDeps()));

  const url = pgUrl ? isolatedPgUrl('nul') : null;
  after(async () => {
    if (url) await dropSchema(url);
  });
  test('is bad input on PostgreSQL', { skip: url ? false : 'TENANTWATCH_TEST_PG not set' }, async () => {
    const store = await openStore(url!);
    try {
      await seedStore(store);
      await check(await testDeps({ store }));
    } finally {
      await store.close();
    }
  });
});
