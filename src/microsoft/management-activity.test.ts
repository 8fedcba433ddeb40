import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { apiTime, contentPage, ManagementActivityClient, startOutcome } from './management-activity.js';
import type { HttpRequest, HttpResponse } from '../net/types.js';
import { endpointsFor, type TenantConnection } from './types.js';

const TENANT = '3509e8a3-4d87-4795-8f58-150ac9ed451b';
const item = (
  id: string,
  created: string,
  uri = `https://manage.office.com/api/v1.0/${TENANT}/activity/feed/audit/${id}`,
) => ({
  contentType: 'Audit.SharePoint',
  contentId: id,
  contentUri: uri,
  contentCreated: created,
  contentExpiration: '2026-03-17T10:00:00.000Z',
});

test('start: 200 and AF20024 "already enabled" are both success; UAL off is not', () => {
  assert.deepEqual(startOutcome(200, '{"contentType":"Audit.General","status":"enabled","webhook":null}'), {
    ok: true,
    value: 'enabled',
  });
  assert.deepEqual(
    startOutcome(
      400,
      '{"error":{"code":"AF20024","message":"The subscription is already enabled. No property change."}}',
    ),
    { ok: true, value: 'enabled' },
  );
  const off = startOutcome(
    400,
    '{"error":{"code":"StartSubscription [CorrId=x][TenantId=y","message":"] failed. Exception: Microsoft.Office.Compliance.Audit.DataServiceException: Tenant y does not exist."}}',
  );
  assert.equal(off.ok, false);
  assert.equal(!off.ok && off.failure.error.code, 'AUDIT_DISABLED');
});

test('a content page: items parsed (contentId with $ intact), NextPageUri or NextPageUrl followed', () => {
  const id = '20171014180051748005825$20171014180051748005825$audit_sharepoint$Audit_SharePoint';
  const page = contentPage(200, JSON.stringify([item(id, '2026-03-10T10:00:00.000Z'), { junk: true }]), {
    nextpageuri: 'https://manage.office.com/api/v1/x?nextPage=2',
  });
  assert.ok(page.ok);
  assert.equal(page.value.items.length, 1);
  assert.equal(page.value.items[0]!.contentId, id);
  assert.equal(page.value.items[0]!.contentCreated, Date.UTC(2026, 2, 10, 10));
  assert.equal(page.value.next, 'https://manage.office.com/api/v1/x?nextPage=2');
  const other = contentPage(200, '[]', { nextpageurl: 'https://manage.office.com/next' });
  assert.ok(other.ok && other.value.next === 'https://manage.office.com/next');
  const last = contentPage(200, '', {});
  assert.ok(last.ok && last.value.items.length === 0 && last.value.next === null);
  const missing = contentPage(
    400,
    '{"error":{"code":"AF20022","message":"No subscription found for the specified content type"}}',
    {},
  );
  assert.ok(!missing.ok && missing.failure.disposition === 'subscribe-and-retry');
});

test('times are sent in the documented UTC format', () => {
  assert.equal(apiTime(Date.UTC(2026, 2, 10, 7, 5, 9, 123)), '2026-03-10T07:05:09');
});

test('only the Management API base (scheme, host and port) may receive the token', () => {
  const base = 'https://127.0.0.1:8443';
  const client = new ManagementActivityClient({
    ...fakeConnection([], [], []),
    endpoints: endpointsFor('commercial', base),
  });
  assert.equal(client.accepts('https://127.0.0.1:8443/api/v1.0/t/activity/feed/audit/x'), true);
  assert.equal(client.accepts('https://127.0.0.1:9999/api/v1.0/t/activity/feed/audit/x'), false);
  assert.equal(client.accepts('http://127.0.0.1:8443/api/v1.0/t/activity/feed/audit/x'), false);
  assert.equal(client.accepts('https://evil.example/api/v1.0/t'), false);
  assert.equal(client.accepts('https://user:pw@127.0.0.1:8443/x'), false);
  assert.equal(client.accepts('not a url'), false);
});

function fakeConnection(
  replies: { status: number; body: string; headers?: Record<string, string> }[],
  seen: HttpRequest[],
  forced: boolean[],
): TenantConnection {
  return {
    tenantId: TENANT,
    endpoints: endpointsFor('commercial'),
    publisherId: '11111111-2222-3333-4444-555555555555',
    tokens: { token: async (_r, o) => (forced.push(!!o?.forceRefresh), o?.forceRefresh ? 'fresh' : 'stale') },
    http: {
      async request(req) {
        seen.push(req);
        const r = replies.shift()!;
        const res: HttpResponse = {
          status: r.status,
          headers: r.headers ?? {},
          body: Readable.from([r.body]),
          text: async () => r.body,
          json: async () => JSON.parse(r.body) as unknown,
        };
        return res;
      },
    },
  };
}

test('PublisherIdentifier on every call; a 401 renews the token once and repeats', async () => {
  const seen: HttpRequest[] = [];
  const forced: boolean[] = [];
  const client = new ManagementActivityClient(
    fakeConnection(
      [
        { status: 401, body: '' },
        { status: 200, body: '[]' },
      ],
      seen,
      forced,
    ),
  );
  const page = await client.listContent({
    contentType: 'Audit.Exchange',
    start: Date.UTC(2026, 2, 9),
    end: Date.UTC(2026, 2, 10),
  });
  assert.ok(page.ok);
  assert.deepEqual(forced, [false, true]);
  assert.equal(seen[1]!.headers!.authorization, 'Bearer fresh');
  const url = new URL(seen[1]!.url);
  assert.equal(url.pathname, `/api/v1.0/${TENANT}/activity/feed/subscriptions/content`);
  assert.equal(url.searchParams.get('PublisherIdentifier'), '11111111-2222-3333-4444-555555555555');
  assert.equal(url.searchParams.get('startTime'), '2026-03-09T00:00:00');
});

test('a NextPageUri or contentUri on another host is refused before any request (the token stays home)', async () => {
  const seen: HttpRequest[] = [];
  const client = new ManagementActivityClient(fakeConnection([], seen, []));
  await assert.rejects(client.listContent({ next: 'https://evil.example/api/v1.0/x?nextPage=1' }), {
    code: 'REFUSED_URL',
  });
  await assert.rejects(client.fetchBlob('https://evil.example/blob'), { code: 'REFUSED_URL' });
  assert.equal(seen.length, 0);
});
