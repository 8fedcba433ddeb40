import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import { endpointsFor } from '../microsoft/types.js';
import type { HttpRequest, HttpResponse } from '../net/types.js';
import { openStore } from '../store/open.js';
import { collectHistory } from './history.js';

const TENANT = '11111111-1111-1111-1111-111111111111';
const GRAPH = 'https://graph.microsoft.com';

function reply(status: number, body: unknown): HttpResponse {
  const text = JSON.stringify(body);
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: Readable.from([text]),
    text: async () => text,
    json: async () => JSON.parse(text) as unknown,
  };
}

const record = (id: string) => ({
  id,
  createdDateTime: '2026-11-20T10:00:00Z',
  auditLogRecordType: 'exchangeAdmin',
  operation: 'Set-Mailbox',
  userId: 'admin@contoso.com',
  service: 'Exchange',
  auditData: {
    Id: id,
    CreationTime: '2026-11-20T10:00:00',
    RecordType: 1,
    Operation: 'Set-Mailbox',
    Workload: 'Exchange',
    UserId: 'admin@contoso.com',
  },
});

test('a Graph @odata.nextLink that names a page already read fails the history window instead of looping for ever', async () => {
  const page2 = `${GRAPH}/beta/security/auditLog/queries/q1/records?$skiptoken=2`;
  let requests = 0;
  const http = {
    request: async (r: HttpRequest): Promise<HttpResponse> => {
      if (++requests > 50) throw new Error('the client kept following the loop');
      if (r.method === 'POST') return reply(201, { id: 'q1', status: 'succeeded' });
      if (r.url.endsWith('/queries/q1/records')) return reply(200, { value: [record('a')], '@odata.nextLink': page2 });
      // Page 2 names itself as the next page: Graph looping.
      return reply(200, { value: [record('b')], '@odata.nextLink': page2 });
    },
  };
  const clock = new ManualClock(Date.UTC(2026, 11, 1));
  const store = await openStore('sqlite::memory:');
  try {
    const tenant = {
      tenantId: TENANT,
      name: 'contoso',
      connect: () => ({
        tenantId: TENANT,
        endpoints: endpointsFor('commercial'),
        http,
        tokens: { token: async () => 'token' },
        publisherId: null,
      }),
    };
    const o = { store, clock, logger: silentLogger, signal: new AbortController().signal };
    const range = { start: clock.now() - 30 * 86_400_000, end: clock.now() };
    const result = await collectHistory(o, tenant, range);
    assert.equal(result.error?.code, 'UPSTREAM');
    assert.match(result.error.message, /looped: its @odata.nextLink named a page already read/);
    assert.equal(result.newRecords, 2, 'the records read before the loop are kept');
    const [w] = await store.ledger.listWindows({ tenant: TENANT, stream: 'graph' });
    assert.deepEqual([w?.state, w?.start, w?.end], ['failed', range.start, range.end]);
  } finally {
    await store.close();
  }
});
