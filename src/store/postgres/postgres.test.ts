import { recordFactsFromRaw } from '../../ingest/facts.js';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg, { type PoolClient } from 'pg';
import { pgSkip, pgUrl } from '../../../test/support/paths.js';
import { schemaFamily } from '../../../test/support/pg.js';
import { runStoreConformance } from '../store.conformance.js';
import { openPostgresStore } from './index.js';
import { auditQuery } from '../auth-rows.js';
import { MIGRATIONS } from './schema.js';
import { PostgresRecordStore } from './records.js';
import { systemClock } from '../../core/clock.js';
import { drain, type HeldWriter } from '../testing/tail-conformance.js';
import { record } from '../testing/fixtures.js';
import { V1_CASES, V1_COLUMNS, v1Rows } from '../testing/version1.js';
import { alertBeforeDeliveries, expectDeliveriesUpgraded } from '../testing/alert-conformance.js';
import { expectSinkIdsUpgraded, sinksBeforeIds } from '../testing/sink-conformance.js';
import {
  expectUpgraded,
  LEDGER_UPGRADES,
  migrationStep,
  upgradeName,
  upgradeTag,
  writtenValues,
} from '../testing/ledger-upgrade.js';

const url = pgUrl;
if (url) {
  // Every run (and every store in it) gets its own schema, dropped at the end: runs never collide.
  const schemas = schemaFamily('test');
  after(() => schemas.dropAll());
  let current = '';
  runStoreConformance('postgres', async () => openPostgresStore(url, { schema: (current = schemas.next()) }), {
    heldWriter: async () => holdWriter(url, current),
    concurrentWriters: true,
  });

  test('the tail orders transaction ids as numbers (9 before 10), through the (xid, seq) index', async () => {
    const schema = schemas.next('xid_order');
    const store = await openPostgresStore(url, { schema });
    try {
      await store.migrate();
      const [a, b] = [record(), record()];
      await store.records.insert([a, b]);
      const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        await client.query('UPDATE records SET xid = $1::xid8 WHERE id = $2', ['10', a.id]);
        await client.query('UPDATE records SET xid = $1::xid8 WHERE id = $2', ['9', b.id]);
        await client.query('SET enable_seqscan = off');
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(
          "EXPLAIN SELECT seq FROM records WHERE (xid, seq) > ('0'::xid8, 0::bigint) AND xid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY xid, seq LIMIT 10",
        );
        assert.match(rows.map((r) => r['QUERY PLAN']).join('\n'), /records_arrival/);
      } finally {
        await client.end();
      }
      assert.deepEqual((await drain(store, null, 1)).ids, [b.id, a.id]);
    } finally {
      await store.close();
    }
  });

  test('the console audit trail refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    const schema = schemas.next('audit');
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

  test("one caller's recent entries of an action are read through their index, made again by a start that finds it missing", async () => {
    const schema = schemas.next('audit_caller');
    const store = await openPostgresStore(url, { schema });
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      await store.migrate();
      // What the console asks before recording a call that may only repeat one (server/auth/repeats.ts).
      const caller = { actor: 'ivy', action: 'search', via: 'session', address: '127.0.0.1', outcome: 'ok' } as const;
      const { sql, values } = auditQuery({ ...caller, from: 1, newestFirst: true, limit: 100 }, (i) => `$${i}`);
      // The table is empty: only with sequential scans priced out is the plan the one a filled trail gets.
      await client.query('SET enable_seqscan = off');
      const plan = async (): Promise<string> =>
        (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, values)).rows
          .map((r) => r['QUERY PLAN'])
          .join('\n');
      assert.match(await plan(), /console_audit_caller/);
      await client.query('DROP INDEX console_audit_caller'); // a schema made before it
      assert.doesNotMatch(await plan(), /console_audit_caller/);
      await store.migrate();
      assert.match(await plan(), /console_audit_caller/);
    } finally {
      await client.end();
      await store.close();
    }
  });

  for (const upgrade of LEDGER_UPGRADES)
    test(`a schema before the ledger's ${upgradeName(upgrade)}: ${upgrade.what}; the step can run again`, async () => {
      const schema = schemas.next(`before_${upgradeTag(upgrade)}`);
      const upTo = MIGRATIONS.findIndex((m) => typeof m === 'string' && m.includes(migrationStep(upgrade)));
      assert.ok(upTo > 0);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
        await client.query('CREATE TABLE schema_version (version integer NOT NULL)');
        for (const [v, step] of MIGRATIONS.slice(0, upTo).entries()) {
          if (typeof step === 'string') await client.query(step);
          else await step(client as unknown as PoolClient);
          await client.query('INSERT INTO schema_version VALUES ($1)', [v + 1]);
        }
        const marks = upgrade.columns.map((_, i) => `$${i + 1}`).join(', ');
        for (const { written } of upgrade.rows)
          await client.query(
            `INSERT INTO coverage (${upgrade.columns.join(', ')}) VALUES (${marks})`,
            writtenValues(upgrade, written),
          );
        const store = await openPostgresStore(url, { schema });
        try {
          await store.migrate();
          await expectUpgraded(store, upgrade);
          // Idempotent: a step applied again (a half-applied upgrade, two versions racing) changes nothing.
          await client.query(MIGRATIONS[upTo] as string);
          await expectUpgraded(store, upgrade);
        } finally {
          await store.close();
        }
      } finally {
        await client.end();
      }
    });

  test('a schema before alert_deliveries keeps its due alerts and records which channels take them; the step can run again', async () => {
    const schema = schemas.next('before_alert_deliveries');
    const upTo = MIGRATIONS.findIndex((m) => typeof m === 'string' && m.includes('alert_deliveries'));
    assert.notEqual(upTo, -1);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
      await client.query('CREATE TABLE schema_version (version integer NOT NULL)');
      for (const [v, step] of MIGRATIONS.slice(0, upTo).entries()) {
        if (typeof step === 'string') await client.query(step);
        else await step(client as unknown as PoolClient);
        await client.query('INSERT INTO schema_version VALUES ($1)', [v + 1]);
      }
      const alert = alertBeforeDeliveries();
      await client.query(
        `INSERT INTO alerts (${alert.columns.join(', ')}) VALUES (${alert.columns.map((_, i) => `$${i + 1}`).join(', ')})`,
        alert.values,
      );
      const store = await openPostgresStore(url, { schema });
      try {
        await store.migrate();
        await expectDeliveriesUpgraded(store);
        // Idempotent: applied again (a half-applied upgrade, two versions racing), it keeps what it holds.
        await client.query(MIGRATIONS[upTo] as string);
        assert.equal((await store.alerts.channelDeliveries(['al-old'])).length, 1);
        const { rows } = await client.query<{ v: number }>('SELECT max(version) AS v FROM schema_version');
        assert.equal(rows[0]?.v, MIGRATIONS.length);
      } finally {
        await store.close();
      }
    } finally {
      await client.end();
    }
  });

  test('a schema before sink identities gives each sink its own; the step can run again', async () => {
    const schema = schemas.next('before_sink_ids');
    const upTo = MIGRATIONS.findIndex((m) => typeof m === 'string' && m.includes('ADD COLUMN IF NOT EXISTS id text'));
    assert.notEqual(upTo, -1);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
      await client.query('CREATE TABLE schema_version (version integer NOT NULL)');
      for (const [v, step] of MIGRATIONS.slice(0, upTo).entries()) {
        if (typeof step === 'string') await client.query(step);
        else await step(client as unknown as PoolClient);
        await client.query('INSERT INTO schema_version VALUES ($1)', [v + 1]);
      }
      const before = sinksBeforeIds();
      for (const row of before.rows)
        await client.query(
          `INSERT INTO sinks (${before.columns.join(', ')}) VALUES (${before.columns.map((_, i) => `$${i + 1}`).join(', ')})`,
          row,
        );
      const store = await openPostgresStore(url, { schema });
      try {
        await store.migrate();
        await expectSinkIdsUpgraded(store);
        const ids = (await store.sinks.list()).map((r) => r.id);
        // Idempotent: applied again (a half-applied upgrade, two versions racing), it keeps the identities.
        await client.query(MIGRATIONS[upTo] as string);
        assert.deepEqual(
          (await store.sinks.list()).map((r) => r.id),
          ids,
        );
      } finally {
        await store.close();
      }
    } finally {
      await client.end();
    }
  });

  test('a version 1 schema gets the version 2 columns filled from raw on migrate', async () => {
    const schema = schemas.next('v1');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
      await client.query(MIGRATIONS[0] as string);
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
    const store = await openPostgresStore(url, {
      schema,
      onNotice: (m) => notices.push(m),
      factsFromRaw: recordFactsFromRaw,
    });
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
      // The tail: rows stored before the upgrade come first, in their order, then new ones.
      const fresh = record();
      await store.records.insert([fresh]);
      const read = await drain(store, null, 3);
      assert.deepEqual(read.ids, [...v1Rows().map((r) => r.id), fresh.id]);
      await store.cursors.set('detections:live', read.next!, 1);
      assert.equal(await store.cursors.get('detections:live'), read.next);
    } finally {
      await store.close();
    }
  });
} else {
  describe('Store conformance: postgres', () => {
    test('runs against PostgreSQL', { skip: pgSkip }, () => undefined);
  });
}

/** Another connection with a write transaction open, inserting through the adapter's own insert. */
async function holdWriter(url: string, schema: string): Promise<HeldWriter> {
  const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
  const client = await pool.connect();
  const records = new PostgresRecordStore(pool, systemClock);
  await client.query('BEGIN');
  return {
    insert: async (rows) => void (await records.insertWith(client, rows)),
    commit: async () => {
      await client.query('COMMIT');
      client.release();
      await pool.end();
    },
  };
}
