import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { httpsRequest } from './support/emulator.js';
import { readFileSync } from 'node:fs';
import { repoRoot, tempDir } from './support/paths.js';

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
