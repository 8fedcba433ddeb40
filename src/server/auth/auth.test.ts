import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import { ManualClock } from '../../core/clock.js';
import type { Store } from '../../store/contract.js';
import { buildServer } from '../index.js';
import { CONTOSO, fakeReports, NOW, testDeps } from '../testing/fixtures.js';
import { silentLogger } from '../../core/log.js';
import type { AuthOptions } from './types.js';
import { accountsOf, addUser, signIn, TEST_ACTOR, TEST_PASSWORD } from './testing.js';
import type { EnableOutcome } from '../../posture/service.js';
import type { PostureResult } from '../../posture/types.js';

let app: FastifyInstance;
let store: Store;
let clock: ManualClock;

async function start(auth: Partial<AuthOptions> = {}): Promise<void> {
  const deps = await testDeps({ auth });
  store = deps.store;
  clock = deps.clock as ManualClock;
  app = await buildServer(deps);
}

const login = (name: string, password: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/auth/login', payload: { name, password }, headers });

describe('sign-in', () => {
  beforeEach(async () => start());

  test('without accounts on loopback the console serves as before; once an account exists it asks for sign-in', async () => {
    assert.equal((await app.inject('/api/tenants')).statusCode, 200);
    assert.equal((await app.inject('/api/auth/me')).json().mode, 'open');
    await addUser(store, clock, { name: 'alice' });
    const res = await app.inject('/api/tenants');
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'SIGNIN_REQUIRED');
    assert.equal((await app.inject('/api/auth/me')).json().signedIn, false);
  });

  test('a session cookie is HttpOnly and SameSite=Strict (Secure only over TLS); the id never appears in a body', async () => {
    await addUser(store, clock, { name: 'alice' });
    const res = await login('alice', TEST_PASSWORD);
    assert.equal(res.statusCode, 200);
    const session = res.cookies.find((c) => c.name === 'tw_session')!;
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(session.secure, undefined);
    assert.ok(!res.body.includes(session.value));
    assert.deepEqual(res.json().user, 'alice');
    await app.close();
    await start({ secure: true });
    await addUser(store, clock, { name: 'alice' });
    const tls = await login('alice', TEST_PASSWORD);
    assert.equal(tls.cookies.find((c) => c.name === 'tw_session')!.secure, true);
    assert.match(String(tls.headers['strict-transport-security']), /max-age/);
  });

  test('wrong password and unknown user fail alike; the account locks after 5 failures and unlocks with time', async () => {
    await addUser(store, clock, { name: 'alice' });
    const unknown = await login('nobody', 'whatever-it-is');
    const wrong = await login('alice', 'not the password');
    assert.deepEqual([unknown.statusCode, wrong.statusCode], [401, 401]);
    assert.equal(unknown.json().error.message, wrong.json().error.message);
    for (let i = 0; i < 4; i++) await login('alice', 'not the password');
    const locked = await login('alice', TEST_PASSWORD);
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().error.code, 'SIGNIN_LOCKED');
    clock.advance(15 * 60_000);
    assert.equal((await login('alice', TEST_PASSWORD)).statusCode, 200);
  });

  test('sign-in attempts from one address are rate limited', async () => {
    await app.close();
    await start({ loginRate: { max: 3, windowMs: 60_000 } });
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await login(`user${i}`, 'guess-guess-guess')).statusCode);
    assert.deepEqual(codes, [401, 401, 401, 429, 429]);
  });

  test('sessions end after 30 minutes idle and after 12 hours whatever the activity; sign-out ends one', async () => {
    await addUser(store, clock, { name: 'alice' });
    let b = await signIn(app, 'alice');
    clock.advance(29 * 60_000);
    assert.equal((await app.inject(b.with({ url: '/api/tenants' }))).statusCode, 200);
    clock.advance(31 * 60_000);
    const idle = await app.inject(b.with({ url: '/api/tenants' }));
    assert.equal(idle.statusCode, 401);
    assert.match(idle.json().error.message, /inactivity/);
    b = await signIn(app, 'alice');
    for (let i = 0; i < 35; i++) {
      clock.advance(20 * 60_000);
      assert.equal((await app.inject(b.with({ url: '/api/tenants' }))).statusCode, 200);
    }
    clock.advance(20 * 60_000);
    const absolute = await app.inject(b.with({ url: '/api/tenants' }));
    assert.equal(absolute.statusCode, 401);
    assert.match(absolute.json().error.message, /time limit/);
    b = await signIn(app, 'alice');
    assert.equal(
      (await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: b.cookie } })).statusCode,
      403,
    );
    const out = await app.inject(b.with({ method: 'POST', url: '/api/auth/logout' }));
    assert.equal(out.statusCode, 200);
    assert.equal(out.cookies.find((c) => c.name === 'tw_session')?.value, '');
    assert.equal((await app.inject(b.with({ url: '/api/tenants' }))).statusCode, 401);
  });
});

