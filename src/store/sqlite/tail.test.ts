import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { tempDir } from '../../../test/support/paths.js';
import { blobRow, record } from '../testing/fixtures.js';
import { drain } from '../testing/tail-conformance.js';
import { V1_COLUMNS, v1Rows } from '../testing/version1.js';
import { openSqliteStore } from './index.js';
import { MIGRATIONS } from './schema.js';

const dir = tempDir('tw-sqlite-tail-');
after(() => dir.cleanup());
let n = 0;

/** Deletes as retention would: from another connection, by seq. */
function remove(file: string, where: string): void {
  const db = new Database(file);
  try {
    db.exec(`DELETE FROM records WHERE ${where}`);
  } finally {
    db.close();
  }
}

test('a seq is never reused: after the newest rows are deleted, insert, commitBlob and bulk all write above them', async () => {
  const file = join(dir.dir, `reuse-${++n}.sqlite`);
  const store = openSqliteStore(file);
  try {
    await store.records.insert([record(), record(), record()]);
    const standing = (await drain(store, null)).next;
    assert.equal(standing, '3');
    const writes: [string, () => Promise<unknown>][] = [
      ['insert', () => store.records.insert([record(), record()])],
      ['commitBlob', () => store.ledger.commitBlob(blobRow({ contentId: `blob-${n}` }), [record(), record()])],
      [
        'bulk',
        async () => {
          const bulk = store.records.bulk!();
          await bulk.insert([record(), record()]);
          await bulk.close();
        },
      ],
    ];
    let position = standing;
    for (const [how, write] of writes) {
      // A consumer has read up to `position`; the newest rows (the last it read among them) are deleted.
      remove(file, `seq > (SELECT max(seq) - 2 FROM records)`);
      await write();
      const read = await drain(store, position);
      assert.equal(read.ids.length, 2, `${how}: the new rows are not hidden below the consumer's position`);
      assert.ok(Number(read.next) > Number(position), how);
      position = read.next!;
    }
    remove(file, '1 = 1');
    await store.records.insert([record()]);
    assert.equal((await drain(store, position)).ids.length, 1, 'an emptied table still counts on');
  } finally {
    await store.close();
  }
});

test('an older store gets the tail and the cursors on open: its rows first, in their order, new ones after', async () => {
  const file = join(dir.dir, `v1-${++n}.sqlite`);
  const old = new Database(file);
  old.exec(MIGRATIONS[0]!);
  old.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1)');
  const insert = old.prepare(
    `INSERT INTO records (${V1_COLUMNS.join(', ')}) VALUES (${V1_COLUMNS.map(() => '?').join(', ')})`,
  );
  for (const row of v1Rows()) insert.run(row.values);
  old.close();
  const store = openSqliteStore(file);
  try {
    const fresh = record();
    await store.records.insert([fresh]);
    const read = await drain(store, null, 2);
    assert.deepEqual(read.ids, [...v1Rows().map((r) => r.id), fresh.id]);
    assert.equal(await store.cursors.get('detections:live'), null);
    await store.cursors.set('detections:live', read.next!, 1);
    assert.equal(await store.cursors.get('detections:live'), read.next);
  } finally {
    await store.close();
  }
});
