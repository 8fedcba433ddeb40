import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../src/core/clock.js';
import { explainAuthFailure } from '../src/microsoft/auth-errors.js';
import { MsalTokenProvider, type AppCredential } from '../src/microsoft/auth.js';
import { createHttpClient } from '../src/net/http.js';
import { endpointsFor } from '../src/microsoft/types.js';
import type { HttpClient } from '../src/net/types.js';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';

/**
 * Sign-in through msal-node against the emulator, trusting its CA through our HttpClient (msal's
 * `system.networkClient`), never NODE_EXTRA_CA_CERTS or unverified TLS: secret and certificate both
 * work; tokens are cached on the injected clock and renewed 5 minutes before they expire; failures
 * come back in plain words.
 */
let t: TestEmulator;
before(async () => {
  t = await startTestEmulator({ tenants: 2, users: 2, days: 1 });
});
after(async () => t?.close());

function provider(
  credential: AppCredential,
  clock: ManualClock,
  posts: string[],
  tenantId = t.emu.tenants[0]!.tenantId,
) {
  const inner = createHttpClient({ ca: t.emu.caPem });
  const http: HttpClient = { request: (r) => (r.method === 'POST' && posts.push(r.url), inner.request(r)) };
  const endpoints = endpointsFor('commercial', t.emu.url);
  return new MsalTokenProvider({ tenantId, clientId: t.emu.tenants[0]!.clientId, endpoints, credential, http, clock });
}

test('secret and certificate both sign in; the token is cached and renewed before expiry', async () => {
  const x = t.emu.tenants[0]!;
  const clock = new ManualClock(Date.now());
  for (const credential of [
    { kind: 'secret', secret: x.clientSecret },
    { kind: 'certificate', certificatePem: x.certificatePem, privateKeyPem: x.privateKeyPem },
  ] as AppCredential[]) {
    const posts: string[] = [];
    const tokens = provider(credential, clock, posts);
    const first = await tokens.token('management');
    const payload = JSON.parse(Buffer.from(first.split('.')[1]!, 'base64url').toString('utf8')) as {
      tid: string;
      roles: string[];
    };
    assert.equal(payload.tid, x.tenantId);
    assert.ok(payload.roles.includes('ActivityFeed.Read'));
    assert.equal(await tokens.token('management'), first, 'cached');
    assert.equal(posts.length, 1);
    clock.advance(3599_000 - 4 * 60_000);
    await tokens.token('management');
    assert.equal(posts.length, 2, 'renewed within 5 minutes of expiry');
    await tokens.token('management', { forceRefresh: true });
    assert.equal(posts.length, 3, 'a 401 forces a new token');
  }
});

test('a wrong secret and an unknown tenant are explained in plain words', async () => {
  const clock = new ManualClock(Date.now());
  await assert.rejects(
    provider({ kind: 'secret', secret: 'wrong' }, clock, []).token('management'),
    (e: Error & { code?: string; hint?: string }) => {
      assert.equal(e.code, 'AUTH_FAILED');
      assert.match(e.message, /client secret is wrong/);
      assert.match(e.hint ?? '', /secret VALUE/);
      assert.ok(!e.message.includes('wrong'.repeat(2)));
      return true;
    },
  );
  await assert.rejects(
    provider({ kind: 'secret', secret: 'x' }, clock, [], '00000000-1111-2222-3333-444444444444').token('management'),
    /tenant was not found/,
  );
});

test('AADSTS codes map to plain words; a network failure stays a network failure', () => {
  const who = { tenantId: 't', clientId: 'c', login: 'https://login.microsoftonline.com' };
  assert.match(
    explainAuthFailure(new Error('invalid_client: AADSTS700027: Client assertion contains an invalid signature'), who)
      .message,
    /certificate was refused/,
  );
  assert.match(
    explainAuthFailure(new Error('unauthorized_client: AADSTS700016: Application not found'), who).message,
    /not consented there, or wrong client id/,
  );
  assert.equal(explainAuthFailure(new Error('endpoints_resolution_error'), who).code, 'NETWORK');
});
