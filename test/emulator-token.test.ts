import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { signJwt, decodeJwt } from '../emulator/token/jwt.js';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';
import { repoRoot } from './support/paths.js';

// Token service, spec §6 behaviours 1–8, black-box over HTTPS with the emulator's CA.
let t: TestEmulator;
before(async () => {
  t = await startTestEmulator({ tenants: 2, users: 5 });
});
after(() => t.close());

const tenant = () => t.emu.tenants[0]!;
const form = (extra: Record<string, string>) => ({
  client_id: tenant().clientId,
  grant_type: 'client_credentials',
  ...extra,
});

function assertAadError(
  body: {
    error: string;
    error_codes: number[];
    error_description: string;
    timestamp: string;
    trace_id: string;
    correlation_id: string;
    error_uri: string;
  },
  error: string,
  code: number,
) {
  assert.equal(body.error, error);
  assert.deepEqual(body.error_codes, [code]);
  assert.match(body.error_description, new RegExp(`^AADSTS${code}: `));
  assert.match(
    body.error_description,
    /\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
  );
  assert.match(body.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  assert.ok(body.trace_id && body.correlation_id);
  assert.equal(body.error_uri, `https://login.microsoftonline.com/error?code=${code}`);
}

test('1: v2 token with a secret: numeric expires_in and a JWT with aud, tid, roles, appid, exp', async () => {
  const res = await t.client.request('POST', `/${tenant().tenantId}/oauth2/v2.0/token`, {
    form: form({ client_secret: tenant().clientSecret, scope: 'https://manage.office.com/.default' }),
  });
  assert.equal(res.status, 200);
  const body = res.json();
  assert.equal(body.token_type, 'Bearer');
  assert.equal(body.expires_in, 3599);
  assert.equal(typeof body.ext_expires_in, 'number');
  const claims = decodeJwt(body.access_token)!.payload;
  assert.equal(claims.aud, 'https://manage.office.com');
  assert.equal(claims.tid, tenant().tenantId);
  assert.equal(claims.appid, tenant().clientId);
  assert.deepEqual(claims.roles, ['ActivityFeed.Read', 'ActivityFeed.ReadDlp']);
  assert.equal(claims.exp, Math.floor(t.emu.clock.now() / 1000) + 3599);
});

test('2: v1 token with resource: string numbers and the resource echoed; the domain works as tenant', async () => {
  const res = await t.client.request('POST', `/${tenant().domain}/oauth2/token`, {
    form: form({ client_secret: tenant().clientSecret, resource: 'https://outlook.office365.com' }),
  });
  assert.equal(res.status, 200);
  const body = res.json();
  for (const k of ['expires_in', 'ext_expires_in', 'expires_on', 'not_before'])
    assert.equal(typeof body[k], 'string', k);
  assert.equal(body.expires_in, '3599');
  assert.equal(body.resource, 'https://outlook.office365.com');
  assert.deepEqual(decodeJwt(body.access_token)!.payload.roles, ['Exchange.ManageAsApp']);
});

test('3: wrong secret → 401 invalid_client AADSTS7000215 with trace, correlation, timestamp, error_uri', async () => {
  const res = await t.client.request('POST', `/${tenant().tenantId}/oauth2/v2.0/token`, {
    form: form({ client_secret: 'nope', scope: 'https://graph.microsoft.com/.default' }),
  });
  assert.equal(res.status, 401);
  assertAadError(res.json(), 'invalid_client', 7000215);
});

test('4: unknown client_id → 400 unauthorized_client AADSTS700016', async () => {
  const res = await t.client.request('POST', `/${tenant().tenantId}/oauth2/v2.0/token`, {
    form: { ...form({ client_secret: 'x', scope: 'https://graph.microsoft.com/.default' }), client_id: randomUUID() },
  });
  assert.equal(res.status, 400);
  assertAadError(res.json(), 'unauthorized_client', 700016);
});

test('5: unknown tenant → 400 invalid_tenant AADSTS90002', async () => {
  const res = await t.client.request('POST', `/${randomUUID()}/oauth2/v2.0/token`, {
    form: form({ client_secret: 'x', scope: 'https://graph.microsoft.com/.default' }),
  });
  assert.equal(res.status, 400);
  assertAadError(res.json(), 'invalid_tenant', 90002);
});

function assertion(header: Record<string, unknown>, claims: Record<string, unknown>, key = tenant().privateKeyPem) {
  return signJwt({ typ: 'JWT', ...header }, claims, key);
}

test('6: certificate assertion: RS256+x5t and PS256+x5t#S256 accepted; bad key, thumbprint, aud, iss → 700027; expired → 700024', async () => {
  const tid = tenant().tenantId;
  const aud = `${t.emu.url}/${tid}/oauth2/v2.0/token`;
  const now = Math.floor(t.emu.clock.now() / 1000);
  const good = { aud, iss: tenant().clientId, sub: tenant().clientId, jti: randomUUID(), nbf: now, exp: now + 600 };
  const x5t = Buffer.from(tenant().thumbprint, 'hex').toString('base64url');
  const x5tS256 = Buffer.from(tenant().thumbprintSha256, 'hex').toString('base64url');
  const post = (a: string) =>
    t.client.request('POST', `/${tid}/oauth2/v2.0/token`, {
      form: form({
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: a,
        scope: 'https://manage.office.com/.default',
      }),
    });
  const ok1 = await post(assertion({ alg: 'RS256', x5t }, good));
  assert.equal(ok1.status, 200, ok1.text);
  assert.equal(decodeJwt(ok1.json().access_token)!.payload.appidacr, '2');
  assert.equal((await post(assertion({ alg: 'PS256', 'x5t#S256': x5tS256 }, good))).status, 200);
  const otherKey = t.emu.tenants[1]!.privateKeyPem;
  const failures = [
    assertion({ alg: 'RS256', x5t }, good, otherKey),
    assertion({ alg: 'RS256', x5t: 'AAAA' }, good),
    assertion({ alg: 'RS256', x5t }, { ...good, aud: 'https://example.com/token' }),
    assertion({ alg: 'RS256', x5t }, { ...good, iss: randomUUID() }),
  ];
  for (const a of failures) {
    const res = await post(a);
    assert.equal(res.status, 401);
    assertAadError(res.json(), 'invalid_client', 700027);
  }
  const expired = await post(assertion({ alg: 'RS256', x5t }, { ...good, nbf: now - 4000, exp: now - 3000 }));
  assert.equal(expired.status, 401);
  assertAadError(expired.json(), 'invalid_client', 700024);
});

test('7: openid-configuration over HTTPS with the keys msal needs, pointing back at the emulator', async () => {
  const res = await t.client.request('GET', `/${tenant().tenantId}/v2.0/.well-known/openid-configuration`);
  assert.equal(res.status, 200);
  const doc = res.json();
  assert.equal(doc.token_endpoint, `${t.emu.url}/${tenant().tenantId}/oauth2/v2.0/token`);
  for (const k of ['authorization_endpoint', 'issuer', 'jwks_uri']) assert.ok(doc[k].startsWith(t.emu.url), k);
  const jwks = await t.client.request('GET', new URL(doc.jwks_uri).pathname);
  assert.equal(jwks.json().keys[0].kty, 'RSA');
});

test('8: unknown form fields and msal headers are ignored', async () => {
  const res = await t.client.request('POST', `/${tenant().tenantId}/oauth2/v2.0/token`, {
    headers: {
      'x-client-SKU': 'msal.js.node',
      'x-client-VER': '7.2.3',
      'client-request-id': randomUUID(),
      'x-ms-lib-capability': 'retry-after, h429',
    },
    form: form({
      client_secret: tenant().clientSecret,
      scope: 'https://graph.microsoft.com/.default',
      client_info: '1',
      'x-client-current-telemetry': '5|771,2,,,|,',
      something: 'else',
    }),
  });
  assert.equal(res.status, 200);
});

test('msal-node gets tokens with a secret and with a certificate, documented configuration only, CA via NODE_EXTRA_CA_CERTS', async () => {
  const ten = tenant();
  const config = {
    authority: `${t.emu.url}/${ten.tenantId}`,
    known: `127.0.0.1:${t.emu.port}`,
    clientId: ten.clientId,
    secret: ten.clientSecret,
    thumbprintSha256: ten.thumbprintSha256,
    privateKey: ten.privateKeyPem,
  };
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'test', 'fixtures', 'msal-token.mjs')], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: t.emu.caFile, MSAL_TEST: JSON.stringify(config) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  assert.equal(out.code, 0, out.stderr);
  const result = JSON.parse(out.stdout);
  for (const k of ['secret', 'certificate']) {
    const claims = decodeJwt(result[k])!.payload;
    assert.equal(claims.tid, ten.tenantId, k);
    assert.equal(claims.aud, 'https://manage.office.com', k);
  }
  assert.equal(decodeJwt(result.certificate)!.payload.appidacr, '2');
});