describe("people's time when the records' clock runs faster (demo --time-scale)", () => {
  test('sessions, tokens, lockouts and the trail keep the accounts clock, not the records clock', async () => {
    const records = new ManualClock(NOW);
    const people = new ManualClock(NOW);
    const deps = await testDeps({ clock: records, accountsClock: people });
    app = await buildServer(deps);
    await addUser(deps.store, people, { name: 'alice' });
    const made = await accountsOf(deps.store, people).addToken(TEST_ACTOR, { name: 't', user: 'alice', tenants: [] });
    const bearer = { authorization: `Bearer ${made.token}` };
    const b = await signIn(app, 'alice');
    // An emulated hour passes in a real minute: the session (30 minutes idle) and the 90-day token live on.
    records.advance(100 * 86_400_000);
    people.advance(60_000);
    assert.equal((await app.inject(b.with({ url: '/api/tenants' }))).statusCode, 200);
    assert.equal((await app.inject({ url: '/api/tenants', headers: bearer })).statusCode, 200);
    // Real time, not the records', is what ends them.
    people.advance(31 * 60_000);
    const idle = await app.inject(b.with({ url: '/api/tenants' }));
    assert.match(idle.json().error.message, /inactivity/);
    people.advance(90 * 86_400_000);
    assert.match((await app.inject({ url: '/api/tenants', headers: bearer })).json().error.message, /expired/);
    // A lockout lasts 15 real minutes, however fast the records' clock runs.
    for (let i = 0; i < 5; i++) await login('alice', 'not the password');
    records.advance(86_400_000);
    assert.equal((await login('alice', TEST_PASSWORD)).json().error.code, 'SIGNIN_LOCKED');
    const trail = await deps.store.consoleAudit.list({ limit: 1_000 });
    assert.ok(trail.length > 0);
    for (const e of trail) assert.ok(e.at <= people.now(), `${e.action} at ${new Date(e.at).toISOString()}`);
    await app.close();
  });
});

