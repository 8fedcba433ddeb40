import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { SIGN_IN_PASSWORD } from '../emulator/token/signin.js';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';
import { buildServer } from '../src/server/index.js';
import { testDeps } from '../src/server/testing/fixtures.js';
import type { ServerDeps } from '../src/server/deps.js';
import { openidProvider } from '../src/server/auth/oidc-client.js';
import { addUser } from '../src/server/auth/testing.js';
import { ManualClock } from '../src/core/clock.js';
import { recordingLogger, type LogEntry } from '../src/core/log.js';
import type { OidcGroupRule } from '../src/server/auth/oidc.js';
import { NOW } from '../src/server/testing/fixtures.js';
import type { AuthStore } from '../src/store/auth-contract.js';
import type { Store } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import { pgSkip, tempDir } from './support/paths.js';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { dropSchema, isolatedPgUrl } from './support/pg.js';

/**
 * OpenID Connect sign-in against the emulator's Entra ID: discovery, the authorize form, the code with
 * PKCE, the id token checked against the JWKS — then the user matched by claim or made from group rules.
 */
let t: TestEmulator;
let app: FastifyInstance;
let deps: ServerDeps;
const cleanups: (() => Promise<void>)[] = [];

before(async () => {
  t = await startTestEmulator({ tenants: 1, users: 5, days: 1 });
  const tenant = t.emu.tenants[0]!;
  const oidc = await openidProvider({
    issuer: `${t.emu.url}/${tenant.tenantId}/v2.0`,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    ca: t.emu.caPem,
    name: 'Microsoft Entra ID',
    groupRules: [{ group: 'tenantwatch-admins', role: 'admin', tenants: ['*'] }],
  });
  deps = await testDeps({ auth: { oidc } });
  app = await buildServer(deps);
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  await app?.close();
  await t?.close();
});

/** The browser's round trip: start → the issuer's form → back to the callback; returns the callback's answer. */
async function signInThroughIssuer(login: string, password = SIGN_IN_PASSWORD, through = app) {
  const start = await through.inject('/api/auth/oidc/start');
  assert.equal(start.statusCode, 302);
  const authorize = new URL(String(start.headers.location));
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  const pending = start.cookies.find((c) => c.name === 'tw_oidc')!;
  assert.equal(pending.sameSite, 'Lax');
  const form = Object.fromEntries(authorize.searchParams);
  const posted = await t.client.request('POST', authorize.toString(), { form: { ...form, login, passwd: password } });
  if (posted.status !== 302) return { issuer: posted, callback: null };
  const back = new URL(String(posted.headers.location));
  const callback = await through.inject({
    url: back.pathname + back.search,
    headers: { cookie: `tw_oidc=${pending.value}` },
  });
  return { issuer: posted, callback };
}

/** A person of the emulator's tenant who is not a global admin (no group claim a rule matches). */
async function notAnAdmin(): Promise<string> {
  const tenantId = t.emu.tenants[0]!.tenantId;
  const mailboxes = (await t.client.request('GET', `/_emulator/mailboxes?tenantId=${tenantId}`)).json<
    { userPrincipalName: string }[]
  >();
  const admins = t.emu.tenants[0]!.globalAdmins.map((a) => a.toLowerCase());
  const other = mailboxes.map((m) => m.userPrincipalName).find((u) => !admins.includes(u.toLowerCase()));
  assert.ok(other, 'a user who is not a global admin');
  return other;
}

