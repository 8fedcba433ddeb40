import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { tempDir } from '../../../test/support/paths.js';
import { record } from '../testing/fixtures.js';
import { openSqliteStore } from './index.js';
import type { SqliteRecordStore } from './records.js';

/**
 * ADR 0034: a large bulk load checkpoints on its own thread. With the sizes made small, a load of
 * 24 MB through 2 MB of log must keep the log near that size (it starts again from its beginning after
 * each drain), lose nothing, and let another connection read alongside, as another process would.
 */
test('a bulk load checkpoints on its own thread and keeps the log bounded while another connection reads', async () => {
  const dir = tempDir();
  try {
    const file = join(dir.dir, 'ckpt.sqlite');
    const store = openSqliteStore(file);
    await store.migrate();
    const records = store.records as SqliteRecordStore;
    const bulk = records.bulk({ commitRows: 200, checkpointerFromBytes: 0, maxLogBytes: 2 << 20 });
    const reader = new Database(file, { readonly: true });
    const count = reader.prepare('SELECT count(*) FROM records').pluck();
    const raw = JSON.stringify({ padding: 'x'.repeat(4_000) });
    let seen = 0;
    const before = statSync(file).size;
    try {
      for (let batch = 0; batch < 30; batch++) {
        const result = await bulk.insert(Array.from({ length: 200 }, () => record({ raw })));
        assert.deepEqual(result, { inserted: 200, duplicates: 0 });
        await new Promise(setImmediate); // as the importer does between batches (it waits for its parse worker)
        // The checkpointer thread takes a moment to start (from source it registers tsx): wait for its
        // first copy into the database, not for a time.
        if (batch === 0) await until(() => statSync(file).size > before);
        const now = count.get() as number;
        assert.ok(now >= seen && now <= (batch + 1) * 200, 'the reader sees committed batches, never more');
        seen = now;
      }
    } finally {
      await bulk.close();
    }
    assert.equal(count.get(), 6_000, 'every row, once');
    reader.close();
    const logBytes = statSync(`${file}-wal`).size;
    assert.ok(logBytes < 8 << 20, `the log stayed near its bound (${logBytes} bytes for 24 MB loaded)`);
    await store.close();
  } finally {
    dir.cleanup();
  }
});

/** Turns the event loop until `done` holds (at most a few hundred thousand turns). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500_000 && !done(); i++) await turn();
  assert.ok(done(), 'the checkpointer never copied anything');
}
