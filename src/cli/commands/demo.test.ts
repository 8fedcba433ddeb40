import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../test/support/cli.js';
import { createContext } from '../context.js';
import { collectedLine, demoContext, demoSimulation, demoTimeScale, scaledClock } from './demo.js';
import type { AppError } from '../../core/errors.js';

async function withHome(fn: (home: string) => unknown): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'tw-demo-home-'));
  const saved = {
    HOME: process.env.HOME,
    TENANTWATCH_HOME: process.env.TENANTWATCH_HOME,
    DB: process.env.TENANTWATCH_DB,
  };
  process.env.HOME = home;
  delete process.env.TENANTWATCH_HOME;
  delete process.env.TENANTWATCH_DB;
  try {
    await fn(home);
  } finally {
    process.env.HOME = saved.HOME;
    if (saved.TENANTWATCH_HOME !== undefined) process.env.TENANTWATCH_HOME = saved.TENANTWATCH_HOME;
    if (saved.DB !== undefined) process.env.TENANTWATCH_DB = saved.DB;
    rmSync(home, { recursive: true, force: true });
  }
}

test('without --data the demo keeps its tenants in a folder of its own; --reset empties only that folder', () =>
  withHome(async (home) => {
    const signal = new AbortController().signal;
    const outer = createContext({}, signal);
    const ctx = demoContext(outer, {}, {});
    assert.equal(ctx.locations.dataDir, join(home, '.tenantwatch', 'demo'));
    assert.ok(existsSync(join(ctx.locations.dataDir, 'tenantwatch-demo.json')), 'marked as the demo’s own');
    writeFileSync(join(ctx.locations.dataDir, 'tenantwatch.sqlite'), 'old demo data');
    const reset = demoContext(outer, { reset: true }, {});
    assert.ok(!existsSync(join(reset.locations.dataDir, 'tenantwatch.sqlite')), 'reset starts afresh');
    assert.ok(existsSync(join(reset.locations.dataDir, 'tenantwatch-demo.json')));
    await Promise.all([ctx.close(), reset.close(), outer.close()]);
  }));

test('--reset refuses a folder the demo did not make (a real data folder named with --data)', () =>
  withHome((home) => {
    const real = join(home, 'real');
    mkdirSync(real);
    writeFileSync(join(real, 'tenantwatch.sqlite'), 'real tenants');
    const outer = createContext({ data: real }, new AbortController().signal);
    assert.equal(demoContext(outer, {}, { data: real }), outer, 'an explicit --data is used as it is');
    assert.throws(() => demoContext(outer, { reset: true }, { data: real }), /not a folder the demo made/);
    assert.ok(existsSync(join(real, 'tenantwatch.sqlite')), 'nothing was removed');
  }));

test('--time-scale: a number from 0 to 10000, and the scaled clock waits 1/N of the emulator time', async () => {
  assert.equal(demoTimeScale(undefined), 0);
  assert.equal(demoTimeScale('60'), 60);
  for (const bad of ['fast', '-1', '1e9'])
    assert.throws(
      () => demoTimeScale(bad),
      (e: AppError) => e.code === 'USAGE' && e.message.includes(bad),
    );
  let t = 1_000;
  const clock = scaledClock(() => t, 1_000);
  assert.equal(clock.now(), 1_000);
  t = 5_000;
  assert.equal(clock.now(), 5_000, "the emulator's time, as it moves");
  const started = performance.now();
  await clock.sleep(1_000);
  assert.ok(performance.now() - started < 500, 'a second of emulator time is 1 ms at 1000×');
});

test('a console port already in use stops the demo before the emulator starts, not after the collection', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as AddressInfo).port;
  const data = mkdtempSync(join(tmpdir(), 'tw-demo-port-'));
  try {
    const res = await runCli(['demo', '--port', String(port), '--tenants', '1', '--users', '3'], { dataDir: data });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`));
    assert.doesNotMatch(res.stderr, /emulator running/);
  } finally {
    await new Promise((resolve) => taken.close(resolve));
    rmSync(data, { recursive: true, force: true });
  }
});

test('the simulation flags are checked as the emulator checks them: a typo is refused, not replaced by the default', () => {
  assert.deepEqual(demoSimulation({ seed: '7', tenants: '3', users: '20' }), { seed: 7, tenants: 3, users: 20 });
  // "--tenants 3x" ran five tenants, "--users 0" fifty, without a word.
  for (const [flag, value] of [
    ['tenants', '3x'],
    ['users', '0'],
    ['seed', '-1'],
  ] as const)
    assert.throws(
      () => demoSimulation({ seed: '1', tenants: '5', users: '50', [flag]: value }),
      (e) => (e as AppError).code === 'USAGE' && (e as AppError).message.startsWith(`--${flag} must be a whole number`),
    );
});

test('the collection line counts in words that agree with the number (a rerun said "1 records collected (1 blobs)")', () => {
  assert.equal(
    collectedLine({ name: 'northwind', newRecords: 1, blobsFetched: 1, error: null }),
    'northwind: 1 record collected (1 blob)',
  );
  assert.equal(
    collectedLine({ name: 'contoso', newRecords: 7300, blobsFetched: 1139, error: null }),
    'contoso: 7,300 records collected (1,139 blobs)',
  );
});
