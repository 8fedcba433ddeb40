import { recordFactsFromRaw } from '../../ingest/facts.js';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { tempDir } from '../../../test/support/paths.js';
import { DAY, record, T0 } from '../testing/fixtures.js';
import { compileCountBy, compileSearch } from './compile.js';
import { openSqliteStore } from './index.js';
import type { SqliteRecordStore } from './records.js';
import { MIGRATIONS } from './schema.js';
import { V1_CASES, V1_COLUMNS, v1Rows } from '../testing/version1.js';
import {
  expectUpgraded,
  LEDGER_UPGRADES,
  migrationStep,
  upgradeName,
  upgradeTag,
  writtenValues,
} from '../testing/ledger-upgrade.js';
import { SqliteTextIndex } from './text-index.js';
import { auditQuery } from '../auth-rows.js';
import { alertBeforeDeliveries, expectDeliveriesUpgraded } from '../testing/alert-conformance.js';
import { expectSinkIdsUpgraded, sinksBeforeIds } from '../testing/sink-conformance.js';

/** Reads the file through a separate read-only connection, as another process would. */
function fromOutside<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}
const indexNames = (file: string): string[] =>
  fromOutside(
    file,
    (db) =>
      db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .pluck()
        .all() as string[],
  );
const ALL_INDEXES = ['records_ip', 'records_key', 'records_operation', 'records_time_tenant', 'records_user'];
const journalMode = (file: string): string =>
  fromOutside(file, (db) => db.pragma('journal_mode', { simple: true }) as string);