describe('OpenID Connect sign-in through the emulator', () => {
  test('starts are limited per address, and a start never returned from does not stay in the database', async () => {
    // Each start keeps a row until its return or expiry, and needs no sign-in: a loop of starts filled the database.
    const { dir, cleanup } = tempDir();
    const file = join(dir, 'store.sqlite');
    const clock = new ManualClock(NOW);
    const limitedDeps = await testDeps(
      { clock, auth: { oidc: deps.auth!.oidc!, oidcStartRate: { max: 2, windowMs: 60_000 } } },
      [],
      `sqlite:${file}`,
    );
    const limited = await buildServer(limitedDeps);
    const pending = () => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM auth_pending').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    try {
      assert.equal((await limited.inject('/api/auth/oidc/start')).statusCode, 302);
      assert.equal((await limited.inject('/api/auth/oidc/start')).statusCode, 302);
      const third = await limited.inject('/api/auth/oidc/start');
      assert.equal(third.statusCode, 429);
      assert.match(third.json().error.message, /Too many sign-in attempts from this address: 2 are allowed per minute/);
      assert.equal(pending(), 2);
      // Past the window and the starts' 10 minutes: a start is answered, and the two never returned from are gone.
      clock.advance(10 * 60_000 + 1);
      assert.equal((await limited.inject('/api/auth/oidc/start')).statusCode, 302);
      assert.equal(pending(), 1);
    } finally {
      await limited.close();
      await limitedDeps.store.close();
      cleanup();
    }
  });

  test('a global admin is signed in as admin by the group rule; a session starts', async () => {
    const admin = t.emu.tenants[0]!.globalAdmins[0]!;
    const { callback } = await signInThroughIssuer(admin);
    assert.equal(callback?.statusCode, 302);
    assert.equal(callback?.headers.location, '/');
    const session = callback.cookies.find((c) => c.name === 'tw_session')!;
    const me = await app.inject({ url: '/api/auth/me', headers: { cookie: `tw_session=${session.value}` } });
    assert.equal(me.json().user, admin);
    assert.equal(me.json().role, 'admin');
    const user = await deps.store.auth.getUser(admin);
    assert.match(String(user?.externalId), /\/v2\.0\|/);
    const trail = await deps.store.consoleAudit.list({ action: 'signin' });
    assert.deepEqual(
      trail.map((e) => [e.actor, e.outcome, e.details.via]),
      [[admin, 'ok', 'oidc']],
    );
  });

  test('a wrong password stays at the issuer; a person without an account or group is refused', async () => {
    const admin = t.emu.tenants[0]!.globalAdmins[0]!;
    const wrong = await signInThroughIssuer(admin, 'not it');
    assert.equal(wrong.issuer.status, 400);
    assert.match(wrong.issuer.text, /AADSTS50126/);
    const other = await notAnAdmin();
    const refused = await signInThroughIssuer(other);
    assert.equal(refused.callback?.statusCode, 302);
    // Why, in a cookie the form reads once: a link's own #/signin?error=… is no longer shown as the console's words.
    assert.equal(refused.callback?.headers.location, '/#/signin');
    const why = refused.callback?.cookies.find((c) => c.name === 'tw_signin_error');
    assert.match(decodeURIComponent(String(why?.value)), /^No account for /);
    assert.equal(
      refused.callback?.cookies.find((c) => c.name === 'tw_session'),
      undefined,
    );
  });

  test('a user an admin added under the claim value is linked and keeps the role the admin gave', async () => {
    const admin = t.emu.tenants[0]!.globalAdmins[0]!;
    await deps.store.auth.removeUser(admin);
    await addUser(deps.store, deps.clock, { name: admin, role: 'viewer' });
    const { callback } = await signInThroughIssuer(admin);
    const session = callback!.cookies.find((c) => c.name === 'tw_session')!;
    const me = await app.inject({ url: '/api/auth/me', headers: { cookie: `tw_session=${session.value}` } });
    assert.equal(me.json().role, 'admin', 'the group rule applies on every sign-in');
  });
});

/**
 * The store, with `between.next` run once right after the sign-in looks the account up (by link or by name): an
 * admin's change landing between the sign-in's read and its write.
 */
function interleaved(store: Store, between: { next: (() => Promise<void>) | null }): Store {
  const auth = Object.create(store.auth) as AuthStore;
  const then = async <T>(read: Promise<T>): Promise<T> => {
    const row = await read;
    const run = between.next;
    if (run && row) {
      between.next = null;
      await run();
    }
    return row;
  };
  auth.findUserByExternalId = (externalId) => then(store.auth.findUserByExternalId(externalId));
  auth.getUser = (name) => then(store.auth.getUser(name));
  return Object.assign(Object.create(store) as Store, { auth });
}

/**
 * What sign-in writes to the account, on each store: only what it changes (a change an admin made meanwhile
 * stays), and the issuer's groups never leave the console without an administrator of every tenant.
 */
