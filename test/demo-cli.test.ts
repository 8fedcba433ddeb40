import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServe } from './support/cli.js';
import { tempDir } from './support/paths.js';

interface Status {
  collector: { following: boolean; tenants: { name: string; state: string; error: unknown }[] };
}

/**
 * `tenantwatch demo` as a person runs it, on one small simulated tenant: it collects the tenant's week,
 * opens the console, keeps collecting in the background while the console runs (the status says so),
 * and stops cleanly on Ctrl-C, background collection included.
 */
test(
  'demo collects a week, serves it, keeps collecting while the console runs, and stops on SIGINT',
  { timeout: 240_000 },
  async () => {
    const { dir, cleanup } = tempDir();
    const { child, url: started } = startServe(['--port', '0', '--tenants', '1', '--users', '5'], dir, 'demo');
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    try {
      const url = await started;
      assert.match(err, /records collected/);
      assert.match(err, /collecting new records every 5 minutes while the console runs/);
      const status = (await (await fetch(`${url}api/status`)).json()) as Status;
      assert.equal(status.collector.following, true);
      assert.deepEqual(
        status.collector.tenants.map((t) => [t.name, t.error]),
        [['contoso', null]],
      );
      const search = (await (await fetch(`${url}api/search/count?start=8d&end=now`)).json()) as { count?: number };
      assert.ok((search.count ?? 0) > 0, `the collected week is searchable: ${JSON.stringify(search)}`);
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGINT');
      assert.equal(await exit, 0, err);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      cleanup();
    }
  },
);
