import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { pgSkip, pgUrl } from '../../../test/support/paths.js';
import { schemaFamily } from '../../../test/support/pg.js';
import { record } from '../testing/fixtures.js';
import { openPostgresStore } from './index.js';
import { guardClients, reconnectingQueries } from './reconnect.js';
import { inTransaction } from './transaction.js';

/**
 * Issue 18.14: a dropped connection (server restart, failover) is simulated with pg_terminate_backend
 * on this test's own connections only (found by application_name), never on other runs' connections.
 */
describe('PostgreSQL: a dropped connection is made again', { skip: pgUrl ? false : pgSkip }, () => {
  const app = `tw_reconnect_${process.pid}`;
  const base = pgUrl ?? '';
  const schemas = pgUrl ? schemaFamily('reconnect') : null;
  const schema = schemas?.next() ?? '';

  async function terminate(): Promise<number> {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ n: string }>(
        'SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE application_name = $1',
        [app],
      );
      return Number(rows[0]!.n);
    } finally {
      await admin.end();
    }
  }

  test('the store keeps working after its connections are terminated, idle or busy', async () => {
    const url = new URL(base);
    url.searchParams.set('application_name', app);
    const store = await openPostgresStore(url.toString(), { schema });
    try {
      await store.migrate();
      await store.records.insert([record()]);
      assert.ok((await terminate()) >= 1);
      await sleep(50);
      assert.deepEqual(await store.records.insert([record(), record()]), { inserted: 2, duplicates: 0 });
      const big = Array.from({ length: 3_000 }, () => record());
      const busy = store.records.insert(big);
      await sleep(5);
      await terminate();
      assert.deepEqual(await busy, { inserted: 3_000, duplicates: 0 });
      assert.equal(await store.records.count({ range: { start: 0, end: 8e12 } }), 3_003);
    } finally {
      await store.close();
      await schemas?.dropAll();
    }
  });

  test('a statement or a transaction cut mid-flight runs again; no unhandled error event', async () => {
    const pool = new pg.Pool({ connectionString: base, application_name: app, max: 2 });
    guardClients(pool);
    reconnectingQueries(pool);
    try {
      const single = pool.query<{ x: number }>('SELECT 1 AS x FROM pg_sleep(0.5)');
      const tx = inTransaction(pool, async (client) => (await client.query('SELECT 2 AS x FROM pg_sleep(0.5)')).rows);
      await sleep(200);
      assert.equal(await terminate(), 2);
      assert.equal((await single).rows[0]!.x, 1);
      assert.deepEqual(await tx, [{ x: 2 }]);
    } finally {
      await pool.end();
    }
  });
});