function accountSuite(name: string, url: () => Promise<string>, skip: string | false = false): void {
  describe(name, { skip }, () => {
    const demote: OidcGroupRule[] = [{ group: 'tenantwatch-admins', role: 'viewer', tenants: ['*'] }];
    const promote: OidcGroupRule[] = [{ group: 'tenantwatch-admins', role: 'admin', tenants: ['*'] }];

    /** A server on a fresh store with these group rules; `between.next` runs during the next sign-in. */
    async function server(groupRules: OidcGroupRule[]) {
      const store = await openStore(await url());
      const tenant = t.emu.tenants[0]!;
      const oidc = await openidProvider({
        issuer: `${t.emu.url}/${tenant.tenantId}/v2.0`,
        clientId: tenant.clientId,
        clientSecret: tenant.clientSecret,
        ca: t.emu.caPem,
        name: 'Microsoft Entra ID',
        groupRules,
      });
      const between: { next: (() => Promise<void>) | null } = { next: null };
      const clock = new ManualClock(NOW);
      const logs: LogEntry[] = [];
      const served = await buildServer({
        store: interleaved(store, between),
        clock,
        logger: recordingLogger(logs),
        auth: { oidc },
      });
      cleanups.push(async () => {
        await served.close();
        await store.close();
      });
      return { app: served, store, clock, between, logs };
    }

    test('a change an admin makes while a linked account signs in stays; the group rule still applies', async () => {
      const admin = t.emu.tenants[0]!.globalAdmins[0]!;
      const s = await server(promote);
      await addUser(s.store, s.clock, { name: 'root', role: 'admin', tenants: ['*'] });
      await signInThroughIssuer(admin, SIGN_IN_PASSWORD, s.app); // made from the rule, linked
      s.between.next = async () => {
        await s.store.auth.updateUser(admin, { groups: ['eu'], failedAttempts: 2, updatedAt: NOW + 1 });
      };
      const { callback } = await signInThroughIssuer(admin, SIGN_IN_PASSWORD, s.app);
      assert.equal(callback?.headers.location, '/');
      assert.equal(s.between.next, null, 'the change landed during the sign-in');
      const user = await s.store.auth.getUser(admin);
      assert.deepEqual([user?.role, user?.tenants, user?.groups, user?.failedAttempts], ['admin', ['*'], ['eu'], 2]);
    });

    test("an account an admin made under the claim's name is linked; a role changed during that sign-in stays", async () => {
      const other = await notAnAdmin();
      const s = await server(promote);
      await addUser(s.store, s.clock, { name: other, role: 'viewer', tenants: ['*'] });
      s.between.next = async () => {
        await s.store.auth.updateUser(other, { role: 'investigator', tenants: ['contoso'], updatedAt: NOW + 1 });
      };
      const { callback } = await signInThroughIssuer(other, SIGN_IN_PASSWORD, s.app);
      assert.equal(callback?.headers.location, '/');
      const user = await s.store.auth.getUser(other);
      assert.deepEqual([user?.role, user?.tenants], ['investigator', ['contoso']]);
      assert.match(String(user?.externalId), /\/v2\.0\|/);
      assert.ok(user?.passwordHash, 'the password the admin set stays');
    });

    test('an account removed during its sign-in stays removed: looked up again, no account', async () => {
      const other = await notAnAdmin();
      const s = await server(promote);
      await addUser(s.store, s.clock, { name: other, role: 'viewer' });
      s.between.next = async () => {
        await s.store.auth.removeUser(other);
      };
      const { callback } = await signInThroughIssuer(other, SIGN_IN_PASSWORD, s.app);
      assert.equal(s.between.next, null, 'the removal landed during the sign-in');
      assert.equal(callback?.headers.location, '/#/signin');
      assert.equal(
        callback?.cookies.find((c) => c.name === 'tw_session'),
        undefined,
      );
      assert.equal(await s.store.auth.getUser(other), null, 'not brought back with its old password');
    });

    test('an account that keeps changing under every lookup: back to the sign-in page, saying so, recorded', async () => {
      const admin = t.emu.tenants[0]!.globalAdmins[0]!;
      const s = await server(promote);
      await addUser(s.store, s.clock, { name: 'root', role: 'admin', tenants: ['*'] });
      await signInThroughIssuer(admin, SIGN_IN_PASSWORD, s.app); // made from the rule, linked
      const externalId = (await s.store.auth.getUser(admin))!.externalId!;
      // Each lookup finds the identity's account, which is no longer its own when written: the account is linked
      // elsewhere and a decoy takes the identity, then the decoy is removed and the identity given back, and so on.
      let moves = 0;
      const move = async (): Promise<void> => {
        if (++moves % 2 === 1) {
          await s.store.auth.updateUser(admin, { externalId: 'https://other.example|parked', updatedAt: NOW + moves });
          await addUser(s.store, s.clock, { name: 'decoy', role: 'viewer', externalId });
        } else {
          await s.store.auth.removeUser('decoy');
          await s.store.auth.updateUser(admin, { externalId, updatedAt: NOW + moves });
        }
        if (moves < 3) s.between.next = move;
      };
      s.between.next = move;
      const { callback } = await signInThroughIssuer(admin, SIGN_IN_PASSWORD, s.app);
      assert.equal(moves, 3, 'the account changed under all three lookups');
      assert.equal(callback?.statusCode, 302, callback?.body);
      assert.equal(callback?.headers.location, '/#/signin');
      const why = decodeURIComponent(String(callback?.cookies.find((c) => c.name === 'tw_signin_error')?.value));
      assert.match(why, /^The account .* kept changing during the sign-in: sign in again/);
      assert.equal(
        callback?.cookies.find((c) => c.name === 'tw_session'),
        undefined,
      );
      const failed = (await s.store.consoleAudit.list({ action: 'signin' })).filter((e) => e.outcome === 'failed');
      assert.deepEqual(
        failed.map((e) => [e.target, e.details.via, e.details.reason]),
        [[admin, 'oidc', 'account kept changing']],
      );
    });

    test('an account of the same name linked to another identity is neither taken over nor changed', async () => {
      const admin = t.emu.tenants[0]!.globalAdmins[0]!;
      const s = await server(promote);
      await addUser(s.store, s.clock, { name: admin, role: 'viewer', externalId: 'https://other.example|someone' });
      const before = await s.store.auth.getUser(admin);
      const { callback } = await signInThroughIssuer(admin, SIGN_IN_PASSWORD, s.app);
      assert.equal(callback?.headers.location, '/#/signin');
      const why = decodeURIComponent(String(callback?.cookies.find((c) => c.name === 'tw_signin_error')?.value));
      assert.match(why, /is linked to another sign-in: ask an administrator/);
      assert.deepEqual(await s.store.auth.getUser(admin), before);
    });

    test('the groups never demote the last administrator of every tenant: kept, signed in, said why', async () => {
      const admin = t.emu.tenants[0]!.globalAdmins[0]!;
      const s = await server(demote);
      await addUser(s.store, s.clock, { name: admin, role: 'admin', tenants: ['*'] });
      const { callback } = await signInThroughIssuer(admin, SIGN_IN_PASSWORD, s.app);
      assert.equal(callback?.headers.location, '/', 'refusing would lock this user out as well');
      const session = callback.cookies.find((c) => c.name === 'tw_session')!;
      const me = await s.app.inject({ url: '/api/auth/me', headers: { cookie: `tw_session=${session.value}` } });
      assert.equal(me.json().role, 'admin');
      const user = await s.store.auth.getUser(admin);
      assert.deepEqual([user?.role, user?.tenants], ['admin', ['*']]);
      assert.match(String(user?.externalId), /\/v2\.0\|/, 'linked all the same');
      const [kept] = await s.store.consoleAudit.list({ action: 'signin.role-kept' });
      assert.deepEqual([kept?.actor, kept?.outcome, kept?.details.role], [admin, 'denied', 'viewer']);
      assert.match(
        String(kept?.details.reason),
        /make .* viewer of \*, not applied: .* last administrator of every tenant/,
      );
      assert.match(String(kept?.details.hint), /Make another account an administrator of every tenant/);
      const warned = s.logs.find(
        (l) => l.level === 'warn' && (l.obj as { event?: string }).event === 'auth.oidc_role_kept',
      );
      assert.match(String(warned?.msg), /not applied/);
      // With another administrator of every tenant, the issuer's role applies.
      await addUser(s.store, s.clock, { name: 'root', role: 'admin', tenants: ['*'] });
      await signInThroughIssuer(admin, SIGN_IN_PASSWORD, s.app);
      assert.equal((await s.store.auth.getUser(admin))?.role, 'viewer');
    });

    test('nor narrow them to some tenants', async () => {
      const admin = t.emu.tenants[0]!.globalAdmins[0]!;
      const s = await server([{ group: 'tenantwatch-admins', role: 'admin', tenants: ['contoso'] }]);
      await addUser(s.store, s.clock, { name: admin, role: 'admin', tenants: ['*'] });
      await signInThroughIssuer(admin, SIGN_IN_PASSWORD, s.app);
      assert.deepEqual((await s.store.auth.getUser(admin))?.tenants, ['*']);
      const [kept] = await s.store.consoleAudit.list({ action: 'signin.role-kept' });
      assert.deepEqual(kept?.details.tenants, ['contoso']);
    });

    test('the other administrator removed during the sign-in: the check sees it, the role is kept', async () => {
      const admin = t.emu.tenants[0]!.globalAdmins[0]!;
      const s = await server(demote);
      await addUser(s.store, s.clock, { name: admin, role: 'admin', tenants: ['*'] });
      await addUser(s.store, s.clock, { name: 'root', role: 'admin', tenants: ['*'] });
      s.between.next = async () => {
        await s.store.auth.removeUser('root');
      };
      const { callback } = await signInThroughIssuer(admin, SIGN_IN_PASSWORD, s.app);
      assert.equal(callback?.headers.location, '/');
      assert.equal(s.between.next, null, 'the removal landed during the sign-in');
      assert.equal((await s.store.auth.getUser(admin))?.role, 'admin');
      assert.equal((await s.store.consoleAudit.list({ action: 'signin.role-kept' })).length, 1);
    });
  });
}

accountSuite('OpenID Connect sign-in writes only what it changes, on SQLite', async () => 'sqlite::memory:');
let schemas = 0;
accountSuite(
  'OpenID Connect sign-in writes only what it changes, on PostgreSQL',
  async () => {
    const pgUrl = isolatedPgUrl(`oidc_${++schemas}`);
    cleanups.push(() => dropSchema(pgUrl));
    return pgUrl;
  },
  pgSkip,
);
