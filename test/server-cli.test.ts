import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServe } from './support/cli.js';
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