describe('requests a browser must not be tricked into', () => {
  beforeEach(async () => start());

  test('a state-changing request without the session CSRF token, or from another origin, is refused', async () => {
    await addUser(store, clock, { name: 'alice' });
    const b = await signIn(app, 'alice');
    const run = { method: 'POST' as const, url: '/api/reports/admin-activity/run', payload: {} };
    const bare = await app.inject({ ...run, headers: { cookie: b.cookie } });
    assert.equal(bare.statusCode, 403);
    assert.equal(bare.json().error.code, 'CSRF_REJECTED');
    const forged = await app.inject({ ...run, headers: { cookie: b.cookie, 'x-csrf-token': 'x'.repeat(43) } });
    assert.equal(forged.statusCode, 403);
    assert.equal((await app.inject(b.with(run))).statusCode, 200);
    const cross = await app.inject(b.with({ ...run, headers: { origin: 'https://evil.example' } }));
    assert.equal(cross.json().error.code, 'CSRF_REJECTED');
    const crossLogin = await login('alice', TEST_PASSWORD, { origin: 'https://evil.example' });
    assert.equal(crossLogin.statusCode, 403);
    assert.equal((await app.inject(b.with({ ...run, headers: { origin: 'http://localhost:80' } }))).statusCode, 200);
  });

  test("without accounts, a state-changing request's Origin must be this console itself, port and all", async () => {
    await app.close();
    // As serve --host 127.0.0.1 --port 8080 starts it: the bound address is a host it answers to, without a port.
    await start({ allowedHosts: ['127.0.0.1'] });
    const run = (origin: string) =>
      app.inject({
        method: 'POST',
        url: '/api/reports/admin-activity/run',
        payload: {},
        headers: { host: '127.0.0.1:8080', origin },
      });
    // Another site on the same machine (a page on port 80) is not the console.
    for (const origin of ['http://127.0.0.1', 'https://127.0.0.1', 'http://127.0.0.1:9999']) {
      const res = await run(origin);
      assert.equal(res.statusCode, 403, origin);
      assert.equal(res.json().error.code, 'CSRF_REJECTED', origin);
    }
    assert.equal((await run('http://127.0.0.1:8080')).statusCode, 200);
  });

  test("another site's page cannot make a browser read through the API, nor put that read in the trail", async () => {
    const searches = async () => (await store.consoleAudit.list({ action: 'search' })).length;
    const search = (headers: Record<string, string>, extra: { cookie?: string } = {}) =>
      app.inject({ url: '/api/search?start=7d&user=ceo@contoso.com', headers: { ...headers, ...extra } });
    const from = (site: string, mode = 'no-cors') => ({ 'sec-fetch-site': site, 'sec-fetch-mode': mode });
    // Without accounts (the local user) and signed in (a session), alike.
    const alice = async () => {
      await addUser(store, clock, { name: 'alice', role: 'investigator' });
      return { cookie: (await signIn(app, 'alice')).cookie };
    };
    for (const who of [async () => ({}), alice]) {
      const extra = await who();
      const before = await searches();
      for (const site of ['cross-site', 'same-site']) {
        const res = await search(from(site), extra);
        assert.equal(res.statusCode, 403, `${site}: ${res.body}`);
        assert.equal(res.json().error.code, 'CSRF_REJECTED');
      }
      assert.equal(await searches(), before, 'nothing recorded for the other site');
      // The console's own page, an address typed in, a link the person clicked, curl: answered and recorded.
      for (const headers of [from('same-origin', 'cors'), from('none', 'navigate'), {}]) {
        assert.equal((await search(headers, extra)).statusCode, 200, JSON.stringify(headers));
      }
      const clicked = { ...from('same-site', 'navigate'), 'sec-fetch-user': '?1' };
      assert.equal((await search(clicked, extra)).statusCode, 200);
      assert.ok((await searches()) > before);
    }
  });

  test('a request for another host name (DNS rebinding) is refused; loopback names and allowed hosts are served', async () => {
    const rebound = await app.inject({ url: '/api/tenants', headers: { host: 'attacker.example:8080' } });
    assert.equal(rebound.statusCode, 421);
    assert.equal(rebound.json().error.code, 'BAD_HOST');
    assert.equal((await app.inject({ url: '/', headers: { host: 'attacker.example' } })).statusCode, 421);
    for (const host of ['127.0.0.1:8080', 'localhost', '[::1]:9000'])
      assert.equal((await app.inject({ url: '/api/tenants', headers: { host } })).statusCode, 200, host);
    await app.close();
    await start({ allowedHosts: ['tw.example.net'] });
    assert.equal((await app.inject({ url: '/api/tenants', headers: { host: 'tw.example.net:443' } })).statusCode, 200);
  });

  test('security headers: CSP with frame-ancestors none, nosniff, no framing', async () => {
    const res = await app.inject('/api/tenants');
    assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
    assert.doesNotMatch(String(res.headers['content-security-policy']), /upgrade-insecure-requests/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'DENY');
  });
});

describe('roles and API tokens', () => {
  beforeEach(async () => start());

  test('a viewer sees the overview but cannot search or export; an investigator cannot manage users', async () => {
    await addUser(store, clock, { name: 'vic', role: 'viewer' });
    await addUser(store, clock, { name: 'ivy', role: 'investigator' });
    const viewer = await signIn(app, 'vic');
    assert.equal((await app.inject(viewer.with({ url: '/api/tenants' }))).statusCode, 200);
    assert.equal((await app.inject(viewer.with({ url: '/api/search?start=7d&end=now' }))).statusCode, 403);
    assert.equal((await app.inject(viewer.with({ url: '/api/export?start=7d&end=now' }))).statusCode, 403);
    const ivy = await signIn(app, 'ivy');
    assert.equal((await app.inject(ivy.with({ url: '/api/search?start=7d&end=now' }))).statusCode, 200);
    assert.equal((await app.inject(ivy.with({ url: '/api/admin/users' }))).statusCode, 403);
    assert.equal((await app.inject(ivy.with({ url: '/api/audit' }))).statusCode, 403);
  });

  test('a token works as Bearer, is capped by its role, and stops when revoked or expired', async () => {
    const accounts = accountsOf(store, clock);
    await addUser(store, clock, { name: 'alice', role: 'admin' });
    const full = await accounts.addToken(TEST_ACTOR, { name: 'ci', user: 'alice', expiresInDays: 1 });
    const readOnly = await accounts.addToken(TEST_ACTOR, { name: 'ro', user: 'alice', role: 'viewer' });
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    assert.equal((await app.inject({ url: '/api/admin/users', headers: bearer(full.token) })).statusCode, 200);
    assert.equal(
      (await app.inject({ url: '/api/search?start=7d&end=now', headers: bearer(readOnly.token) })).statusCode,
      403,
    );
    const post = { method: 'POST' as const, url: '/api/reports/admin-activity/run', payload: {} };
    assert.equal((await app.inject({ ...post, headers: bearer(full.token) })).statusCode, 200, 'no CSRF for tokens');
    const wrong = full.token.slice(0, -4) + 'AAAA';
    assert.equal((await app.inject({ url: '/api/tenants', headers: bearer(wrong) })).statusCode, 401);
    clock.advance(86_400_000);
    assert.equal((await app.inject({ url: '/api/tenants', headers: bearer(full.token) })).statusCode, 401);
    await accounts.revokeToken(TEST_ACTOR, 'ro');
    assert.equal((await app.inject({ url: '/api/tenants', headers: bearer(readOnly.token) })).statusCode, 401);
    assert.equal((await store.auth.getToken(full.view.id))?.hash.includes(full.token), false);
  });
});

