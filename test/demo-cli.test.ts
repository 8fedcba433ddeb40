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
      // The rules ran on the collected week (the Alerts page showed 0 alerts: the demo never ran them).
      assert.match(err, /detections: [\d,]+ new records evaluated: [1-9][\d,]* alerts? raised/);
      const alerts = (await (await fetch(`${url}api/alerts`)).json()) as { count?: number };
      assert.ok((alerts.count ?? 0) > 0, `the week's scripted attacks raised alerts: ${JSON.stringify(alerts)}`);
      // The demo's tenants live at the emulator: its console's Add tenant takes a base URL and CA file (a plain
      // serve refuses them with FORBIDDEN). The file named does not exist, so it is that which is said.
      const added = await fetch(`${url}api/tenants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url.replace(/\/$/, '') },
        body: JSON.stringify({
          name: 'extra',
          tenantId: '00000000-0000-4000-8000-00000000abcd',
          clientId: '00000000-0000-4000-8000-00000000abce',
          clientSecret: 'not-a-secret',
          baseUrl: 'https://127.0.0.1:9',
          caFile: `${dir}/no-such-ca.pem`,
        }),
      });
      const answer = (await added.json()) as { error?: { code: string; message: string } };
      assert.notEqual(answer.error?.code, 'FORBIDDEN', JSON.stringify(answer));
      assert.match(answer.error?.message ?? '', /no-such-ca\.pem/, JSON.stringify(answer));
      // What a person reads is sentences: no JSON log line, no Node warning, no stack trace.
      assert.doesNotMatch(err, /^\{|Warning:|^\s+at /m, err);
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGINT');
      assert.equal(await exit, 0, err);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      cleanup();
    }
  },
);

/**
 * Issue 17 item 16: `demo --time-scale N` runs the emulator's virtual clock N times faster, and the demo
 * (collector, checks, console) follows it: an hour of the emulator passes in a real second at 3600.
 */
test(
  'demo --time-scale: the console and the collector follow the emulator clock, hours in seconds',
  { timeout: 240_000 },
  async () => {
    const { dir, cleanup } = tempDir();
    const args = ['--port', '0', '--tenants', '1', '--users', '5', '--time-scale', '3600'];
    const { child, url: started } = startServe(args, dir, 'demo');
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    try {
      const url = await started;
      assert.match(err, /the emulator's clock runs 3600× real time \(an hour in 1 s\)/);
      const now = async () => ((await (await fetch(`${url}api/status`)).json()) as { now: number }).now;
      // No fixed sleep: ask until the console's clock has moved an hour, which at 3600× takes a real
      // second; at 1× (the scale ignored) it would take an hour, so a bound of 20 real seconds tells them apart.
      const first = await now();
      const realStart = Date.now();
      let moved = 0;
      while (moved < 3_600_000 && Date.now() - realStart < 20_000) {
        await new Promise((resolve) => setImmediate(resolve));
        moved = (await now()) - first;
      }
      const real = Date.now() - realStart;
      assert.ok(moved >= 3_600_000, `the console's clock moved ${moved} ms in ${real} real ms`);
      const status = (await (await fetch(`${url}api/status`)).json()) as Status;
      assert.equal(status.collector.following, true);
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGINT');
      assert.equal(await exit, 0, err);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      cleanup();
    }
  },
);
