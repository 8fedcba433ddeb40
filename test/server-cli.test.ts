import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { runCli, startServe } from './support/cli.js';
import { tempDir } from './support/paths.js';

/**
 * `tenantwatch serve` as a person runs it: prints the console URL (127.0.0.1 by default), answers the
 * API there, refuses a bad port with exit 2, and stops cleanly on Ctrl-C.
 */
test('serve prints its URL on 127.0.0.1, serves the API, and stops on SIGINT', async () => {
  const { dir, cleanup } = tempDir();
  const { child, url: started } = startServe(['--port', '0'], dir);
  try {
    const url = await started;
    const res = await fetch(`${url}api/tenants`);
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { tenants: unknown[] }).tenants, []);
    // A request for another host name is refused, and the warning reads as a sentence (issue 17 item 7: it
    // printed "tenantwatch: warning: auth.host_refused").
    const said = new Promise<string>((resolve) => {
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        err += d;
        if (err.includes('\n')) resolve(err);
      });
    });
    const port = new URL(url).port;
    const status = await new Promise<number>((resolve, reject) =>
      request({ host: '127.0.0.1', port, path: '/api/tenants', headers: { host: 'evil.example' } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      })
        .on('error', reject)
        .end(),
    );
    assert.equal(status, 421);
    assert.equal(
      (await said).trim(),
      'tenantwatch: warning: refused a request addressed to the host "evil.example": open the console by the address serve printed, or add --allow-host NAME',
    );
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    assert.equal(await exit, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    cleanup();
  }
});

test('a bad port is a usage error (exit 2) with a message', async () => {
  const { dir, cleanup } = tempDir();
  const { child, url } = startServe(['--port', '99999'], dir);
  url.catch(() => undefined);
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  cleanup();
  assert.equal(code, 2);
  assert.match(err, /port "99999" is not a number from 0 to 65535/);
});

test('--interval without --webhook-url is a usage error, not silently ignored (serve collects only with webhooks)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const res = await runCli(['serve', '--port', '0', '--interval', '5m'], { dataDir: dir, timeoutMs: 20_000 });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /--interval is the safety-net poll of --webhook-url/);
    assert.match(res.stderr, /collect --follow --interval/);
  } finally {
    cleanup();
  }
});

test("--allow-tenant-endpoints lets the console's Add tenant name a base URL and a CA file; without it they are refused", async () => {
  const tenant = {
    name: 'probe',
    tenantId: '0f0f0f0f-0000-4000-8000-000000000005',
    clientId: '0f0f0f0f-0000-4000-8000-000000000006',
    clientSecret: 'not-a-real-secret-value',
    baseUrl: 'https://127.0.0.1:1',
    caFile: '/nonexistent/ca.pem',
  };
  for (const [flags, status, message] of [
    [[], 403, /takes no baseUrl or caFile for a tenant over the API/],
    [['--allow-tenant-endpoints'], 400, /The CA file \/nonexistent\/ca.pem is not a readable PEM certificate/],
  ] as const) {
    const { dir, cleanup } = tempDir();
    const { child, url: started } = startServe(['--port', '0', ...flags], dir);
    try {
      const url = await started;
      const res = await fetch(`${url}api/tenants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(tenant),
      });
      assert.equal(res.status, status, flags.join(' '));
      assert.match(((await res.json()) as { error: { message: string } }).error.message, message);
    } finally {
      if (child.exitCode === null) {
        const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
        child.kill('SIGINT');
        await exit;
      }
      cleanup();
    }
  }
});