export { NOW };

describe('audit-config from the console', () => {
  test('a viewer cannot run enable; an investigator may check; an admin sees the plan, then applies with confirm', async () => {
    const calls: string[] = [];
    const deps = await testDeps({
      posture: {
        // Only the fields the test looks at; the real shapes are posture/service.ts's.
        check: async (tenant) => (calls.push(`check ${tenant}`), { verdict: 'ok' } as unknown as PostureResult),
        enable: async (tenant, apply) => (
          calls.push(`enable ${tenant} ${apply}`),
          { plan: [{ kind: 'ual' }] } as unknown as EnableOutcome
        ),
      },
    });
    store = deps.store;
    clock = deps.clock as ManualClock;
    app = await buildServer(deps);
    await addUser(store, clock, { name: 'vic', role: 'viewer' });
    await addUser(store, clock, { name: 'ivy', role: 'investigator' });
    await addUser(store, clock, { name: 'ada', role: 'admin' });
    const enable = (confirm: boolean) => ({
      method: 'POST' as const,
      url: '/api/audit-config/contoso/enable',
      payload: { confirm },
    });
    const vic = await signIn(app, 'vic');
    assert.equal((await app.inject(vic.with(enable(true)))).statusCode, 403);
    const ivy = await signIn(app, 'ivy');
    assert.equal((await app.inject(ivy.with(enable(true)))).statusCode, 403);
    const check = await app.inject(ivy.with({ method: 'POST', url: '/api/audit-config/contoso/check' }));
    assert.equal(check.statusCode, 200);
    const ada = await signIn(app, 'ada');
    const planned = await app.inject(ada.with(enable(false)));
    assert.deepEqual(planned.json(), { applied: false, outcome: { plan: [{ kind: 'ual' }] } });
    assert.equal((await app.inject(ada.with(enable(true)))).json().applied, true);
    assert.deepEqual(calls, ['check contoso', 'enable contoso false', 'enable contoso true']);
    const trail = (await store.consoleAudit.list({ action: 'audit-config.enable' })).map(
      (e) => `${e.actor} ${e.outcome} ${JSON.stringify(e.details.body ?? '(refused before the body was read)')}`,
    );
    assert.deepEqual(trail, [
      'vic denied "(refused before the body was read)"',
      'ivy denied "(refused before the body was read)"',
      'ada ok {"confirm":false}',
      'ada ok {"confirm":true}',
    ]);
  });
});

