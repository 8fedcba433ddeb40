import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AppError } from '../core/errors.js';
import { isTransientError } from './failures.js';
import { createHttpClient } from './http.js';
import { classifyThrown } from './retry.js';
import { listen, testPki, type Listener, type TestPki } from './testing/tls.js';

/**
 * Issue 18 item 16 (its certificate part): a TLS failure names its cause — a CA nobody trusts, a
 * certificate for another host name — and says what to do, instead of "check the network"; and it is
 * not retried, since waiting cannot make a certificate trusted. Real TLS servers on 127.0.0.1.
 */
let pki: TestPki;
const servers: Record<'good' | 'untrusted' | 'wrongHost', Listener> = {} as never;

before(async () => {
  pki = await testPki();
  for (const kind of ['good', 'untrusted', 'wrongHost'] as const)
    servers[kind] = await listen(pki[kind], (_req, res) => res.end('{"ok":true}'));
});
after(async () => {
  for (const s of Object.values(servers)) await s.close();
});

async function failure(url: string, ca: string | null): Promise<AppError> {
  const client = createHttpClient({ ca });
  try {
    await client.request({ method: 'GET', url });
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    return e;
  } finally {
    client.close();
  }
  assert.fail(`${url} was accepted`);
}

test('with the CA given, the server is trusted', async () => {
  const client = createHttpClient({ ca: pki.caPem });
  const res = await client.request({ method: 'GET', url: `${servers.good.origin}/x` });
  assert.deepEqual(await res.json(), { ok: true });
  client.close();
});

test('an untrusted CA is named as such, with --ca-file as the remedy, and is not retried', async () => {
  for (const [url, ca] of [
    [servers.untrusted.origin, pki.caPem],
    [servers.good.origin, null],
  ] as const) {
    const e = await failure(url, ca);
    assert.equal(e.code, 'NETWORK');
    assert.match(e.message, /certificate of 127\.0\.0\.1:\d+ is not signed by a trusted certificate authority/);
    assert.match(e.hint ?? '', /--ca-file/);
    assert.doesNotMatch(`${e.message} ${e.hint}`, /check the network/i);
    assert.equal(e.details?.cause, 'certificate-untrusted');
    assert.equal(isTransientError(e), false);
    assert.equal(classifyThrown(e).kind, 'permanent');
  }
});

test('a certificate for another host name is named as such, with the names it holds', async () => {
  const e = await failure(servers.wrongHost.origin, pki.caPem);
  assert.equal(e.code, 'NETWORK');
  assert.match(
    e.message,
    /certificate of 127\.0\.0\.1:\d+ is for another host name \(it names DNS:elsewhere\.example\)/,
  );
  assert.match(e.hint ?? '', /host is one the certificate names/);
  assert.equal(e.details?.cause, 'certificate-host');
  assert.equal(classifyThrown(e).kind, 'permanent');
});

test('nothing listening is named, and stays transient (the service may come back)', async () => {
  const closed = await listen(pki.good, (_req, res) => res.end());
  await closed.close();
  const e = await failure(`${closed.origin}/x`, pki.caPem);
  assert.match(e.message, /Nothing accepts connections at 127\.0\.0\.1:\d+/);
  assert.equal(e.details?.cause, 'refused');
  assert.equal(classifyThrown(e).kind, 'transient');
});
