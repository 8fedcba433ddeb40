import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, tempDir } from './support/paths.js';

/**
 * `tenantwatch serve` as a person runs it: prints the console URL (127.0.0.1 by default), answers the
 * API there, refuses a bad port with exit 2, and stops cleanly on Ctrl-C.
 */
function serve(args: string[], dataDir: string) {
  return spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), 'serve', ...args], {
    cwd: repoRoot,
    env: { ...process.env, TENANTWATCH_HOME: dataDir, TENANTWATCH_DB: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

test('serve prints its URL on 127.0.0.1, serves the API, and stops on SIGINT', async () => {
  const { dir, cleanup } = tempDir();
  const child = serve(['--port', '0'], dir);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /tenantwatch console: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
    });
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
  const child = serve(['--port', '99999'], dir);
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  cleanup();
  assert.equal(code, 2);
  assert.match(err, /port "99999" is not a number from 0 to 65535/);
});