describe('the console keeps an administrator of every tenant', () => {
  beforeEach(async () => start());

  test('the last one cannot be removed, demoted or narrowed from the console; once another exists, they can', async () => {
    await addUser(store, clock, { name: 'alice', role: 'admin' });
    await addUser(store, clock, { name: 'carl', role: 'admin', tenants: ['contoso'] });
    const alice = await signIn(app, 'alice');
    const send = (method: 'DELETE' | 'POST', url: string, payload?: object) =>
      app.inject(alice.with({ method, url, ...(payload ? { payload } : {}) }));
    for (const res of [
      await send('DELETE', '/api/admin/users/alice'),
      await send('POST', '/api/admin/users/alice/reset', { role: 'investigator' }),
      await send('POST', '/api/admin/users/alice/reset', { tenants: ['contoso'] }),
    ]) {
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json().error.code, 'CONFLICT');
      assert.match(res.json().error.message, /"alice" is the last administrator of every tenant/);
      assert.match(res.json().error.hint, /tenantwatch user/);
    }
    assert.equal((await store.auth.getUser('alice'))?.role, 'admin', 'nothing refused was stored');
    // An administrator of some tenants is no administrator of the accounts: carl changes nothing.
    assert.equal((await send('DELETE', '/api/admin/users/carl')).statusCode, 200);
    await addUser(store, clock, { name: 'dana', role: 'admin' });
    assert.equal((await send('POST', '/api/admin/users/alice/reset', { role: 'viewer' })).statusCode, 200);
    const dana = await signIn(app, 'dana');
    assert.equal((await app.inject(dana.with({ method: 'DELETE', url: '/api/admin/users/alice' }))).statusCode, 200);
  });

  test('nor through a group that gives the last one every tenant: narrowing or removing it is a 409 saying why', async () => {
    await accountsOf(store, clock).putGroup(TEST_ACTOR, 'all', ['*']);
    await addUser(store, clock, { name: 'alice', role: 'admin', groups: ['all'] });
    const alice = await signIn(app, 'alice');
    for (const [method, payload] of [
      ['PUT', { tenants: ['contoso'] }],
      ['DELETE', undefined],
    ] as const) {
      const res = await app.inject(
        alice.with({ method, url: '/api/admin/groups/all', ...(payload ? { payload } : {}) }),
      );
      assert.equal(res.statusCode, 409, res.body);
      assert.match(res.json().error.message, /group "all" would leave no administrator of every tenant: "alice"/);
      assert.match(res.json().error.hint, /every tenant of their own/);
    }
    assert.deepEqual(
      (await store.auth.listGroups()).map((g) => g.tenants),
      [['*']],
    );
  });

  test('two administrators of every tenant removing or demoting each other at once: one change is refused', async () => {
    for (const [change, payload] of [
      ['DELETE', undefined],
      ['POST', { role: 'viewer' }],
    ] as const) {
      await addUser(store, clock, { name: 'alice', role: 'admin' });
      await addUser(store, clock, { name: 'bob', role: 'admin' });
      const alice = await signIn(app, 'alice');
      const bob = await signIn(app, 'bob');
      const url = (name: string) =>
        change === 'DELETE' ? `/api/admin/users/${name}` : `/api/admin/users/${name}/reset`;
      const both = await Promise.all([
        app.inject(alice.with({ method: change, url: url('bob'), ...(payload ? { payload } : {}) })),
        app.inject(bob.with({ method: change, url: url('alice'), ...(payload ? { payload } : {}) })),
      ]);
      assert.deepEqual(both.map((r) => r.statusCode).sort(), [200, 409], both.map((r) => r.body).join('\n'));
      const admins = (await store.auth.listUsers()).filter((u) => u.role === 'admin' && u.tenants.includes('*'));
      assert.equal(admins.length, 1, `${change}: one administrator of every tenant is left`);
      for (const name of ['alice', 'bob']) await store.auth.removeUser(name);
    }
  });
});

