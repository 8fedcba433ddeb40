import { after, describe, test } from 'node:test';
import pg from 'pg';
import { pgSkip, pgUrl } from '../../../test/support/paths.js';
import { runStoreConformance } from '../store.conformance.js';
import { openPostgresStore } from './index.js';

const url = pgUrl;
if (url) {
  // Every run (and every store in it) gets its own schema, dropped at the end: runs never collide.
  const prefix = `tw_test_${process.pid}_${Date.now().toString(36)}`;
  let n = 0;
  after(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`${prefix}%`]);
    for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
    await client.end();
  });
  runStoreConformance('postgres', async () => openPostgresStore(url, { schema: `${prefix}_${++n}` }));
} else {
  describe('Store conformance: postgres', () => {
    test('runs against PostgreSQL', { skip: pgSkip }, () => undefined);
  });
}
