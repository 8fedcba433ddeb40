import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { tempDir } from '../../../test/support/paths.js';
import { openSqliteStore } from './index.js';

const dir = tempDir('tw-sqlite-auth-');
after(() => dir.cleanup());

test('the console audit trail refuses UPDATE and DELETE in the database itself', async () => {
  const path = join(dir.dir, 'audit.sqlite');
  const store = openSqliteStore(path);
  await store.consoleAudit.append({
    at: 1,
    actor: 'alice',
    via: 'session',
    address: null,
    action: 'search',
    outcome: 'ok',
    target: null,
    details: {},
  });
  await store.close();
  const db = new Database(path);
  try {
    assert.throws(() => db.prepare("UPDATE console_audit SET actor = 'mallory'").run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM console_audit').run(), /append-only/);
    assert.equal(db.prepare('SELECT actor FROM console_audit').pluck().get(), 'alice');
  } finally {
    db.close();
  }
});