describe('what the Admin routes refuse', () => {
  beforeEach(async () => start());

  test('a group lists each tenant once, however often or in whatever spelling it was named', async () => {
    await addUser(store, clock, { name: 'alice', role: 'admin' });
    const alice = await signIn(app, 'alice');
    const tenants = [...Array.from({ length: 2_000 }, () => 'contoso'), 'CONTOSO', CONTOSO, 'fabrikam', ' contoso'];
    const res = await app.inject(alice.with({ method: 'PUT', url: '/api/admin/groups/eu', payload: { tenants } }));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().tenants, ['contoso', 'fabrikam']);
    assert.deepEqual((await store.auth.listGroups()).find((g) => g.name === 'eu')?.tenants, ['contoso', 'fabrikam']);
    const trail = await store.consoleAudit.list({ action: 'group.put' });
    assert.deepEqual(trail[0]?.details.tenants, ['contoso', 'fabrikam'], 'the trail names what was stored');
    // Accounts (the Admin page and `tenantwatch user add --tenant … --group …`) list theirs once too.
    const user = await app.inject(
      alice.with({
        method: 'POST',
        url: '/api/admin/users',
        payload: {
          name: 'bob',
          role: 'viewer',
          password: TEST_PASSWORD,
          tenants: ['contoso', 'Contoso'],
          groups: ['eu', 'EU'],
        },
      }),
    );
    assert.equal(user.statusCode, 200, user.body);
    const bob = await store.auth.getUser('bob');
    assert.deepEqual([bob?.tenants, bob?.groups], [['contoso'], ['eu']]);
  });

  test('a field that is not text is refused naming the field, not read as missing or as "[object Object]"', async () => {
    await addUser(store, clock, { name: 'alice', role: 'admin' });
    const alice = await signIn(app, 'alice');
    const base = { name: 'bob', role: 'viewer', password: 'a long passphrase' };
    for (const [payload, message] of [
      [{ ...base, password: 123456789012345 }, /The field password must be text/],
      [{ ...base, tenants: [{ a: 1 }] }, /The field tenants must be a string or a list of strings/],
      [{ ...base, groups: 7 }, /The field groups must be a string or a list of strings/],
    ] as const) {
      const res = await app.inject(alice.with({ method: 'POST', url: '/api/admin/users', payload }));
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.json().error.message, message);
    }
    assert.equal(await store.auth.getUser('bob'), null);
    // A token's days as true, "5" or null were read as 1, 5 and "not 0" days (Number of whatever was sent).
    for (const expiresInDays of [true, '5', null, [3]]) {
      const payload = { name: 'ci', user: 'alice', expiresInDays };
      const res = await app.inject(alice.with({ method: 'POST', url: '/api/admin/tokens', payload }));
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.json().error.message, /The field expiresInDays must be a number/);
    }
    // The API's refusals named the CLI's flags ("Use --expires-days 90", "A token's --role"), which an API caller
    // cannot send; and 1.5 days made a 36-hour token, which the CLI refuses.
    await addUser(store, clock, { name: 'vic', role: 'viewer' });
    for (const [payload, message, hint] of [
      [{ name: 'ci', user: 'alice', expiresInDays: 0 }, /expiresInDays/, /"expiresInDays": 90/],
      [{ name: 'ci', user: 'alice', expiresInDays: 1.5 }, /expiresInDays/, /"expiresInDays": 90/],
      [{ name: 'ci', user: 'alice', expiresInDays: 4000 }, /expiresInDays/, /"expiresInDays": 90/],
      [{ name: 'ci', user: 'vic', role: 'admin' }, /cannot have the admin role/, /A token's role only lowers/],
      [{ name: 'bob', role: 'viewer' }, /needs a password or an OpenID Connect link/, /password.*externalId/],
    ] as const) {
      const url = 'role' in payload && !('user' in payload) ? '/api/admin/users' : '/api/admin/tokens';
      const res = await app.inject(alice.with({ method: 'POST', url, payload }));
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.json().error.message, message);
      assert.match(res.json().error.hint, hint);
      assert.doesNotMatch(res.json().error.hint, /--/, 'no CLI flag in an API answer');
    }
    assert.deepEqual(await store.auth.listTokens(), []);
  });

  test('a field no Admin route takes is refused naming it: a misspelt "tenant" made an account of every tenant', async () => {
    await addUser(store, clock, { name: 'alice', role: 'admin' });
    await addUser(store, clock, { name: 'ivy', role: 'investigator', tenants: ['contoso'] });
    const alice = await signIn(app, 'alice');
    const password = 'a long passphrase';
    for (const [method, url, payload, field] of [
      ['POST', '/api/admin/users', { name: 'bob', role: 'viewer', password, tenant: 'contoso' }, 'tenant'],
      ['POST', '/api/admin/users', { name: 'bob', role: 'viewer', password, group: ['eu'] }, 'group'],
      ['POST', '/api/admin/tokens', { name: 'ci', user: 'alice', tenant: ['contoso'] }, 'tenant'],
      ['POST', '/api/admin/tokens', { name: 'ci', user: 'alice', expiresDays: 1 }, 'expiresDays'],
      ['POST', '/api/admin/users/ivy/reset', { tenant: ['fabrikam'] }, 'tenant'],
      ['PUT', '/api/admin/groups/eu', { tenants: ['contoso'], members: ['ivy'] }, 'members'],
    ] as const) {
      const res = await app.inject(alice.with({ method, url, payload }));
      assert.equal(res.statusCode, 400, `${method} ${url}: ${res.body}`);
      assert.match(res.json().error.message, new RegExp(`Unknown field "${field}"`), url);
      assert.match(res.json().error.hint, /Accepted: /, url);
    }
    assert.equal(await store.auth.getUser('bob'), null, 'no account of every tenant was made');
    assert.deepEqual(await store.auth.listTokens(), []);
    assert.deepEqual(await store.auth.listGroups(), []);
  });
});

