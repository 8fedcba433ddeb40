import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { pgSkip, pgUrl } from '../../../test/support/paths.js';
import { schemaFamily } from '../../../test/support/pg.js';
import type { Store } from '../contract.js';
import { openPostgresStore } from './index.js';

/**
 * The state indexes a start makes (state-indexes.ts) over a table that already holds rows: built CONCURRENTLY after
 * the migration committed, so other processes' writes go on; an invalid leftover built again; a failed build no
 * failed start. A transaction left open with an entry written (`hold`) keeps a build waiting as long as a test
 * needs: CREATE INDEX CONCURRENTLY waits for the writers of its table that were running when it began.
 */
const url = pgUrl;
describe('PostgreSQL state indexes over a trail that holds entries', { skip: pgSkip }, () => {
  if (!url) return;
  const schemas = schemaFamily('state_index');
  after(() => schemas.dropAll());

  /** One trail entry: ivy's search at `at`. */
  const search = (at: number) => ({
    at,
    actor: 'ivy',
    via: 'session' as const,
    address: null,
    action: 'search',
    outcome: 'ok' as const,
    target: null,
    details: {},
  });

  /** A store on a schema whose trail holds an entry and lacks the caller index (a schema made before it). */
  async function trailWithoutIndex(
    label: string,
    options: { indexBuildWaitMs?: number } = {},
  ): Promise<{ store: Store; schema: string; notices: string[]; sql: pg.Client }> {
    const schema = schemas.next(label);
    const notices: string[] = [];
    const store = await openPostgresStore(url!, { schema, onNotice: (m) => notices.push(m), ...options });
    await store.migrate();
    await store.consoleAudit.append(search(1));
    const sql = await connect(schema);
    await sql.query('DROP INDEX console_audit_caller');
    return { store, schema, notices, sql };
  }

  async function connect(schema: string, settings = ''): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url!, options: `-c search_path=${schema} ${settings}` });
    await client.connect();
    return client;
  }

  const write = (client: pg.Client, actor: string) =>
    client.query(
      `INSERT INTO console_audit (at, actor, via, action, outcome, details) VALUES (2, $1, 'session', 'search', 'ok', '{}')`,
      [actor],
    );

  /** Another process's write under way: an open transaction that wrote an entry. */
  async function hold(schema: string): Promise<{ pid: number; end: () => Promise<void> }> {
    const client = await connect(schema);
    await client.query('BEGIN');
    await write(client, 'held');
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    let ended: Promise<void> | undefined;
    const end = async (): Promise<void> => {
      await client.query('COMMIT');
      await client.end();
    };
    return { pid, end: () => (ended ??= end()) };
  }

  /** The backend working on this schema's trail while `held` keeps it waiting (the build), once it waits. */
  async function waitingBehind(sql: pg.Client, held: number): Promise<number> {
    for (let i = 0; i < 5_000; i++) {
      const { rows } = await sql.query<{ pid: number }>(
        `SELECT DISTINCT pid FROM pg_locks
          WHERE relation = to_regclass('console_audit') AND pid <> $1 AND $1 = ANY(pg_blocking_pids(pid))`,
        [held],
      );
      if (rows[0]) return rows[0].pid;
    }
    throw new Error('nothing came to wait behind the held write');
  }

  async function indexState(sql: pg.Client): Promise<'valid' | 'invalid' | 'missing'> {
    const { rows } = await sql.query<{ valid: boolean }>(
      "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass('console_audit_caller')",
    );
    return rows[0] === undefined ? 'missing' : rows[0].valid ? 'valid' : 'invalid';
  }

  async function definition(sql: pg.Client): Promise<string> {
    const { rows } = await sql.query<{ def: string }>(
      "SELECT pg_get_indexdef(to_regclass('console_audit_caller')) AS def",
    );
    return rows[0]!.def.replace(/ ON \S+\./, ' ON ');
  }

  const EXPECTED = 'CREATE INDEX console_audit_caller ON console_audit USING btree (lower(actor), action, at)';

  test('a missing index is built while other processes write the trail, and another start does not wait for it', async () => {
    const { store, schema, notices, sql } = await trailWithoutIndex('built');
    const other = await openPostgresStore(url, { schema, onNotice: (m) => notices.push(`other: ${m}`) });
    // Fails at once where a write would wait behind the build (a start that built it in its migration did that).
    const writer = await connect(schema, '-c lock_timeout=2s');
    const held = await hold(schema);
    let building: Promise<void> | undefined;
    try {
      building = store.migrate();
      await waitingBehind(sql, held.pid);
      await write(writer, 'during-build');
      // Another process starting meanwhile finds the migration's lock free and the build another's.
      await other.migrate();
      assert.ok(
        notices.some((m) => m.startsWith('other: Another process is building the index console_audit_caller')),
        notices.join('\n'),
      );
      await held.end();
      await building;
      assert.equal(await indexState(sql), 'valid');
      assert.equal(await definition(sql), EXPECTED);
      const { rows } = await sql.query<{ n: string }>(
        "SELECT count(*) AS n FROM console_audit WHERE actor = 'during-build'",
      );
      assert.equal(rows[0]!.n, '1');
      assert.ok(
        notices.some((m) => m.startsWith('Building the index console_audit_caller')),
        notices.join('\n'),
      );
      assert.ok(
        notices.some((m) => /^Index console_audit_caller built in/.test(m)),
        notices.join('\n'),
      );
    } finally {
      await held.end();
      await building?.catch(() => undefined);
      await writer.end();
      await sql.end();
      await other.close();
      await store.close();
    }
  });

  test('a build that fails leaves the start going and says what to do; the next start builds the invalid leftover again', async () => {
    const { store, schema, notices, sql } = await trailWithoutIndex('cancelled');
    const held = await hold(schema);
    try {
      const starting = store.migrate();
      // The build stops part way, as when its process is stopped: its index is left invalid.
      await sql.query('SELECT pg_cancel_backend($1)', [await waitingBehind(sql, held.pid)]);
      await starting;
      const failed = notices.find((m) => m.startsWith('The index console_audit_caller could not be built'));
      assert.ok(failed, notices.join('\n'));
      assert.match(failed, /canceling statement/);
      assert.match(failed, /The next start builds it again; or build it yourself.*CREATE INDEX CONCURRENTLY/);
      await held.end();
      assert.equal(await indexState(sql), 'invalid');

      await store.migrate();
      assert.equal(await indexState(sql), 'valid');
      assert.equal(await definition(sql), EXPECTED);
    } finally {
      await held.end();
      await sql.end();
      await store.close();
    }
  });

  test('an invalid index of that name (a failed build) is dropped and built as it should be', async () => {
    const { store, sql } = await trailWithoutIndex('invalid');
    try {
      await write(sql, 'ivy');
      // Two entries alike: this unique build fails, and leaves its index behind, invalid.
      await assert.rejects(
        sql.query('CREATE UNIQUE INDEX CONCURRENTLY console_audit_caller ON console_audit (actor)'),
        /could not create unique index/,
      );
      assert.equal(await indexState(sql), 'invalid');
      await store.migrate();
      assert.equal(await indexState(sql), 'valid');
      assert.equal(await definition(sql), EXPECTED);
    } finally {
      await sql.end();
      await store.close();
    }
  });

  test('a start waits a bounded time for a transaction left open elsewhere, says which, and the next start builds', async () => {
    const { store, schema, notices, sql } = await trailWithoutIndex('left_open', { indexBuildWaitMs: 300 });
    // A session idle in a transaction that never touched the trail: the build waits for its snapshot all the same.
    const idle = await connect(schema, '-c application_name=left-open-console');
    await idle.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await idle.query('SELECT 1');
    const idlePid = (await idle.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    let ended = false;
    try {
      await store.migrate();
      const gaveUp = notices.find((m) => m.startsWith('The index console_audit_caller was not built'));
      assert.ok(gaveUp, notices.join('\n'));
      assert.match(
        gaveUp,
        /one still ran after 0\.3 s \(the oldest: process (\d+), "left-open-console", idle in transaction, open for /,
      );
      assert.equal(/the oldest: process (\d+)/.exec(gaveUp)![1], String(idlePid));
      assert.match(gaveUp, /the next start tries again/);
      assert.match(gaveUp, /DROP INDEX CONCURRENTLY IF EXISTS console_audit_caller; CREATE INDEX CONCURRENTLY/);
      // The store runs without it.
      await store.consoleAudit.append(search(3));
      assert.notEqual(await indexState(sql), 'valid');

      await idle.query('COMMIT');
      ended = true;
      await store.migrate();
      assert.equal(await indexState(sql), 'valid');
      assert.equal(await definition(sql), EXPECTED);
    } finally {
      if (!ended) await idle.query('ROLLBACK');
      await idle.end();
      await sql.end();
      await store.close();
    }
  });
});
