import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createHttpClient } from '../src/net/http.js';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';

/**
 * The HTTPS client under the Microsoft clients: an extra CA is trusted (never verification off), an
 * untrusted server is refused with a hint, bodies stream, timeouts and aborts end the request.
 */
let t: TestEmulator;
let server: Server;
let url: string;

before(async () => {
  t = await startTestEmulator({ tenants: 1, users: 2, days: 1 });
  server = createServer({ cert: t.emu.serverCertPem, key: t.emu.serverKeyPem }, (req, res) => {
    if (req.url === '/stall') {
      res.writeHead(200);
      res.write('[');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', NextPageUri: 'https://x/next' });
    res.end(JSON.stringify({ path: req.url, auth: req.headers.authorization ?? null }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await t?.close();
});

test('the extra CA is trusted; without it the server is refused with a hint to give --ca-file', async () => {
  const trusted = createHttpClient({ ca: t.emu.caPem });
  const res = await trusted.request({ method: 'GET', url: `${url}/a?b=1`, headers: { authorization: 'Bearer x' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.nextpageuri, 'https://x/next');
  assert.deepEqual(await res.json(), { path: '/a?b=1', auth: 'Bearer x' });
  const plain = createHttpClient();
  await assert.rejects(
    plain.request({ method: 'GET', url }),
    (e: Error & { code?: string; hint?: string }) => e.code === 'NETWORK' && /--ca-file/.test(e.hint ?? ''),
  );
  await assert.rejects(trusted.request({ method: 'GET', url: url.replace('https', 'http') }), { code: 'REFUSED_URL' });
  trusted.close();
  plain.close();
});

test('a stalled body times out; an abort ends the request', async () => {
  const client = createHttpClient({ ca: t.emu.caPem });
  const res = await client.request({ method: 'GET', url: `${url}/stall`, timeoutMs: 300 });
  await assert.rejects(res.text(), { code: 'TIMEOUT' });
  const controller = new AbortController();
  const pending = client
    .request({ method: 'GET', url: `${url}/stall`, signal: controller.signal })
    .then((r) => r.text());
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(pending, (e: Error) => e.name === 'AbortError');
  client.close();
});
