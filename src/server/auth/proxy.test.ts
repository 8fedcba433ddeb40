import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../core/errors.js';
import { checkExposure, parseTrustProxy } from '../exposure.js';
import type { ServerDeps } from '../deps.js';
import { buildServer } from '../index.js';
import { testDeps } from '../testing/fixtures.js';
import { addUser, TEST_PASSWORD } from './testing.js';

/**
 * Running behind a reverse proxy (serve --trust-proxy): the forwarded client address is believed only
 * from the proxies named, the host people use is checked as well as the upstream Host (DNS rebinding),
 * Origin is compared with the public host, and the no-account open mode never serves through a proxy.
 * inject() connects from 127.0.0.1, which plays the proxy here.
 */
async function server(overrides: Partial<ServerDeps> = {}, withUser = true) {
  const deps = await testDeps(overrides);
  if (withUser) await addUser(deps.store, deps.clock, { name: 'alice', role: 'admin' });
  return { deps, app: await buildServer(deps) };
}

const login = (password: string, headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  url: '/api/auth/login',
  payload: { name: 'alice', password },
  headers,
});

describe('behind a reverse proxy', () => {
  test('the client address comes from X-Forwarded-For only when the proxy is trusted', async () => {
    for (const [trustProxy, expected] of [
      [[], '127.0.0.1'],
      [['127.0.0.1'], '198.51.100.7'],
    ] as const) {
      const { deps, app } = await server({ trustProxy });
      await app.inject(login('wrong password!', { 'x-forwarded-for': '198.51.100.7' }));
      const [entry] = await deps.store.consoleAudit.list({ action: 'signin' });
      assert.equal(entry?.address, expected, `trustProxy ${JSON.stringify(trustProxy)}`);
      await app.close();
    }
  });

  test('the sign-in rate limit counts each client behind the proxy, not the proxy', async () => {
    const { app } = await server({ trustProxy: ['127.0.0.1'], auth: { loginRate: { max: 2, windowMs: 60_000 } } });
    const from = (ip: string) => app.inject(login('wrong password!', { 'x-forwarded-for': ip }));
    assert.deepEqual([(await from('198.51.100.1')).statusCode, (await from('198.51.100.1')).statusCode], [401, 401]);
    assert.equal((await from('198.51.100.1')).statusCode, 429);
    assert.equal((await from('198.51.100.2')).statusCode, 401, 'another client is not slowed by the first');
    await app.close();
  });

  test('a sign-in that came over HTTPS through a trusted proxy gets Secure cookies and HSTS, even without --behind-tls-proxy', async () => {
    const secure = (res: { cookies: { name: string; secure?: boolean }[] }) =>
      res.cookies.map((c) => `${c.name} ${c.secure === true ? 'Secure' : 'plain'}`);
    const { app } = await server({ trustProxy: ['127.0.0.1'] });
    const https = await app.inject(login(TEST_PASSWORD, { 'x-forwarded-proto': 'https' }));
    assert.equal(https.statusCode, 200, https.body);
    assert.deepEqual(secure(https), ['tw_session Secure', 'tw_csrf Secure']);
    assert.equal(https.headers['strict-transport-security'], 'max-age=15552000');
    // Plain http (a loopback console, or a proxy that says so) keeps cookies a browser stores over http.
    const plain = await app.inject(login(TEST_PASSWORD));
    assert.deepEqual(secure(plain), ['tw_session plain', 'tw_csrf plain']);
    assert.equal(plain.headers['strict-transport-security'], undefined);
    await app.close();
    // A client that is no trusted proxy does not choose: its X-Forwarded-Proto is not believed.
    const direct = await server();
    const claimed = await direct.app.inject(login(TEST_PASSWORD, { 'x-forwarded-proto': 'https' }));
    assert.deepEqual(secure(claimed), ['tw_session plain', 'tw_csrf plain']);
    assert.equal(claimed.headers['strict-transport-security'], undefined);
    await direct.app.close();
  });

  test('the forwarded host and the upstream Host must both be hosts the console answers to', async () => {
    const { app } = await server({ trustProxy: ['127.0.0.1'], auth: { allowedHosts: ['tw.example.com'] } });
    const get = (headers: Record<string, string>) => app.inject({ url: '/api/auth/me', headers });
    assert.equal((await get({ host: '127.0.0.1:8080', 'x-forwarded-host': 'tw.example.com' })).statusCode, 200);
    assert.equal((await get({ host: '127.0.0.1:8080', 'x-forwarded-host': 'rebound.evil.example' })).statusCode, 421);
    assert.equal((await get({ host: 'rebound.evil.example', 'x-forwarded-host': 'tw.example.com' })).statusCode, 421);
    await app.close();
  });

  test("a state-changing request's Origin is compared with the public host, not the upstream one", async () => {
    const { app } = await server({ trustProxy: ['127.0.0.1'], auth: { allowedHosts: ['tw.example.com'] } });
    const proxied = { host: '127.0.0.1:8080', 'x-forwarded-host': 'tw.example.com', 'x-forwarded-proto': 'https' };
    const ok = await app.inject(login(TEST_PASSWORD, { ...proxied, origin: 'https://tw.example.com' }));
    assert.equal(ok.statusCode, 200, ok.body);
    const forged = await app.inject(login(TEST_PASSWORD, { ...proxied, origin: 'https://evil.example' }));
    assert.equal(forged.json().error.code, 'CSRF_REJECTED');
    await app.close();
  });

  test('without accounts, a request that came through a proxy is not the local user', async () => {
    const { app } = await server({}, false);
    assert.equal((await app.inject({ url: '/api/tenants' })).statusCode, 200, 'the laptop case is unchanged');
    const proxied = await app.inject({ url: '/api/tenants', headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(proxied.statusCode, 403);
    assert.match(proxied.json().error.message, /no accounts/);
    const me = await app.inject({ url: '/api/auth/me', headers: { forwarded: 'for=203.0.113.9' } });
    assert.equal(me.json().signedIn, false);
    await app.close();
  });

  test('serve refuses a proxy in front of a loopback bind without accounts; --trust-proxy takes addresses only', () => {
    const refused = (f: () => void, code: string) =>
      assert.throws(f, (e) => e instanceof AppError && e.code === code && Boolean(e.hint));
    const base = { host: '127.0.0.1', accounts: 0, tls: false, behindTlsProxy: false };
    checkExposure(base);
    refused(() => checkExposure({ ...base, trustProxy: ['127.0.0.1'] }), 'UNSAFE_BIND');
    refused(() => checkExposure({ ...base, behindTlsProxy: true }), 'UNSAFE_BIND');
    checkExposure({ ...base, accounts: 1, trustProxy: ['127.0.0.1'] });
    assert.deepEqual(parseTrustProxy(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']), [
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of ['true', '2', 'proxy.local', '10.0.0.0/33', '1.2.3.4/8/9'])
      refused(() => parseTrustProxy([bad]), 'USAGE');
  });

  test('serve off loopback says what to do in a sentence that reads right whichever is missing', () => {
    const hint = (accounts: number, tls: boolean) => {
      try {
        checkExposure({ host: '0.0.0.0', accounts, tls, behindTlsProxy: false });
      } catch (e) {
        return (e as AppError).hint;
      }
      return null;
    };
    // Accounts but no TLS: it began "then serve with …", a "then" after nothing.
    assert.equal(
      hint(1, false),
      'Serve with --tls-cert FILE --tls-key FILE, or with --behind-tls-proxy when a TLS proxy is in front; or keep the default --host 127.0.0.1 for use on this machine only',
    );
    assert.match(hint(0, false)!, /^Add an administrator first: .*; then serve with --tls-cert FILE/);
    assert.equal(
      hint(0, true),
      'Add an administrator first: tenantwatch user add NAME --role admin --password-env VAR; or keep the default --host 127.0.0.1 for use on this machine only',
    );
    assert.equal(hint(1, true), null);
  });
});
