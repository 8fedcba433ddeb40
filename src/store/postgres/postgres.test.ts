import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { pgSkip, pgUrl } from '../../../test/support/paths.js';
import { runStoreConformance } from '../store.conformance.js';
import { openPostgresStore } from './index.js';
import { MIGRATIONS } from './schema.js';
import { record } from '../testing/fixtures.js';
import { V1_CASES, V1_COLUMNS, v1Rows } from '../testing/version1.js';

const url = pgUrl;
if (url) {
  // Every run (and every store in it) gets its own schema, dropped at the end: runs never collide.
  const prefix = `tw_test_${process.pid}_${Date.now().toString(36)}`;
  let n = 0;
  after(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [
      `${prefix}%`,
    ]);
    for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
    await client.end();
  });
  runStoreConformance('postgres', async () => openPostgresStore(url, { schema: `${prefix}_${++n}` }));

  test('the console audit trail refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    const schema = `${prefix}_audit`;
    const store = await openPostgresStore(url, { schema });
    await store.migrate();
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
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`SET search_path = ${schema}`);
      await assert.rejects(client.query("UPDATE console_audit SET actor = 'mallory'"), /append-only/);
      await assert.rejects(client.query('DELETE FROM console_audit'), /append-only/);
      await assert.rejects(client.query('TRUNCATE console_audit'), /append-only/);
      assert.equal((await client.query('SELECT actor FROM console_audit')).rows[0]?.actor, 'alice');
    } finally {
      await client.end();
    }
  });

  test('a version 1 schema gets the version 2 columns filled from raw on migrate', async () => {
    const schema = `${prefix}_v1`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
      await client.query(MIGRATIONS[0]!);
      await client.query(
        'CREATE TABLE schema_version (version integer NOT NULL); INSERT INTO schema_version VALUES (1)',
      );
      for (const row of v1Rows()) {
        await client.query(
          `INSERT INTO records (${V1_COLUMNS.join(', ')}) VALUES (${V1_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
          row.values,
        );
      }
    } finally {
      await client.end();
    }
    const notices: string[] = [];
    const store = await openPostgresStore(url, { schema, onNotice: (m) => notices.push(m) });
    try {
      await store.migrate();
      await store.migrate();
      assert.equal(notices.length, 2, 'told when the upgrade starts and ends, once');
      assert.match(notices[0]!, /of 4 records/);
      for (const [i, row] of v1Rows().entries()) {
        const got = await store.records.get(record().tenant, row.id);
        assert.deepEqual(
          { userAgent: got?.userAgent, appId: got?.appId, logonType: got?.logonType },
          V1_CASES[i]!.facts,
          row.id,
        );
        assert.equal(got?.raw, V1_CASES[i]!.raw);
      }
    } finally {
      await store.close();
    }
  });
} else {
  describe('Store conformance: postgres', () => {
    test('runs against PostgreSQL', { skip: pgSkip }, () => undefined);
  });
}
