import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../../test/support/paths.js';
import { record } from '../testing/fixtures.js';
import { openSqliteStore } from './index.js';

/**
 * Issue 18.15: while one process bulk-loads (an import), another opens the same file, reads and writes
 * (collect, search, serve): it must keep reading and have its writes queued, never "database is locked".
 */
test('another process opens, reads and writes the SQLite file while an import bulk-loads it', async () => {
  const dir = tempDir();
  try {
    const path = join(dir.dir, 'store.sqlite');
    const setup = openSqliteStore(path);
    await setup.migrate();
    await setup.close();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'testing', 'bulk-load-child.ts'), path, '4000'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    while (!out.includes('loading')) await once(child.stdout, 'data');
    const mine = [record({ tenant: 'other' }), record({ tenant: 'other' })];
    for (let round = 0; round < 5; round++) {
      const store = openSqliteStore(path);
      try {
        await store.records.count({ range: { start: 0, end: 8e12 } });
        assert.equal((await store.records.insert([mine[round % 2]!])).inserted + round >= 1, true);
      } finally {
        await store.close();
      }
    }
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
    assert.match(out, /done \d+/);
    const check = openSqliteStore(path);
    try {
      assert.equal(await check.records.count({ range: { start: 0, end: 8e12 }, tenants: ['other'] }), 2);
    } finally {
      await check.close();
    }
  } finally {
    dir.cleanup();
  }
});
