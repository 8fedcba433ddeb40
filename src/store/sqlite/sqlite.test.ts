import { tempDir } from '../../../test/support/paths.js';
import { after } from 'node:test';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { systemClock } from '../../core/clock.js';
import { runStoreConformance } from '../store.conformance.js';
import type { HeldWriter } from '../testing/tail-conformance.js';
import { openSqliteStore } from './index.js';
import { SqliteRecordStore } from './records.js';
import { SqliteTextIndex } from './text-index.js';

runStoreConformance('sqlite (memory)', async () => openSqliteStore(':memory:'));

const dir = tempDir('tw-sqlite-');
after(() => dir.cleanup());
let n = 0;
let current = '';
runStoreConformance(
  'sqlite (file, WAL)',
  async () => openSqliteStore((current = join(dir.dir, `store-${++n}.sqlite`))),
  { heldWriter: async () => holdWriter(current) },
);

/** A second connection with a write transaction open, inserting through the adapter's own insert. */
function holdWriter(path: string): HeldWriter {
  const db = new Database(path);
  const records = new SqliteRecordStore(db, systemClock, new SqliteTextIndex(db));
  db.exec('BEGIN IMMEDIATE');
  return {
    insert: async (rows) => void records.insertAll(rows),
    commit: async () => {
      db.exec('COMMIT');
      db.close();
    },
  };
}
