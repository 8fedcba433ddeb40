import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import type { OidcProvider } from '../src/server/auth/oidc.js';
import { addUser } from '../src/server/auth/testing.js';
import { buildServer } from '../src/server/index.js';
import { NOW } from '../src/server/testing/fixtures.js';
import type { Store } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import { pgSkip, tempDir } from './support/paths.js';
import { dropSchema, isolatedPgUrl } from './support/pg.js';

/**
 * Several `serve` processes on one database (a load balancer in front, no sticky sessions): the sign-in
 * rate limit, the lockout of names that are no account and a pending OpenID Connect sign-in are kept in
 * the database, so an attempt counts on every process and the issuer's redirect back may land on another
 * process than the one that sent the browser there. Each "process" here is its own server with its own
 * connection to the same database.
 */
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const provider: OidcProvider = {
  name: 'Test issuer',
  groupRules: [{ group: 'staff', role: 'viewer', tenants: ['*'] }],
  start: async (redirectUri) => ({
    url: 'https://issuer.example/authorize',
    pending: { codeVerifier: 'v', state: 's', nonce: 'n', redirectUri, createdAt: NOW },
  }),
  finish: async () => ({
    externalId: 'https://issuer.example|sub:o1',
    claimId: 'https://issuer.example|olga',
    name: 'olga',
    groups: ['staff'],
  }),
};

async function twoProcesses(url: string): Promise<[FastifyInstance, FastifyInstance, ManualClock]> {
  const stores: Store[] = [await openStore(url), await openStore(url)];
  const clock = new ManualClock(NOW);
  await addUser(stores[0]!, clock, { name: 'alice', role: 'admin' });
  const apps = await Promise.all(
    stores.map((store) =>
      buildServer({
        store,
        clock,
        logger: silentLogger,
        auth: { oidc: provider, loginRate: { max: 3, windowMs: 60_000 } },
      }),
    ),
  );
  cleanups.push(async () => {
    for (const app of apps) await app.close();
    for (const store of stores) await store.close();
  });
  return [apps[0]!, apps[1]!, clock];
}

function suite(name: string, url: () => Promise<string>, skip: string | false = false): void {
  describe(name, { skip }, () => {
    test('sign-in attempts from one address count on every process', async () => {
      const [a, b] = await twoProcesses(await url());
      const attempt = (app: FastifyInstance) =>
        app.inject({ method: 'POST', url: '/api/auth/login', payload: { name: 'alice', password: 'wrong password!' } });
      const codes = [];
      for (const app of [a, b, a, b, a]) codes.push((await attempt(app)).statusCode);
      assert.deepEqual(codes, [401, 401, 401, 429, 429], 'the limit of 3 is shared, not 3 per process');
    });

    test('a name that is no account locks after 5 failures in all, not 5 on each process', async () => {
      const [a, b, clock] = await twoProcesses(await url());
      const codes = [];
      for (const app of [a, b, a, b, a, b]) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { name: 'nobody', password: 'wrong password!' },
        });
        codes.push(`${res.statusCode} ${res.json().error.code}`);
        clock.advance(60_000); // a new window of the per-address rate limit (3 a minute here)
      }
      assert.deepEqual(codes, [...Array(5).fill('401 SIGNIN_FAILED'), '429 SIGNIN_LOCKED']);
    });

    test('an OpenID Connect sign-in started on one process finishes on the other, once', async () => {
      const [a, b] = await twoProcesses(await url());
      const start = await a.inject({ url: '/api/auth/oidc/start' });
      assert.equal(start.statusCode, 302);
      const pending = start.cookies.find((c) => c.name === 'tw_oidc')!;
      const back = () =>
        b.inject({ url: '/api/auth/oidc/callback?code=c&state=s', headers: { cookie: `tw_oidc=${pending.value}` } });
      const first = await back();
      assert.equal(first.headers.location, '/', String(first.headers.location));
      assert.ok(first.cookies.some((c) => c.name === 'tw_session'));
      const replay = await back();
      assert.equal(replay.headers.location, '/#/signin');
      const why = replay.cookies.find((c) => c.name === 'tw_signin_error');
      assert.match(decodeURIComponent(why?.value ?? ''), /already used/, 'the reason travels in a cookie, not the URL');
    });
  });
}

suite('on one SQLite file', async () => {
  const dir = tempDir('tw-shared-auth-');
  cleanups.push(async () => dir.cleanup());
  return `sqlite:${join(dir.dir, `t${cleanups.length}.db`)}`;
});

suite(
  'on one PostgreSQL database',
  async () => {
    const url = isolatedPgUrl('shared_auth');
    cleanups.push(() => dropSchema(url));
    return url;
  },
  pgSkip,
);
