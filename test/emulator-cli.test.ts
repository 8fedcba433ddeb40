import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { httpsRequest } from './support/emulator.js';
import { readFileSync } from 'node:fs';
import { repoRoot, tempDir } from './support/paths.js';
import { emulatorSettings } from '../src/cli/commands/emulator-flags.js';

test('tenantwatch emulator prints one JSON line on stdout, tenants on stderr, serves HTTPS with its CA, stops on SIGINT', async () => {
  const { dir, cleanup } = tempDir();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'src', 'cli', 'main.ts'),
      'emulator',
      '--tenants',
      '2',
      '--users',
      '5',
      '--state',
      join(dir, 'emu'),
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, TENANTWATCH_HOME: dir },
    },
  );
  try {
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
      });
      child.on('close', () => reject(new Error(`exited early: ${stderr}`)));
    });
    const info = JSON.parse(line) as { url: string; controlUrl: string; caFile: string };
    assert.match(info.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const tenants = await httpsRequest(`${info.controlUrl}/tenants`, readFileSync(info.caFile, 'utf8'), 'GET', {});
    assert.equal(tenants.json<unknown[]>().length, 2);
    assert.match(stderr, /client [0-9a-f-]{36}/);
    const closed = new Promise<number | null>((r) => child.on('close', r));
    child.kill('SIGINT');
    assert.equal(await closed, 0);
    assert.equal(stdout.trim().split('\n').length, 1);
  } finally {
    child.kill('SIGKILL');
    cleanup();
  }
});

test('16: settings are flags: --clock virtual --start --time-scale, throttle, latencies and faults', async () => {
  const { dir, cleanup } = tempDir();
  const args = ['--tenants', '1', '--users', '5', '--state', join(dir, 'emu'), '--clock', 'virtual'];
  args.push('--start', '2026-03-10T12:00:00Z', '--time-scale', '3600', '--throttle', 'off', '--throttle-status', '429');
  args.push('--first-data-delay', '0s', '--window-tolerance', '0s', '--cut-rate', '0.25', '--token-lifetime', '120');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), 'emulator', ...args],
    {
      cwd: repoRoot,
      env: { ...process.env, TENANTWATCH_HOME: dir },
    },
  );
  try {
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
      });
      child.on('close', () => reject(new Error(`exited early: ${stderr}`)));
    });
    const info = JSON.parse(line) as { controlUrl: string; caFile: string };
    const ca = readFileSync(info.caFile, 'utf8');
    const faults = (await httpsRequest(`${info.controlUrl}/faults`, ca, 'GET', {})).json<Record<string, unknown>>();
    assert.equal(faults.throttleBudgetPerMinute, null);
    assert.equal(faults.throttleStatus, 429);
    assert.equal(faults.cutRate, 0.25);
    assert.equal(faults.tokenLifetimeSeconds, 120);
    const clock = async () =>
      (await httpsRequest(`${info.controlUrl}/clock`, ca, 'GET', {})).json<{
        now: string;
        virtual: boolean;
        timeScale: number;
      }>();
    const first = await clock();
    assert.equal(first.virtual, true);
    // --time-scale 3600 reaches the emulator (how a scaled clock moves is emulator/scale.test.ts, on fake
    // timers); --start set the virtual clock, which has moved forward from there, never back.
    assert.equal(first.timeScale, 3600);
    assert.ok(Date.parse(first.now) >= Date.parse('2026-03-10T12:00:00Z'), first.now);
    const set = await httpsRequest(
      `${info.controlUrl}/clock`,
      ca,
      'POST',
      { 'Content-Type': 'application/json' },
      '{"now":"2026-03-11T00:00:00Z"}',
    );
    assert.equal(set.status, 200, set.text);
  } finally {
    child.kill('SIGKILL');
    cleanup();
  }
});

test('16: bad setting flags are usage errors that name the flag', () => {
  assert.throws(() => emulatorSettings({ clock: 'fast' }), /--clock must be real or virtual/);
  assert.throws(() => emulatorSettings({ timeScale: '60' }), /--time-scale needs --clock virtual/);
  assert.throws(() => emulatorSettings({ throttle: 'lots' }), /--throttle must be a number/);
  assert.throws(() => emulatorSettings({ firstDataDelay: 'soon' }), /--first-data-delay must be a span/);
  const s = emulatorSettings({ clock: 'virtual', timeScale: '60', firstDataDelay: '30m', throttle: 'off' });
  assert.equal(s.timeScale, 60);
  assert.equal(s.tuning?.firstDataDelayMs, 1_800_000);
  assert.equal(s.faults?.throttleBudgetPerMinute, null);
});
