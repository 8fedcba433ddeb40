import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { ManualClock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { networkError } from '../net/failures.js';
import { ExchangeAdminClient } from './exchange-admin.js';
import type { HttpRequest, HttpResponse } from '../net/types.js';
import { endpointsFor, type TenantConnection } from './types.js';

type Canned = { status: number; body: string; headers?: Record<string, string> };

function connection(replies: Canned[]) {
  const requests: HttpRequest[] = [];
  const forced: boolean[] = [];
  const conn: TenantConnection = {
    tenantId: 'tid-1',
    endpoints: endpointsFor('commercial', 'https://127.0.0.1:9443'),
    publisherId: null,
    tokens: { token: async (_r, o) => (forced.push(!!o?.forceRefresh), 'tok') },
    http: {
      request: async (req) => {
        requests.push(req);
        const r = replies.shift();
        if (!r) throw new Error('no more canned replies');
        const response: HttpResponse = {
          status: r.status,
          headers: r.headers ?? {},
          body: Readable.from([r.body]),
          text: async () => r.body,
          json: async () => JSON.parse(r.body),
        };
        return response;
      },
    },
  };
  return { conn, requests, forced };
}

test('pages are followed with a POST of the same body; annotations and warnings are handled', async () => {
  const { conn, requests } = connection([
    {
      status: 200,
      body: JSON.stringify({
        value: [{ Name: 'a', 'AuditOwner@odata.type': '#Collection(String)' }],
        '@odata.nextLink': 'https://127.0.0.1:9443/next?page=2',
      }),
    },
    { status: 200, body: JSON.stringify({ value: [{ Name: 'b' }], '@adminapi.warnings': ['careful'] }) },
  ]);
  const client = new ExchangeAdminClient(conn, { clock: new ManualClock(0, true) });
  const result = await client.invoke('Get-Mailbox', { ResultSize: 'Unlimited' });
  assert.deepEqual(result, { value: [{ Name: 'a' }, { Name: 'b' }], warnings: ['careful'] });
  assert.equal(requests[0]!.url, 'https://127.0.0.1:9443/adminapi/beta/tid-1/InvokeCommand');
  assert.equal(requests[1]!.url, 'https://127.0.0.1:9443/next?page=2');
  assert.equal(requests[1]!.method, 'POST');
  assert.equal(requests[1]!.body, requests[0]!.body);
  assert.deepEqual(JSON.parse(String(requests[0]!.body)), {
    CmdletInput: { CmdletName: 'Get-Mailbox', Parameters: { ResultSize: 'Unlimited' } },
  });
  assert.equal(
    requests[0]!.headers!['x-anchormailbox'],
    'APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@tid-1',
  );
  assert.equal(requests[0]!.headers!.prefer, 'odata.maxpagesize=1000');
});

test('429 waits Retry-After on the clock, plain-text concurrency errors retry, 401 renews once', async () => {
  const clock = new ManualClock(0, true);
  const { conn, forced } = connection([
    {
      status: 429,
      body: '{"error":{"code":"TooManyRequests","message":"slow down"}}',
      headers: { 'retry-after': '7' },
    },
    {
      status: 500,
      body: 'You have reached the maximum number of concurrent requests per tenant. Please wait and try again',
    },
    { status: 401, body: '' },
    { status: 204, body: '' },
  ]);
  const result = await new ExchangeAdminClient(conn, { clock }).invoke('Set-AdminAuditLogConfig', {
    UnifiedAuditLogIngestionEnabled: true,
  });
  assert.deepEqual(result, { value: [], warnings: [] });
  assert.equal(clock.now(), 7000 + 2000, 'waited Retry-After, then the second backoff step');
  assert.deepEqual(forced, [false, false, false, true]);
});

test('errors say what to do: dehydrated tenant, missing permission, give-up after bounded retries', async () => {
  const dehydrated = JSON.stringify({
    error: {
      code: 'InternalServerError',
      message: 'x',
      details: [
        {
          message:
            "Ex5A6E3E|Microsoft.Exchange.Management.Tasks.InvalidOperationInDehydratedContextException|The command you tried to run isn't currently allowed in your organization. To run this command, you first need to run the command: Enable-OrganizationCustomization.",
        },
      ],
    },
  });
  const clock = new ManualClock(0, true);
  const run = (replies: Canned[]) =>
    new ExchangeAdminClient(connection(replies).conn, { clock, maxAttempts: 3 }).invoke('Set-Mailbox', {});
  await assert.rejects(
    run([{ status: 400, body: dehydrated }]),
    (e: unknown) =>
      e instanceof AppError &&
      e.code === 'CONFLICT' &&
      /Enable-OrganizationCustomization/.test(e.hint!) &&
      e.details!.dehydrated === true,
  );
  await assert.rejects(
    run([{ status: 403, body: '{"error":{"code":"Forbidden","message":"no role"}}' }]),
    (e: unknown) => e instanceof AppError && e.code === 'PERMISSION_MISSING' && /Exchange\.ManageAsApp/.test(e.hint!),
  );
  await assert.rejects(
    run([
      { status: 503, body: '' },
      { status: 503, body: '' },
      { status: 503, body: '' },
    ]),
    (e: unknown) => e instanceof AppError && e.code === 'UPSTREAM',
  );
  await assert.rejects(
    run([{ status: 200, body: '<html>' }]),
    (e: unknown) => e instanceof AppError && /not a JSON object/.test(e.message),
  );
});

test('a network failure is reported at once (posture runs are interactive), not retried, and says nothing of retries', async () => {
  let calls = 0;
  const { conn } = connection([]);
  conn.http = {
    request: async (req) => {
      calls++;
      const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      throw networkError(refused, new AbortController().signal, new URL(req.url));
    },
  };
  const clock = new ManualClock(0, true);
  await assert.rejects(
    new ExchangeAdminClient(conn, { clock }).invoke('Get-Mailbox'),
    (e: unknown) =>
      e instanceof AppError &&
      e.code === 'NETWORK' &&
      /^Nothing accepts connections at 127\.0\.0\.1:9443/.test(e.message) &&
      !/retr|tried/i.test(e.hint ?? ''),
  );
  assert.equal(calls, 1);
  assert.equal(clock.now(), 0);
});

test("a gateway's 502/504 to any attempt is named in the final error; Exchange's own 502 envelope is not", async () => {
  const clock = new ManualClock(0, true);
  const run = (replies: Canned[]) =>
    new ExchangeAdminClient(connection(replies).conn, { clock, maxAttempts: 3 }).invoke('Set-Mailbox', {});
  const page = { status: 504, body: '<html><body><h1>504 Gateway Time-out</h1></body></html>' };
  await assert.rejects(
    run([page, page, page]),
    (e: unknown) =>
      e instanceof AppError &&
      e.code === 'UPSTREAM' &&
      e.details!.gatewayStatus === 504 &&
      /^A gateway in front of Exchange Online answered Set-Mailbox with HTTP 504/.test(e.message) &&
      /may or may not have run it/.test(e.hint!),
  );
  await assert.rejects(
    run([
      { status: 502, body: 'Bad Gateway' },
      { status: 503, body: '' },
      { status: 503, body: '' },
    ]),
    (e: unknown) => e instanceof AppError && e.details!.gatewayStatus === 502 && e.details!.status === 503,
    'an earlier attempt went through the gateway: the cmdlet may have run then',
  );
  // A gateway's 504, then a connection refused on the retry: the cmdlet may still have run behind the gateway.
  const thenRefused = connection([page]).conn;
  const inner = thenRefused.http.request;
  let sent = 0;
  thenRefused.http = {
    request: async (req) => {
      if (sent++ === 0) return inner(req);
      const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      throw networkError(refused, new AbortController().signal, new URL(req.url));
    },
  };
  await assert.rejects(
    new ExchangeAdminClient(thenRefused, { clock, maxAttempts: 3 }).invoke('Set-Mailbox', {}),
    (e: unknown) => e instanceof AppError && e.code === 'NETWORK' && e.details!.gatewayStatus === 504,
    'the refused retry does not hide that the first attempt went through a gateway',
  );
  const own = JSON.stringify({ error: { code: 'InternalServerError', message: 'Ex1|X.Exception|boom' } });
  await assert.rejects(
    run([
      { status: 502, body: own },
      { status: 502, body: own },
      { status: 502, body: own },
    ]),
    (e: unknown) => e instanceof AppError && e.details!.gatewayStatus === undefined,
  );
});
