import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { createHttpClient } from '../net/http.js';
import { listen, recorder, testPki, type Listener, type Recorder } from '../net/testing/tls.js';
import type { ClosableHttpClient } from '../net/types.js';
import { ExchangeAdminClient } from './exchange-admin.js';
import { GraphAuditQueryClient } from './graph-audit-query.js';
import { GraphDirectory } from './graph-directory.js';
import { ManagementActivityClient } from './management-activity.js';
import { endpointsFor, type TenantConnection } from './types.js';

/**
 * Issue 18 item 12: no client sends the tenant's token to a host the service names. The tenant's service
 * is a real HTTPS listener on 127.0.0.1; its answers point next links and content URIs at a second listener
 * (another port, also trusted, so a leaked request would complete there) or at another scheme. Each client
 * must refuse with REFUSED_URL, and the second listener must see no connection at all.
 */
const TENANT = '3509e8a3-4d87-4795-8f58-150ac9ed451b';
const TOKEN = 'token-that-must-stay-home';

let service: Listener;
let foreign: Recorder;
let http: ClosableHttpClient;
/** What the tenant's service answers next; set by each test. */
let answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
const tokenAsks: string[] = [];
const serviceSaw: { url: string; authorization: string | null }[] = [];

before(async () => {
  const pki = await testPki();
  foreign = await recorder(pki);
  service = await listen(pki.good, (req, res) => {
    serviceSaw.push({ url: req.url ?? '', authorization: req.headers.authorization ?? null });
    answer(req, res);
  });
  http = createHttpClient({ ca: pki.caPem });
});

after(async () => {
  http?.close();
  await service?.close();
  await foreign?.close();
});

function connection(): TenantConnection {
  return {
    tenantId: TENANT,
    endpoints: endpointsFor('commercial', service.origin),
    publisherId: null,
    tokens: { token: async (resource) => (tokenAsks.push(resource), TOKEN) },
    http,
  };
}

/** Next links that leave the tenant's service: another port, another host name, another scheme. */
function hostile(path: string): string[] {
  return [
    `${foreign.origin}${path}`,
    `https://localhost:${foreign.port}${path}`,
    `http://127.0.0.1:${service.port}${path}`,
    `https://user:pw@127.0.0.1:${service.port}${path}`,
  ];
}

function json(res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The first request reached the tenant's service with the token; nothing reached the foreign listener. */
function assertTokenStayedHome(): void {
  assert.ok(serviceSaw.length > 0 && serviceSaw.every((r) => r.authorization === `Bearer ${TOKEN}`));
  assert.equal(foreign.connections, 0, 'no connection to the foreign listener');
  assert.deepEqual(foreign.requests, []);
}

test('the foreign listener would record a leak (the check below is not vacuous)', async () => {
  const res = await http.request({ method: 'GET', url: `${foreign.origin}/probe`, headers: { authorization: 'x' } });
  await res.text();
  assert.deepEqual(foreign.requests.splice(0), [{ method: 'GET', url: '/probe', authorization: 'x' }]);
  assert.ok(foreign.connections > 0);
  foreign.connections = 0;
});

test('management activity: a NextPageUri or contentUri elsewhere is refused; the token stays home', async () => {
  const client = new ManagementActivityClient(connection());
  for (const next of hostile(`/api/v1.0/${TENANT}/activity/feed/subscriptions/content?nextPage=2`)) {
    answer = (_req, res) => json(res, [], { NextPageUri: next });
    const page = await client.listContent({ contentType: 'Audit.General', start: 0, end: 3_600_000 });
    assert.ok(page.ok && page.value.next === next);
    await assert.rejects(client.listContent({ next }), { code: 'REFUSED_URL' });
  }
  for (const uri of hostile(`/api/v1.0/${TENANT}/activity/feed/audit/blob-1`))
    await assert.rejects(client.fetchBlob(uri), { code: 'REFUSED_URL' });
  assertTokenStayedHome();
});

test('Graph audit query: an @odata.nextLink elsewhere is refused; the token stays home', async () => {
  const client = new GraphAuditQueryClient(connection());
  for (const next of hostile('/beta/security/auditLog/queries/q1/records?$skiptoken=2')) {
    answer = (_req, res) => json(res, { value: [{ id: 'r1' }], '@odata.nextLink': next });
    const page = await client.records({ id: 'q1' });
    assert.ok(page.ok && page.value.next === next);
    await assert.rejects(client.records({ next }), { code: 'REFUSED_URL' });
  }
  assertTokenStayedHome();
});

test('Graph directory: an @odata.nextLink elsewhere is refused; the token stays home', async () => {
  const client = new GraphDirectory(connection());
  for (const next of hostile('/v1.0/directoryRoles?$skiptoken=2')) {
    answer = (_req, res) =>
      json(res, { value: [{ id: 'role-1', displayName: 'Global Administrator' }], '@odata.nextLink': next });
    await assert.rejects(client.roles(), { code: 'REFUSED_URL' });
  }
  assertTokenStayedHome();
});

test('Exchange admin: an @odata.nextLink elsewhere is refused; the Exchange.ManageAsApp token stays home', async () => {
  const client = new ExchangeAdminClient(connection(), { clock: new ManualClock(0, true) });
  for (const next of hostile(`/adminapi/beta/${TENANT}/InvokeCommand?$skiptoken=2`)) {
    answer = (_req, res) => json(res, { value: [{ Name: 'a' }], '@odata.nextLink': next });
    await assert.rejects(client.invoke('Get-Mailbox', { ResultSize: 'Unlimited' }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'REFUSED_URL');
      assert.ok(!e.message.includes('skiptoken'), 'the message names the origin, not the whole URL');
      return true;
    });
  }
  assert.ok(serviceSaw.some((r) => r.url.startsWith(`/adminapi/beta/${TENANT}/InvokeCommand`)));
  assertTokenStayedHome();
});
