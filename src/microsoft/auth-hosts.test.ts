import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { createHttpClient } from '../net/http.js';
import { listen, recorder, testPki, type Listener, type Recorder } from '../net/testing/tls.js';
import type { ClosableHttpClient } from '../net/types.js';
import { MsalTokenProvider } from './auth.js';
import { endpointsFor } from './types.js';

/**
 * The app's credential goes only to the sign-in service it belongs to. msal-node posts the client secret to the
 * token_endpoint the authority's metadata names and checks only the metadata's issuer: a sign-in service (a base
 * URL, a proxy answering for it) whose metadata names another origin must get a refusal, and that origin nothing.
 */
const TENANT = '3509e8a3-4d87-4795-8f58-150ac9ed451b';
const SECRET = 'client-secret-that-must-stay-home';

let login: Listener;
let foreign: Recorder;
let http: ClosableHttpClient;
/** Where the metadata says tokens are asked for; set by each test. */
let tokenEndpoint = '';
const loginSaw: string[] = [];

before(async () => {
  const pki = await testPki();
  foreign = await recorder(pki);
  login = await listen(pki.good, (req, res, body) => {
    loginSaw.push(`${req.method} ${req.url} ${body}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        token_endpoint: tokenEndpoint,
        authorization_endpoint: `${login.origin}/${TENANT}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${login.origin}/${TENANT}/oauth2/v2.0/logout`,
        issuer: `${login.origin}/${TENANT}/v2.0`,
        jwks_uri: `${login.origin}/${TENANT}/discovery/v2.0/keys`,
      }),
    );
  });
  http = createHttpClient({ ca: pki.caPem });
});

after(async () => {
  http?.close();
  await login?.close();
  await foreign?.close();
});

function provider(): MsalTokenProvider {
  return new MsalTokenProvider({
    tenantId: TENANT,
    clientId: '11111111-2222-3333-4444-555555555555',
    endpoints: endpointsFor('commercial', login.origin),
    credential: { kind: 'secret', secret: SECRET },
    http,
    clock: new ManualClock(Date.now()),
  });
}

for (const [what, endpoint] of [
  ['another port', () => `${foreign.origin}/${TENANT}/oauth2/v2.0/token`],
  ['another host name', () => `https://localhost:${foreign.port}/${TENANT}/oauth2/v2.0/token`],
  ['another scheme', () => `http://127.0.0.1:${login.port}/${TENANT}/oauth2/v2.0/token`],
] as const) {
  test(`a token_endpoint on ${what} is refused: the client secret is not sent there`, async () => {
    tokenEndpoint = endpoint();
    loginSaw.length = 0;
    await assert.rejects(provider().token('management'), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'REFUSED_URL');
      assert.match(e.message, /^Refused to send the app's credential to http/);
      assert.ok(!e.message.includes(SECRET));
      return true;
    });
    assert.equal(foreign.connections, 0, 'no connection to the foreign listener');
    assert.deepEqual(foreign.requests, []);
    assert.ok(
      loginSaw.every((l) => !l.includes(SECRET)),
      'the metadata request carried no secret',
    );
  });
}