describe('account scopes', () => {
  beforeEach(async () => start());

  test('a scope naming a tenant that does not exist, or a group not defined, is refused', async () => {
    const accounts = accountsOf(store, clock);
    const refused = async (run: () => Promise<unknown>, message: RegExp): Promise<void> => {
      await assert.rejects(run, (e: unknown) => e instanceof Error && message.test(e.message));
    };
    await refused(() => addUser(store, clock, { name: 'bob', tenants: ['contosso'] }), /No tenant is named "contosso"/);
    await refused(() => addUser(store, clock, { name: 'bob', groups: ['east'] }), /No tenant group is named "east"/);
    // A group is stored state, as a tenant is: not found (exit 1, 404), not bad input (it was exit 2, 400).
    await assert.rejects(
      () => addUser(store, clock, { name: 'bob', groups: ['east'] }),
      (e: unknown) => e instanceof AppError && e.code === 'NOT_FOUND',
    );
    await refused(() => accounts.putGroup(TEST_ACTOR, 'east', ['contoso', 'nope']), /No tenant is named "nope"/);
    await accounts.putGroup(TEST_ACTOR, 'east', ['contoso', 'FABRIKAM']);
    await addUser(store, clock, { name: 'bob', tenants: ['contoso'], groups: ['East'] });
    await refused(() => accounts.resetUser(TEST_ACTOR, 'bob', { tenants: ['nope'] }), /No tenant is named "nope"/);
    await refused(
      () => accounts.addToken(TEST_ACTOR, { name: 'siem', user: 'bob', tenants: ['nope'] }),
      /No tenant is named "nope"/,
    );
    assert.equal((await store.auth.getUser('bob'))?.tenants.join(), 'contoso', 'nothing refused was stored');
  });

  test("a user given only groups sees only the groups' tenants; a token stays within its user's tenants and role", async () => {
    const accounts = accountsOf(store, clock);
    await accounts.putGroup(TEST_ACTOR, 'east', ['contoso']);
    await addUser(store, clock, { name: 'gina', role: 'viewer', groups: ['east'] });
    assert.deepEqual((await store.auth.getUser('gina'))?.tenants, []);
    const names = async (name: string): Promise<string[]> => {
      const res = await app.inject((await signIn(app, name)).with({ url: '/api/tenants' }));
      return res
        .json<{ tenants: { name: string }[] }>()
        .tenants.map((t) => t.name)
        .sort();
    };
    assert.deepEqual(await names('gina'), ['contoso']);
    // An account of every tenant given groups is narrowed to them.
    await addUser(store, clock, { name: 'hal', role: 'investigator' });
    assert.deepEqual(await names('hal'), ['contoso', 'fabrikam']);
    await accounts.resetUser(TEST_ACTOR, 'hal', { groups: ['east'] });
    assert.deepEqual(await names('hal'), ['contoso']);

    const refused = async (run: () => Promise<unknown>, message: RegExp): Promise<void> => {
      await assert.rejects(run, (e: unknown) => e instanceof Error && message.test(e.message));
    };
    await refused(
      () => accounts.addToken(TEST_ACTOR, { name: 't1', user: 'hal', tenants: ['fabrikam'] }),
      /The user "hal" may not see tenant "fabrikam"/,
    );
    await refused(
      () => accounts.addToken(TEST_ACTOR, { name: 't2', user: 'gina', role: 'admin' }),
      /cannot have the admin role/,
    );
    await refused(
      () => accounts.addToken(TEST_ACTOR, { name: 't3', user: 'gina', expiresInDays: 0.00001 }),
      /1 to 3650 days/,
    );
    const ok = await accounts.addToken(TEST_ACTOR, { name: 't4', user: 'hal', tenants: ['CONTOSO'], role: 'viewer' });
    assert.equal(ok.view.role, 'viewer');
    assert.equal((await store.auth.listTokens()).length, 1, 'nothing refused was stored');
  });
});

