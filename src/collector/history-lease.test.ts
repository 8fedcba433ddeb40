import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { pgSkip, tempDir } from '../../test/support/paths.js';
import { dropSchema, isolatedPgUrl } from '../../test/support/pg.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import { endpointsFor } from '../microsoft/types.js';
import { DEFAULT_TIMEOUT_MS } from '../net/http.js';
import type { HttpRequest, HttpResponse } from '../net/types.js';
import { openStore } from '../store/open.js';
import type { CollectTenant } from './collect.js';
import { historyLeaseKey, MIN_HISTORY_LEASE_MS, REQUEST_TIMEOUT_MS, withHistoryLease } from './history-lease.js';

/**
 * The history lease is renewed before a request, never during one: a request that starts just before a renewal is
 * due runs on what is left of the term. A short `--lease` with a slow Graph request (up to its timeout) let another
 * process take the tenant mid-request. The term is now at least three times the longest request, whose timeout is
 * held to it. The request below "takes" its whole timeout on the injected clock; nothing really waits.
 */
const TENANT = '3509e8a3-4d87-4795-8f58-150ac9ed451b';
const NOW = Date.UTC(2026, 2, 10, 12);

function reply(): HttpResponse {
  return {
    status: 200,
    headers: {},
    body: Readable.from(['{}']),
    text: async () => '{}',
    json: async () => ({}),
  };
}

test('a request that runs to its timeout just before a renewal is due cannot outlast a short --lease', async () => {
  const store = await openStore('sqlite::memory:');
  try {
    const clock = new ManualClock(NOW);
    const key = historyLeaseKey(TENANT);
    const sent: HttpRequest[] = [];
    const takenMidRequest: boolean[] = [];
    const tenant: CollectTenant = {
      tenantId: TENANT,
      name: 'contoso',
      connect: () => ({
        tenantId: TENANT,
        endpoints: endpointsFor('commercial'),
        publisherId: null,
        tokens: { token: async () => 'token-123' },
        http: {
          async request(req) {
            sent.push(req);
            clock.advance(req.timeoutMs ?? DEFAULT_TIMEOUT_MS); // the slowest answer its timeout allows
            takenMidRequest.push(await store.ledger.acquireLease(key, 'other', clock.now() + 60_000, clock.now()));
            return reply();
          },
        },
      }),
    };
    const o = {
      store,
      clock,
      logger: silentLogger,
      signal: new AbortController().signal,
      lease: { owner: 'me', termMs: 30_000 },
    };
    const held = await withHistoryLease(o, tenant, async (_o, t) => {
      const http = t.connect().http;
      // A moment before the renewal is due (a third of the term after the lease was taken), a request that asks
      // for a longer timeout than the term allows for starts, and runs to its timeout.
      clock.advance(MIN_HISTORY_LEASE_MS / 3 - 1);
      await http.request({ method: 'GET', url: 'https://graph.microsoft.com/a', timeoutMs: 600_000 });
      // One that names no timeout gets the bound too (the client's own default could be longer).
      await http.request({ method: 'GET', url: 'https://graph.microsoft.com/b' });
      return 'done';
    });
    assert.deepEqual(held, { held: true, value: 'done' });
    assert.deepEqual(takenMidRequest, [false, false], 'no other process took the tenant while a request ran');
    assert.deepEqual(
      sent.map((r) => r.timeoutMs),
      [REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS],
      'every request is held to the timeout the term allows for',
    );
    assert.ok(MIN_HISTORY_LEASE_MS >= 3 * REQUEST_TIMEOUT_MS);
  } finally {
    await store.close();
  }
});

for (const db of [
  {
    name: 'SQLite',
    skip: false,
    url: async (): Promise<[string, () => Promise<void>]> => {
      const dir = tempDir();
      return [`sqlite:${join(dir.dir, 'history.db')}`, async () => dir.cleanup()];
    },
  },
  {
    name: 'PostgreSQL',
    skip: pgSkip,
    url: async (): Promise<[string, () => Promise<void>]> => {
      const url = isolatedPgUrl('history_renew');
      return [url, () => dropSchema(url)];
    },
  },
])
  test(
    `${db.name}: a history lease that ran out and was taken over and let go meanwhile is not taken back`,
    {
      skip: db.skip,
    },
    async () => {
      const [url, drop] = await db.url();
      const [store, other] = [await openStore(url), await openStore(url)];
      try {
        const clock = new ManualClock(NOW);
        const key = historyLeaseKey(TENANT);
        const sent: string[] = [];
        const tenant: CollectTenant = {
          tenantId: TENANT,
          name: 'contoso',
          connect: () => ({
            tenantId: TENANT,
            endpoints: endpointsFor('commercial'),
            publisherId: null,
            tokens: { token: async () => 'token-123' },
            http: {
              async request(req) {
                sent.push(req.url);
                return reply();
              },
            },
          }),
        };
        const o = {
          store,
          clock,
          logger: silentLogger,
          signal: new AbortController().signal,
          lease: { owner: 'me', termMs: MIN_HISTORY_LEASE_MS },
        };
        const held = withHistoryLease(o, tenant, async (_o, t) => {
          const http = t.connect().http;
          await http.request({ method: 'GET', url: 'https://graph.microsoft.com/a' });
          // This process stood still past its term; another took the tenant's history, did its part and let it go.
          clock.advance(MIN_HISTORY_LEASE_MS + 1);
          assert.equal(
            await other.ledger.acquireLease(key, 'other', clock.now() + MIN_HISTORY_LEASE_MS, clock.now()),
            true,
          );
          await other.ledger.releaseLease(key, 'other');
          await http.request({ method: 'GET', url: 'https://graph.microsoft.com/b' });
          return 'done';
        });
        await assert.rejects(held, /Another process took over the history collection/);
        assert.deepEqual(sent, ['https://graph.microsoft.com/a'], 'nothing sent once the lease changed hands');
      } finally {
        await store.close();
        await other.close();
        await drop();
      }
    },
  );
