import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { recordingLogger } from '../core/log.js';
import { MsalTokenProvider } from '../microsoft/auth.js';
import { endpointsFor, type TenantConnection } from '../microsoft/types.js';
import { createHttpClient } from '../net/http.js';
import { listen, testPki } from '../net/testing/tls.js';
import { openStore } from '../store/open.js';
import { collect } from './collect.js';

/**
 * A tenant whose service presents a bad certificate fails at once with the cause named (not "check the
 * network" after minutes of retries): msal hides transport failures behind "endpoints_resolution_error",
 * so the sign-in keeps the real one; the retry policy treats certificate failures as permanent.
 */
const TENANT = '3509e8a3-4d87-4795-8f58-150ac9ed451b';

test('an untrusted CA or a wrong host name fails the tenant at once, saying which', async () => {
  const pki = await testPki();
  const cases = [
    { tls: pki.untrusted, cause: /not signed by a trusted certificate authority/, hint: /--ca-file/ },
    { tls: pki.wrongHost, cause: /is for another host name \(it names DNS:elsewhere\.example\)/, hint: /host/ },
  ];
  for (const c of cases) {
    const server = await listen(c.tls, (_req, res) => res.end('{}'));
    const http = createHttpClient({ ca: pki.caPem });
    const clock = new ManualClock(Date.UTC(2026, 2, 10), true);
    const endpoints = endpointsFor('commercial', server.origin);
    const conn: TenantConnection = {
      tenantId: TENANT,
      endpoints,
      publisherId: null,
      http,
      tokens: new MsalTokenProvider({
        tenantId: TENANT,
        clientId: '00000000-0000-0000-0000-000000000001',
        endpoints,
        credential: { kind: 'secret', secret: 'not-used' },
        http,
        clock,
      }),
    };
    const store = await openStore('sqlite::memory:');
    const summary = await collect({
      tenants: [{ tenantId: TENANT, name: 'contoso', connect: () => conn }],
      store,
      clock,
      logger: recordingLogger(),
      signal: new AbortController().signal,
      tuning: { contentTypes: ['Audit.General'] },
    });
    const t = summary.tenants[0]!;
    assert.equal(t.state, 'failed');
    assert.match(t.error?.message ?? '', c.cause);
    assert.match(t.error?.hint ?? '', c.hint);
    assert.doesNotMatch(`${t.error?.message} ${t.error?.hint}`, /check the network/i);
    assert.equal(t.retries, 0, 'a certificate is not retried');
    assert.equal(clock.now(), Date.UTC(2026, 2, 10), 'no backoff was waited');
    await store.close();
    http.close();
    await server.close();
  }
});