describe('what a refusal says', () => {
  beforeEach(async () => start({ loginRate: { max: 3, windowMs: 60_000 } }));

  test('a tenant-scoped admin reading the audit trail is told that is what needs every tenant', async () => {
    await addUser(store, clock, { name: 'sam', role: 'admin', tenants: ['contoso'] });
    const sam = await signIn(app, 'sam');
    for (const url of ['/api/audit', '/api/audit/export']) {
      const res = await app.inject(sam.with({ url }));
      assert.equal(res.statusCode, 403, url);
      assert.match(res.json().error.message, /the console audit trail needs an administrator of every tenant/, url);
    }
    const users = await app.inject(sam.with({ url: '/api/admin/users' }));
    assert.match(users.json().error.message, /^Managing accounts needs/);
  });

  test('a route that does not exist is a 404 for anyone signed in, and asks anyone else to sign in', async () => {
    await addUser(store, clock, { name: 'ivy', role: 'investigator' });
    const ivy = await signIn(app, 'ivy');
    const missing = await app.inject(ivy.with({ url: '/api/nonexistent' }));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'NOT_FOUND');
    assert.equal((await app.inject(ivy.with({ method: 'DELETE', url: '/api/tenants' }))).statusCode, 404);
    assert.equal((await app.inject({ url: '/api/nonexistent' })).statusCode, 401);
    assert.equal((await app.inject(ivy.with({ url: '/api/admin/users' }))).statusCode, 403, 'a real admin route');
  });

  test('the sign-in rate limit names its window and the time left', async () => {
    for (let i = 0; i < 3; i++) await login(`user${i}`, 'guess-guess-guess');
    clock.advance(3_000);
    const limited = await login('user9', 'guess-guess-guess');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error.message, 'Too many sign-in attempts from this address: 3 are allowed per minute');
    assert.equal(limited.json().error.hint, 'Try again in 57 seconds');
  });

  test('an expired API token says so and how to make a new one', async () => {
    await addUser(store, clock, { name: 'alice', role: 'admin' });
    const made = await accountsOf(store, clock).addToken(TEST_ACTOR, { name: 'ci', user: 'alice', expiresInDays: 1 });
    clock.advance(86_400_000);
    const res = await app.inject({ url: '/api/tenants', headers: { authorization: `Bearer ${made.token}` } });
    assert.equal(res.statusCode, 401);
    assert.match(res.json().error.message, /The API token "ci" expired on /);
    assert.match(res.json().error.hint, /^Make a new one with tenantwatch token add NAME --user USER/);
  });

  test('the sign-in answer names the same tenants as /api/auth/me', async () => {
    await addUser(store, clock, { name: 'alice', role: 'admin' });
    await addUser(store, clock, { name: 'bob', tenants: ['contoso'] });
    for (const [name, tenants] of [
      ['alice', '*'],
      ['bob', ['contoso']],
    ] as const) {
      const res = await login(name, TEST_PASSWORD);
      const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const me = await app.inject({ url: '/api/auth/me', headers: { cookie } });
      assert.deepEqual(me.json().tenants, res.json().tenants, name);
      assert.equal(me.json().tenants.length > 0, true, name);
      if (tenants === '*') assert.equal(res.json().tenants, '*');
    }
  });
});

describe('lockout does not tell which accounts exist', () => {
  beforeEach(async () => start({ loginRate: { max: 100, windowMs: 60_000 } }));

  test('an unknown name locks after 5 failures and unlocks with time, exactly as an account does', async () => {
    await addUser(store, clock, { name: 'alice' });
    const answers = async (name: string): Promise<string[]> => {
      const seen: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await login(i === 5 ? name.toUpperCase() : name, 'not the password');
        seen.push(`${res.statusCode} ${res.json().error.code} ${res.json().error.hint}`);
        clock.advance(60_000);
      }
      // The fifth failure locked the name at minute 4, for 15 minutes: at minute 20 it is open again.
      clock.advance(14 * 60_000);
      const after = await login(name, 'not the password');
      seen.push(`${after.statusCode} ${after.json().error.code}`);
      return seen;
    };
    const known = await answers('alice');
    const unknown = await answers('nobody');
    assert.deepEqual(unknown, known);
    assert.match(known[5]!, /^429 SIGNIN_LOCKED Try again in 14 minutes/);
    assert.equal(known[6], '401 SIGNIN_FAILED');
  });

  test("an unknown name's failures count in the store: two servers on it share them, and a restart keeps the lock", async () => {
    await addUser(store, clock, { name: 'alice' });
    const deps = {
      store,
      clock,
      logger: silentLogger,
      reports: fakeReports,
      auth: { loginRate: { max: 100, windowMs: 60_000 } },
    };
    const other = await buildServer(deps);
    try {
      const codes = [];
      for (const server of [app, other, app, other, app, other]) {
        const res = await server.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { name: 'nobody', password: 'not the password' },
        });
        codes.push(res.statusCode);
      }
      assert.deepEqual(codes, [401, 401, 401, 401, 401, 429], 'five failures in all, not five per server');
    } finally {
      await other.close();
    }
    await app.close();
    app = await buildServer(deps);
    assert.equal((await login('NOBODY', 'not the password')).statusCode, 429, 'still locked after a restart');
    clock.advance(15 * 60_000);
    assert.equal((await login('nobody', 'not the password')).statusCode, 401);
  });
});
