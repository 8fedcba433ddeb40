import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, afterEach, before, test } from 'node:test';
import { DEFAULT_FAULTS } from '../emulator/index.js';
import { startTestEmulator, type EmuResponse, type TestEmulator } from './support/emulator.js';

// Faults as a client sees them (issue 3 "Control and ground truth"; emulator/README.md, "Faults on
// the wire"): slow responses, connections cut mid-body, clock skew, short token lifetimes and expiry.
// The virtual clock moves time; the only real wait is the slow fault's own 40 ms.
const START = Date.UTC(2026, 2, 10, 12, 0, 0);
const MGMT = 'https://manage.office.com';
let t: TestEmulator;
let tid: string;
before(async () => {
  t = await startTestEmulator({ tenants: 1, users: 5, start: START });
  tid = t.emu.tenants[0]!.tenantId;
  const token = await t.client.token(tid, MGMT);
  await t.client.request('POST', `/api/v1.0/${tid}/activity/feed/subscriptions/start?contentType=Audit.Exchange`, {
    headers: { Authorization: `Bearer ${token}` },
  });
});
afterEach(() => t.emu.setFaults(DEFAULT_FAULTS));
after(() => t.close());

const listPath = () => `/api/v1.0/${tid}/activity/feed/subscriptions/list`;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as {
    iat: number;
    nbf: number;
    exp: number;
  };