test('a bulk load stays in WAL, alone or not, so other processes read alongside it (issue 18.15)', async () => {
  const dir = tempDir();
  try {
    const file = join(dir.dir, 'journal.sqlite');
    const store = openSqliteStore(file);
    assert.equal(journalMode(file), 'wal');
    const bulk = store.records.bulk!();
    await bulk.insert([record()]);
    assert.equal(journalMode(file), 'wal', 'a rollback journal would make every other process fail at once');
    await bulk.close();
    assert.equal(journalMode(file), 'wal', 'readers read alongside the writer again');

    const reader = new Database(file);
    reader.prepare('SELECT count(*) FROM records').get();
    const shared = store.records.bulk!();
    await shared.insert([record()]);
    assert.equal(journalMode(file), 'wal', 'the mode cannot change under another connection');
    assert.equal(
      (reader.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n,
      1,
      'the reader still reads the committed state',
    );
    await shared.close();
    assert.equal((reader.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n, 2);
    reader.close();
    await store.close();
  } finally {
    dir.cleanup();
  }
});

test('a bulk load into an empty store builds the secondary indexes at close; a crash before it is repaired at the next start', async () => {
  const dir = tempDir();
  try {
    const file = join(dir.dir, 'bulk.sqlite');
    const store = openSqliteStore(file);
    const bulk = store.records.bulk!();
    await bulk.insert([record(), record()]);
    assert.deepEqual(indexNames(file), ['records_key'], 'deferred while loading (de-duplication key kept)');
    await bulk.close();
    assert.deepEqual(indexNames(file), ALL_INDEXES);
    const crashed = openSqliteStore(join(dir.dir, 'crash.sqlite'));
    await crashed.records.bulk!().insert([record()]); // never closed: as if the process died
    await crashed.close();
    const reopened = openSqliteStore(join(dir.dir, 'crash.sqlite'));
    assert.deepEqual(indexNames(join(dir.dir, 'crash.sqlite')), ALL_INDEXES);
    assert.equal(
      await reopened.records.count({ range: { start: 0, end: 8e12 } }),
      0,
      'the uncommitted batch is gone, nothing half-written',
    );
    await reopened.close();
    await store.close();
  } finally {
    dir.cleanup();
  }
});

test("one caller's recent entries of an action are read through their index, made again by a start that finds it missing", async () => {
  const dir = tempDir();
  try {
    const file = join(dir.dir, 'audit.sqlite');
    await openSqliteStore(file).close();
    // What the console asks before recording a call that may only repeat one (server/auth/repeats.ts).
    const caller = { actor: 'ivy', action: 'search', via: 'session', address: '127.0.0.1', outcome: 'ok' } as const;
    const { sql, values } = auditQuery({ ...caller, from: T0, newestFirst: true, limit: 100 }, () => '?');
    const plan = (): string =>
      fromOutside(file, (db) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(values) as { detail: string }[]).map((r) => r.detail).join(' | '),
      );
    assert.match(plan(), /USING INDEX console_audit_caller/);
    const db = new Database(file);
    db.exec('DROP INDEX console_audit_caller'); // a store made before it
    db.close();
    assert.match(plan(), /SCAN console_audit/, 'without it: the whole trail, newest first');
    await openSqliteStore(file).close();
    assert.match(plan(), /USING INDEX console_audit_caller/);
  } finally {
    dir.cleanup();
  }
});

test('the query shapes the targets depend on use their index (plans checked, not timed)', async () => {
  const store = openSqliteStore(':memory:');
  await store.records.insert(
    Array.from({ length: 50 }, (_, i) =>
      record({ userId: `u${i % 5}@contoso.com`, operation: `Op${i % 4}`, creationTime: T0 + i * DAY }),
    ),
  );
  await store.records.optimize!();
  const db = (store as unknown as { db: Database.Database }).db;
  const plan = (sql: string, params: Record<string, string | number>): string =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join(' | ');
  const week = { start: T0, end: T0 + 7 * DAY };
  const user = compileSearch({ range: week, users: ['u1@contoso.com'] }, null, undefined, 200);
  assert.match(plan(user.sql, user.params), /records_user/);
  const ip = compileSearch(
    { range: week, ips: [{ kind: 'cidr', network: '203.0.113.0', prefix: 24, family: 4 }] },
    null,
    undefined,
    200,
  );
  assert.match(plan(ip.sql, ip.params), /records_ip|records_time/);
  // Whole days: the rollups (docs/adr/0031-rollups.md), not a record; with a user it is the records' index.
  const byOp = compileCountBy({ range: { start: T0, end: T0 + 30 * DAY } }, 'operation', null, undefined);
  assert.match(plan(byOp.sql, byOp.params), /rollup_counts/);
  assert.doesNotMatch(plan(byOp.sql, byOp.params), /records/);
  const byUserOp = compileCountBy(
    { range: { start: T0, end: T0 + 30 * DAY }, users: ['u1@contoso.com'] },
    'operation',
    null,
    undefined,
  );
  assert.match(plan(byUserOp.sql, byUserOp.params), /records_user/);
  await store.close();
});

test('with the text index built, free text is narrowed through it; rows stored later are still searched', async () => {
  const store = openSqliteStore(':memory:');
  await store.records.insert([record({ raw: '{"Note":"Zanzibar"}' }), record()]);
  assert.equal((await store.records.optimize!({ textIndex: true })).textIndex, true);
  await store.records.insert([record({ raw: '{"Note":"later zanzibar"}' })]);
  const db = (store as unknown as { db: Database.Database }).db;
  const text = (store.records as unknown as { text: SqliteTextIndex }).text;
  const q = compileSearch({ range: { start: 0, end: 8e12 }, freeText: ['ANZIB'] }, text, undefined, 200);
  assert.match(q.sql, /text_raw MATCH/);
  assert.equal(text.matchExpression('raw', ['anzib']), '(("zanzibar"))');
  assert.equal(db.prepare(q.sql).all(q.params).length, 2);
  assert.equal(text.matchExpression('raw', ['zz']), null, 'too short to narrow: scanned');
  assert.equal(text.matchExpression('raw', ['abcdef']), null, 'hexadecimal runs are not posted: scanned');
  assert.equal(text.matchExpression('raw', ['nowhere']), '', 'no word holds it: only rows stored later are read');
  await store.close();
});

test('the substring index narrows objects too, follows deletions, and leaves rows a writer stored during a build to the scan', async () => {
  const store = openSqliteStore(':memory:');
  const db = (store as unknown as { db: Database.Database }).db;
  const text = (store.records as unknown as { text: SqliteTextIndex }).text;
  const board = record({ objectId: 'https://x.sharepoint.com/sites/Team7/Shared Documents/Board minutes.docx' });
  await store.records.insert([board, record({ objectId: 'https://x.sharepoint.com/sites/Team17/Board.docx' })]);
  await store.records.optimize!({ textIndex: true });
  const q = compileSearch(
    { range: { start: 0, end: 8e12 }, objects: ['TEAM7/shared documents/board'] },
    text,
    undefined,
    200,
  );
  assert.match(q.sql, /text_object MATCH/);
  // "team7" starts the term (a word ending in it), "shared" and "documents" are whole words, "board" starts one.
  assert.equal(
    text.matchExpression('object_id', ['TEAM7/shared documents/board']),
    '(("team7") AND ("shared") AND ("documents") AND ("board"))',
  );
  assert.deepEqual(db.prepare(q.sql).raw(true).all(q.params).length, 1);
  // Deleted records leave the index with them (the trigger), and a later insert is posted at once.
  db.prepare('DELETE FROM records WHERE id = ?').run(board.id);
  assert.equal(db.prepare("SELECT count(*) FROM text_object WHERE text_object MATCH 'team7'").pluck().get(), 0);
  const again = record({ objectId: 'https://x.sharepoint.com/sites/Team7/Shared Documents/Board 2.docx' });
  await store.records.insert([again]);
  assert.equal(text.coveredUpTo(), db.prepare('SELECT max(seq) FROM records').pluck().get());
  assert.equal(
    (await collect(store.records.search({ range: { start: 0, end: 8e12 }, objects: ['team7/shared'] }))).length,
    1,
  );
  // A row stored while the index does not cover everything before it stays above the covered seq: scanned.
  db.prepare("UPDATE store_meta SET value = '0' WHERE key = 'text_index_seq'").run();
  await store.records.insert([record({ raw: '{"Note":"Zanzibar"}' })]);
  assert.equal(text.coveredUpTo(), 0);
  assert.equal(await store.records.count({ range: { start: 0, end: 8e12 }, freeText: ['zanzibar'] }), 1);
  await store.records.optimize!({ textIndex: true });
  assert.equal(text.coveredUpTo(), db.prepare('SELECT max(seq) FROM records').pluck().get());
  assert.equal(await store.records.count({ range: { start: 0, end: 8e12 }, freeText: ['zanzibar'] }), 1);
  await store.close();
});

test('a large substring index build cuts words on threads of its own and posts exactly what one thread would', async () => {
  const dir = tempDir();
  const saved = SqliteTextIndex.parallelFromRows;
  try {
    const rows = Array.from({ length: 20_000 }, (_, i) =>
      record({
        raw: `{"Note":"word${i % 97}zz shared gizmo${i} Straße","Id":"${i}"}`,
        objectId: i % 3 ? `https://x.sharepoint.com/sites/Team${i % 11}/Doc ${i}.docx` : null,
      }),
    );
    const postings = async (parallelFrom: number): Promise<unknown[]> => {
      SqliteTextIndex.parallelFromRows = parallelFrom;
      const file = join(dir.dir, `text-${parallelFrom}.sqlite`);
      const store = openSqliteStore(file);
      await store.records.insert(rows);
      const db = (store as unknown as { db: Database.Database }).db;
      // A whole range of seqs without a row (as retention leaves them): a word thread's range comes back empty.
      db.prepare('DELETE FROM records WHERE seq BETWEEN 5001 AND 10000').run();
      await store.records.optimize!({ textIndex: true });
      const text = (store.records as unknown as { text: SqliteTextIndex }).text;
      assert.equal(text.coveredUpTo(), db.prepare('SELECT max(seq) FROM records').pluck().get(), 'covers every row');
      const got = [
        db
          .prepare("SELECT rowid FROM text_raw WHERE text_raw MATCH 'gizmo11999 OR word5zz' ORDER BY rowid")
          .pluck()
          .all(),
        db.prepare("SELECT rowid FROM text_object WHERE text_object MATCH 'team7' ORDER BY rowid").pluck().all(),
        db.prepare('SELECT word FROM text_vocab ORDER BY word').pluck().all(),
        await store.records.count({ range: { start: 0, end: 8e12 }, freeText: ['GIZMO1234'] }),
      ];
      await store.close();
      return got;
    };
    const oneThread = await postings(Number.MAX_SAFE_INTEGER);
    const twoThreads = await postings(1);
    assert.ok((oneThread[0] as unknown[]).length > 100, 'the check looks at many rows');
    assert.deepEqual(twoThreads, oneThread);
  } finally {
    SqliteTextIndex.parallelFromRows = saved;
    dir.cleanup();
  }
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

for (const upgrade of LEDGER_UPGRADES)
  test(`a store before the ledger's ${upgradeName(upgrade)}: ${upgrade.what}`, async () => {
    const dir = tempDir();
    try {
      const file = join(dir.dir, `before-${upgradeTag(upgrade)}.sqlite`);
      const old = new Database(file);
      const upTo = MIGRATIONS.findIndex((m) => m.includes(migrationStep(upgrade)));
      assert.ok(upTo > 0);
      old.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
      for (const [v, step] of MIGRATIONS.slice(0, upTo).entries()) {
        old.exec(step);
        old.prepare('INSERT INTO schema_version VALUES (?)').run(v + 1);
      }
      const insert = old.prepare(
        `INSERT INTO coverage (${upgrade.columns.join(', ')}) VALUES (${upgrade.columns.map(() => '?').join(', ')})`,
      );
      for (const { written } of upgrade.rows) insert.run(writtenValues(upgrade, written));
      old.close();
      const store = openSqliteStore(file);
      try {
        await expectUpgraded(store, upgrade);
      } finally {
        await store.close();
      }
    } finally {
      dir.cleanup();
    }
  });

test('a store before alert_deliveries keeps its due alerts and records which channels take them', async () => {
  const dir = tempDir();
  try {
    const file = join(dir.dir, 'before-alert-deliveries.sqlite');
    const old = new Database(file);
    const upTo = MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE alert_deliveries'));
    assert.notEqual(upTo, -1);
    old.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (const [v, step] of MIGRATIONS.slice(0, upTo).entries()) {
      old.exec(step);
      old.prepare('INSERT INTO schema_version VALUES (?)').run(v + 1);
    }
    const alert = alertBeforeDeliveries();
    old
      .prepare(`INSERT INTO alerts (${alert.columns.join(', ')}) VALUES (${alert.columns.map(() => '?').join(', ')})`)
      .run(alert.values);
    old.close();
    const store = openSqliteStore(file);
    try {
      await expectDeliveriesUpgraded(store);
    } finally {
      await store.close();
    }
    assert.equal(
      fromOutside(file, (db) => db.prepare('SELECT max(version) FROM schema_version').pluck().get()),
      MIGRATIONS.length,
    );
  } finally {
    dir.cleanup();
  }
});

test('a store before sink identities gives each sink its own', async () => {
  const dir = tempDir();
  try {
    const file = join(dir.dir, 'before-sink-ids.sqlite');
    const old = new Database(file);
    const upTo = MIGRATIONS.findIndex((m) => m.includes('ALTER TABLE sinks ADD COLUMN id'));
    assert.notEqual(upTo, -1);
    old.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (const [v, step] of MIGRATIONS.slice(0, upTo).entries()) {
      old.exec(step);
      old.prepare('INSERT INTO schema_version VALUES (?)').run(v + 1);
    }
    const before = sinksBeforeIds();
    const insert = old.prepare(
      `INSERT INTO sinks (${before.columns.join(', ')}) VALUES (${before.columns.map(() => '?').join(', ')})`,
    );
    for (const row of before.rows) insert.run(row);
    old.close();
    const store = openSqliteStore(file);
    try {
      await expectSinkIdsUpgraded(store);
    } finally {
      await store.close();
    }
  } finally {
    dir.cleanup();
  }
});

test('a version 1 store gets the version 2 columns filled from raw on open, resuming after the last batch done', async () => {
  const dir = tempDir();
  try {
    for (const resumeAfter of [0, 1]) {
      const file = join(dir.dir, `v1-${resumeAfter}.sqlite`);
      const old = new Database(file);
      old.exec(MIGRATIONS[0]!);
      old.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1)');
      const insert = old.prepare(
        `INSERT INTO records (${V1_COLUMNS.join(', ')}) VALUES (${V1_COLUMNS.map(() => '?').join(', ')})`,
      );
      for (const row of v1Rows()) insert.run(row.values);
      if (resumeAfter) {
        // A start that stopped after its first batch: version 2 applied, seq 1 done (and left as it was).
        old.exec(MIGRATIONS[1]!);
        old.prepare("INSERT INTO store_meta VALUES ('facts_backfill_done', ?)").run(String(resumeAfter));
        old.exec('INSERT INTO schema_version VALUES (2)');
      }
      old.close();
      const notices: string[] = [];
      const store = openSqliteStore(file, { onNotice: (m) => notices.push(m), factsFromRaw: recordFactsFromRaw });
      try {
        assert.equal(notices.length, 2, 'told when the upgrade starts and ends');
        assert.match(
          notices[0]!,
          new RegExp(`filling the user agent, app id and logon type of ${4 - resumeAfter} records`),
        );
        for (const [i, row] of v1Rows().entries()) {
          const got = await store.records.get(record().tenant, row.id);
          const want = i < resumeAfter ? { userAgent: null, appId: null, logonType: null } : V1_CASES[i]!.facts;
          assert.deepEqual(
            { userAgent: got?.userAgent, appId: got?.appId, logonType: got?.logonType },
            want,
            `${row.id}, resuming after ${resumeAfter}`,
          );
          assert.equal(got?.raw, V1_CASES[i]!.raw, 'raw untouched');
        }
        assert.deepEqual(
          fromOutside(file, (db) => db.prepare('SELECT key FROM store_meta').pluck().all()),
          [],
          'the backfill is finished and not run again',
        );
        await store.migrate();
        assert.equal(notices.length, 2, 'nothing to fill on the next start');
      } finally {
        await store.close();
      }
    }
  } finally {
    dir.cleanup();
  }
});

test('a bulk load gathers its rollups until it commits; a batch that fails adds nothing to them', async () => {
  const store = openSqliteStore(':memory:');
  try {
    const records = store.records as SqliteRecordStore;
    const bulk = records.bulk({ commitRows: 5, checkpointerFromBytes: Infinity, maxLogBytes: Infinity });
    const day = { start: T0 - (T0 % DAY), end: T0 - (T0 % DAY) + 3 * DAY };
    await bulk.insert([record({ operation: 'FileAccessed' }), record({ operation: 'FileAccessed' })]);
    // The second record of the batch fails after the first was written and counted: both must go.
    const bad = Object.defineProperty(record(), 'raw', {
      get() {
        throw new Error('unreadable record');
      },
    });
    await assert.rejects(bulk.insert([record({ operation: 'Set-Mailbox' }), bad]), /unreadable record/);
    await bulk.insert([record({ operation: 'Set-Mailbox' }), record(), record(), record()]);
    await bulk.close();
    const fromRollups = await store.records.countBy({ range: day }, 'operation');
    assert.deepEqual(
      fromRollups.map((r) => [r.key, r.count]),
      [
        ['FileAccessed', 5],
        ['Set-Mailbox', 1],
      ],
      'the failed batch left no count behind, the pending ones all counted',
    );
    assert.equal(await store.records.count({ range: day }), 6);
  } finally {
    await store.close();
  }
});

test("each day's seq span holds every record of that day, through inserts out of time order, bulk loads, retention and purges", async () => {
  const store = openSqliteStore(':memory:');
  const db = (store as unknown as { db: Database.Database }).db;
  const TENANTS = ['t-one', 't-two'];
  let state = 7;
  const next = (): number => (state = (state * 48_271) % 2_147_483_647) / 2_147_483_647;
  const some = (): ReturnType<typeof record>[] =>
    Array.from({ length: 1 + Math.floor(next() * 30) }, () =>
      record({ tenant: TENANTS[Math.floor(next() * 2)]!, creationTime: T0 + Math.floor(next() * 8 * DAY) }),
    );
  const check = (at: string): void => {
    const outside = db
      .prepare(
        `SELECT count(*) FROM records r LEFT JOIN rollup_seq_days s ON s.day = r.creation_time - r.creation_time % ${DAY}
         WHERE s.day IS NULL OR r.seq < s.lo OR r.seq > s.hi`,
      )
      .pluck()
      .get();
    assert.equal(outside, 0, `${at}: a record outside its day's span`);
    const empty = db
      .prepare(
        `SELECT count(*) FROM rollup_seq_days s WHERE NOT EXISTS (SELECT 1 FROM records WHERE creation_time >= s.day AND creation_time < s.day + ${DAY})`,
      )
      .pluck()
      .get();
    assert.equal(empty, 0, `${at}: a span left for a day with no record`);
  };
  try {
    for (let step = 0; step < 40; step++) {
      const roll = next();
      if (roll < 0.4) await store.records.insert(some());
      else if (roll < 0.6) {
        const bulk = store.records.bulk!();
        await bulk.insert(some());
        await bulk.insert(some());
        await bulk.close();
      } else if (roll < 0.9) {
        const sweep = { tenant: TENANTS[Math.floor(next() * 2)]!, startedAt: step, before: T0 + next() * 8 * DAY };
        await store.retention.removeBatch(sweep, -8e15, 1 + Math.floor(next() * 20), T0);
      } else await store.records.purgeTenant(TENANTS[Math.floor(next() * 2)]!);
      check(`step ${step}`);
    }
  } finally {
    await store.close();
  }
});

test("with the substring index, a period's candidates outside its days' seq span are not read", async () => {
  const store = openSqliteStore(':memory:');
  const db = (store as unknown as { db: Database.Database }).db;
  const text = (store.records as unknown as { text: SqliteTextIndex }).text;
  const zanzibar = (day: number, n: number): ReturnType<typeof record>[] =>
    Array.from({ length: n }, (_, i) => record({ creationTime: T0 + day * DAY + i, raw: '{"Note":"Zanzibar"}' }));
  try {
    await store.records.insert([...zanzibar(0, 50), ...zanzibar(1, 50), ...zanzibar(2, 50)]);
    await store.records.optimize!({ textIndex: true });
    // A history fill: day 0's records arriving last widen day 0's span, not day 2's.
    await store.records.insert(zanzibar(0, 5).map((r, i) => ({ ...r, id: `late-${i}` })));
    const day1 = { start: T0 + DAY + 10, end: T0 + 2 * DAY };
    const q = compileSearch({ range: day1, freeText: ['zanzibar'] }, text, undefined, 200);
    const candidates = /seq IN \((SELECT rowid FROM text_raw .*?) UNION ALL/.exec(q.sql)?.[1];
    assert.ok(candidates, q.sql);
    const seqs = db.prepare(candidates).pluck().all(q.params) as number[];
    assert.deepEqual([Math.min(...seqs), Math.max(...seqs), seqs.length], [51, 100, 50], "only day 1's seqs");
    assert.equal(db.prepare(q.sql).all(q.params).length, 40, 'the exact test keeps the period');
    const none = compileSearch(
      { range: { start: T0 + 5 * DAY, end: T0 + 6 * DAY }, freeText: ['zanzibar'] },
      text,
      undefined,
      9,
    );
    assert.equal(db.prepare(none.sql).all(none.params).length, 0, 'a period without records: no candidate');
    const day0 = compileSearch({ range: { start: T0, end: T0 + DAY }, freeText: ['zanzibar'] }, text, undefined, 200);
    assert.equal(db.prepare(day0.sql).all(day0.params).length, 55, 'the late records are found');
  } finally {
    await store.close();
  }
});