/** A raw GET that keeps what arrived before the connection broke (the support client would only reject). */
function rawGet(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer; error: Error | null }> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.emu.url}${path}`, { headers, ca: t.emu.caPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      const done = (error: Error | null) =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), error });
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null));
      res.on('error', (e) => done(e));
    });
    req.on('error', reject);
    req.end();
  });
}

test('slow responses: API replies start after slowMs of real time, unchanged; the control API is not slowed', async () => {
  const token = await t.client.token(tid, MGMT);
  const plain = await t.client.request('GET', listPath(), { headers: bearer(token) });
  t.emu.setFaults({ slowMs: 40 });
  const order: string[] = [];
  const began = performance.now();
  const [slow] = await Promise.all([
    t.client
      .request('GET', listPath(), { headers: bearer(token) })
      .then((r) => (order.push('api'), { r, ms: performance.now() - began })),
    t.client.request('GET', '/_emulator/faults').then((r) => (order.push('control'), r)),
  ]);
  assert.ok(slow.ms >= 38, `the API answered after ${slow.ms.toFixed(1)} ms, before the 40 ms delay`);
  assert.deepEqual(order, ['control', 'api']);
  assert.equal(slow.r.status, 200);
  assert.equal(slow.r.text, plain.text);
  assert.equal(slow.r.headers['content-type'], 'application/json; charset=utf-8');
});

test('cut mid-body: status and Content-Length arrive, then half the body, then the connection breaks', async () => {
  const token = await t.client.token(tid, MGMT);
  const whole = await rawGet(listPath(), bearer(token));
  assert.equal(whole.error, null);
  assert.ok(whole.body.length > 10);
  t.emu.setFaults({ cutRate: 1 });
  const cut = await rawGet(listPath(), bearer(token));
  assert.equal(cut.status, 200);
  assert.equal(cut.headers['content-length'], String(whole.body.length));
  assert.equal(cut.headers['content-type'], 'application/json; charset=utf-8');
  assert.ok(cut.error, 'the client sees the response fail, not end');
  assert.equal(cut.body.length, Math.floor(whole.body.length / 2));
  assert.deepEqual(cut.body, whole.body.subarray(0, cut.body.length));
  assert.throws(() => JSON.parse(cut.body.toString('utf8')) as unknown);
  // The control API stays whole, so a test can always read ground truth and switch the fault off.
  const control = await rawGet('/_emulator/tenants', {});
  assert.equal(control.error, null);
  assert.equal(control.body.length, Number(control.headers['content-length']));
});

test('cut rate is a seeded fraction: about half of 40 API responses are cut at 0.5', async () => {
  const token = await t.client.token(tid, MGMT);
  t.emu.setFaults({ cutRate: 0.5 });
  let cut = 0;
  for (let i = 0; i < 40; i++) if ((await rawGet(listPath(), bearer(token))).error) cut++;
  assert.ok(cut >= 8 && cut <= 32, `${cut} of 40 cut`);
});

test('clock skew: Date headers, token iat/nbf/exp and AADSTS timestamps are off by the skew; such tokens still work', async () => {
  const skew = 10 * 60_000;
  t.emu.setFaults({ clockSkewMs: skew });
  const now = t.emu.clock.now();
  const shown = now + skew;
  const form = {
    client_id: t.emu.tenants[0]!.clientId,
    client_secret: t.emu.tenants[0]!.clientSecret,
    grant_type: 'client_credentials',
  };
  const v2 = await t.client.request('POST', `/${tid}/oauth2/v2.0/token`, {
    form: { ...form, scope: `${MGMT}/.default` },
  });
  assert.equal(v2.headers.date, new Date(shown).toUTCString());
  const c = claims(v2.json<{ access_token: string }>().access_token);
  assert.equal(c.iat, Math.floor(shown / 1000));
  assert.equal(c.nbf, c.iat);
  assert.equal(c.exp, c.iat + 3599);
  const v1 = await t.client.request('POST', `/${tid}/oauth2/token`, { form: { ...form, resource: MGMT } });
  assert.equal(v1.json<{ not_before: string }>().not_before, String(Math.floor(shown / 1000)));
  const wrong = await t.client.request('POST', `/${tid}/oauth2/v2.0/token`, {
    form: { ...form, client_secret: 'nope', scope: `${MGMT}/.default` },
  });
  assert.equal(
    wrong.json<{ timestamp: string }>().timestamp,
    new Date(shown)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d{3}Z$/, 'Z'),
  );
  const api = await t.client.request('GET', listPath(), {
    headers: bearer(v2.json<{ access_token: string }>().access_token),
  });
  assert.equal(api.status, 200);
  assert.equal(api.headers.date, new Date(shown).toUTCString());
  assert.equal(
    (await t.client.request('GET', '/_emulator/clock')).json<{ now: string }>().now,
    new Date(now).toISOString(),
    'ground truth is unskewed',
  );
});

test('clock skew behind: a token whose exp is already past by the true clock is accepted for its whole expires_in', async () => {
  t.emu.setFaults({ clockSkewMs: -2 * 3_600_000 });
  const token = await t.client.token(tid, MGMT);
  assert.ok(claims(token).exp * 1000 < t.emu.clock.now(), 'exp lies before the true time');
  assert.equal((await t.client.request('GET', listPath(), { headers: bearer(token) })).status, 200);
  await t.emu.clock.advance(3_599_000);
  const late = await t.client.request('GET', listPath(), { headers: bearer(token) });
  assert.equal(late.status, 401);
});

async function expiredShapes(token: { mgmt: string; graph: string; exo: string }): Promise<EmuResponse[]> {
  const mgmt = await t.client.request('GET', listPath(), { headers: bearer(token.mgmt) });
  const graph = await t.client.request('GET', '/v1.0/users', { headers: bearer(token.graph) });
  const exo = await t.client.request('POST', `/adminapi/beta/${tid}/InvokeCommand`, {
    headers: bearer(token.exo),
    body: { CmdletInput: { CmdletName: 'Get-OrganizationConfig' } },
  });
  return [mgmt, graph, exo];
}

test('short token lifetime: expires_in follows the fault; at exp every API answers its own 401; a renewed token works', async () => {
  t.emu.setFaults({ tokenLifetimeSeconds: 60 });
  const t0 = Math.floor(t.emu.clock.now() / 1000);
  const issued = await t.client.request('POST', `/${tid}/oauth2/v2.0/token`, {
    form: {
      client_id: t.emu.tenants[0]!.clientId,
      client_secret: t.emu.tenants[0]!.clientSecret,
      grant_type: 'client_credentials',
      scope: `${MGMT}/.default`,
    },
  });
  const body = issued.json<{ expires_in: number; ext_expires_in: number; access_token: string }>();
  assert.equal(body.expires_in, 60);
  assert.equal(body.ext_expires_in, 60);
  assert.equal(claims(body.access_token).exp, t0 + 60);
  const tokens = {
    mgmt: body.access_token,
    graph: await t.client.token(tid, 'https://graph.microsoft.com'),
    exo: await t.client.token(tid, 'https://outlook.office365.com'),
  };
  await t.emu.clock.advance(59_000);
  for (const r of await expiredShapes(tokens)) assert.equal(r.status, 200, r.text);
  await t.emu.clock.advance(1_000);
  const [mgmt, graph, exo] = await expiredShapes(tokens);
  // Management Activity API: ASP.NET Web API's 401 body (non-AF) and a Bearer challenge (spec §2.11 note;
  // the wire as microsoft/powerapps-tools#300 captured it; beats renews on 401).
  assert.equal(mgmt!.status, 401);
  assert.deepEqual(mgmt!.json(), { Message: 'Authorization has been denied for this request.' });
  assert.equal(mgmt!.headers['www-authenticate'], 'Bearer');
  // Graph: its error envelope with innerError (spec §3.5).
  assert.equal(graph!.status, 401);
  const g = graph!.json<{ error: { code: string; message: string; innerError: Record<string, string> } }>().error;
  assert.equal(g.code, 'InvalidAuthenticationToken');
  assert.equal(g.message, 'Lifetime validation failed, the token is expired.');
  assert.equal(g.innerError['request-id'], graph!.headers['request-id']);
  // Exchange admin REST: 401 Unauthorized with a Bearer challenge.
  assert.equal(exo!.status, 401);
  assert.deepEqual(exo!.json(), { error: { code: 'Unauthorized', message: 'The access token is expired.' } });
  assert.equal(exo!.headers['www-authenticate'], 'Bearer');
  const renewed = await t.client.token(tid, MGMT);
  assert.equal((await t.client.request('GET', listPath(), { headers: bearer(renewed) })).status, 200);
});

test('tokenLifetimeSeconds through the control API is validated and shows in v1 token strings', async () => {
  const bad = await t.client.request('POST', '/_emulator/faults', { body: { tokenLifetimeSeconds: '60' } });
  assert.equal(bad.status, 400);
  const ok = await t.client.request('POST', '/_emulator/faults', { body: { tokenLifetimeSeconds: 120 } });
  assert.equal(ok.json<{ tokenLifetimeSeconds: number }>().tokenLifetimeSeconds, 120);
  const v1 = await t.client.request('POST', `/${tid}/oauth2/token`, {
    form: {
      client_id: t.emu.tenants[0]!.clientId,
      client_secret: t.emu.tenants[0]!.clientSecret,
      grant_type: 'client_credentials',
      resource: MGMT,
    },
  });
  const b = v1.json<{ expires_in: string; expires_on: string; not_before: string }>();
  assert.equal(b.expires_in, '120');
  assert.equal(Number(b.expires_on) - Number(b.not_before), 120);
});
