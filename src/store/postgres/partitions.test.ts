import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { pgSkip, pgUrl } from '../../../test/support/paths.js';
import { schemaFamily } from '../../../test/support/pg.js';
import { ManualClock } from '../../core/clock.js';
import { recordingLogger, silentLogger } from '../../core/log.js';
import type { AuditRecord, StoredRecord } from '../../core/record.js';
import type { CountDimension, SearchQuery } from '../../core/search-query.js';
import { sweepRetention } from '../../retention/sweep.js';
import { RECORD_COLUMNS, recordValues } from '../columns.js';
import type { Store } from '../contract.js';
import { dayOf, ROLLUP_TABLES, rollupBackfillSql } from '../rollups.js';
import { DAY, record, TENANT_A, TENANT_B } from '../testing/fixtures.js';
import { drain } from '../testing/tail-conformance.js';
import { openPostgresStore, type PostgresStoreOptions } from './index.js';
import { monthOf, monthsOf } from './partitions.js';
import { MIGRATIONS } from './schema.js';

const NOW = Date.UTC(2026, 10, 20, 9, 30);
const ALL: SearchQuery = { range: { start: -8_640_000_000_000_000, end: 8_640_000_000_000_000 } };
const TENANT_C = '9d3f1a7e-0b6c-4e2a-8f5d-3c1b2a4e6f70';

describe('monthOf: one UTC calendar month per partition', () => {
  test('bounds are the month’s first instant and the next month’s; the name says year and month', () => {
    const nov = monthOf(Date.UTC(2026, 10, 20, 9, 30));
    assert.deepEqual(nov, { name: 'records_y2026m11', lo: Date.UTC(2026, 10, 1), hi: Date.UTC(2026, 11, 1) });
    assert.deepEqual(monthOf(Date.UTC(2026, 11, 31, 23, 59, 59, 999)).hi, Date.UTC(2027, 0, 1));
    assert.equal(monthOf(Date.UTC(2026, 11, 1)).name, 'records_y2026m12', 'the first instant is in its month');
    assert.equal(monthOf(Date.UTC(2026, 11, 1) - 1).name, 'records_y2026m11');
  });

  test('years 0001, 9999 and before the era get months of their own, never 1900s ones', () => {
    const first = new Date(0);
    first.setUTCFullYear(1, 0, 15);
    const m1 = monthOf(first.getTime());
    assert.equal(m1.name, 'records_y0001m01');
    assert.equal(new Date(m1.lo).toISOString(), '0001-01-01T00:00:00.000Z');
    assert.equal(new Date(m1.hi).toISOString(), '0001-02-01T00:00:00.000Z');
    const last = monthOf(Date.UTC(9999, 11, 31, 23, 59));
    assert.equal(last.name, 'records_y9999m12');
    assert.equal(new Date(last.hi).toISOString(), '+010000-01-01T00:00:00.000Z');
    const year0 = new Date(0);
    year0.setUTCFullYear(0, 0, 1);
    assert.equal(monthOf(year0.getTime() - DAY).name, 'records_yn0001m12', 'a day before 0000-01-01');
    const edge = monthOf(8_640_000_000_000_000);
    assert.ok(edge.lo <= 8_640_000_000_000_000 && edge.hi > 8_640_000_000_000_000, 'the last instant Date holds');
    assert.throws(() => monthOf(1.5), { code: 'BAD_INPUT' });
  });

  test('monthsOf gives each month once', () => {
    const times = [Date.UTC(2026, 9, 3), Date.UTC(2026, 9, 30), Date.UTC(2026, 7, 1), Date.UTC(2026, 9, 1)];
    assert.deepEqual(
      monthsOf(times).map((m) => m.name),
      ['records_y2026m10', 'records_y2026m08'],
    );
  });
});

if (pgUrl) {
  const url = pgUrl;
  const schemas = schemaFamily('part');
  after(() => schemas.dropAll());

  /** A fresh schema, and a store on it (migrated unless told not to). */
  async function fresh(
    options: PostgresStoreOptions & { migrate?: boolean } = {},
  ): Promise<{ store: Store; schema: string; sql: (text: string, values?: unknown[]) => Promise<unknown[][]> }> {
    const schema = schemas.next();
    const store = await openPostgresStore(url, { clock: new ManualClock(NOW), ...options, schema });
    if (options.migrate !== false) await store.migrate();
    const sql = async (text: string, values: unknown[] = []): Promise<unknown[][]> => {
      const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        return (await client.query<unknown[]>({ text, values, rowMode: 'array' })).rows;
      } finally {
        await client.end();
      }
    };
    return { store, schema, sql };
  }

  async function partitionNames(sql: (text: string) => Promise<unknown[][]>): Promise<string[]> {
    const rows = await sql(
      `SELECT c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
        WHERE h.inhparent = 'records'::regclass AND c.relkind = 'r' ORDER BY c.relname`,
    );
    return rows.map((r) => r[0] as string);
  }

  async function stored(store: Store, query: SearchQuery = ALL): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    for await (const r of store.records.search(query)) out.push(r);
    return out;
  }

  /** The rollups (count, countBy) over whole days against counting the records read back. */
  async function assertRollupsExact(store: Store, at: string): Promise<void> {
    const rows = await stored(store);
    const whole: SearchQuery = { range: { start: dayOf(NOW) - 400 * DAY, end: dayOf(NOW) + DAY } };
    const inRange = rows.filter((r) => r.creationTime >= whole.range.start && r.creationTime < whole.range.end);
    assert.equal(await store.records.count(whole), inRange.length, `${at}: count`);
    for (const [dim, key] of [
      ['day', (r: StoredRecord) => dayOf(r.creationTime)],
      ['tenant', (r: StoredRecord) => r.tenant],
      ['operation', (r: StoredRecord) => r.operation],
      ['user', (r: StoredRecord) => r.userKey],
    ] as [CountDimension, (r: StoredRecord) => string | number | null][]) {
      const expected = new Map<string | number | null, number>();
      for (const r of inRange) expected.set(key(r), (expected.get(key(r)) ?? 0) + 1);
      const got = new Map((await store.records.countBy(whole, dim)).map((r) => [r.key, r.count]));
      assert.deepEqual(got, expected, `${at}: countBy ${dim}`);
    }
  }

  describe('PostgreSQL records partitioned by month', () => {
    test('a store spanning several months has one partition per month, with the indexes of records', async () => {
      const { store, sql } = await fresh();
      try {
        const months = [Date.UTC(2026, 5, 10), Date.UTC(2026, 7, 31, 23, 59), Date.UTC(2026, 8, 1), NOW];
        await store.records.insert(months.map((t) => record({ creationTime: t })));
        assert.deepEqual(await partitionNames(sql), [
          'records_y2026m06',
          'records_y2026m08',
          'records_y2026m09',
          'records_y2026m11',
          'records_y2026m12', // the next month, made when the store opened
        ]);
        const indexes = await sql(
          "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'records_y2026m08' ORDER BY indexname",
        );
        assert.deepEqual(
          indexes.map((r) => r[0]),
          ['arrival', 'ip', 'operation', 'tenant_time', 'time', 'user'].map((i) => `records_${i}_y2026m08`),
        );
        assert.equal((await sql('SELECT count(*) FROM records_y2026m08'))[0]![0], '1');
        assert.equal((await stored(store)).length, 4);
      } finally {
        await store.close();
      }
    });

    test('a record for a month without a partition is stored, in a batch (COPY too) or alone, year 0001 and 9999 alike', async () => {
      const { store, sql } = await fresh();
      try {
        const y1 = new Date(0);
        y1.setUTCFullYear(1, 0, 1);
        const odd = [record({ creationTime: y1.getTime() }), record({ creationTime: Date.UTC(9999, 11, 31, 23, 59) })];
        assert.deepEqual(await store.records.insert([odd[0]!]), { inserted: 1, duplicates: 0 });
        const big = Array.from({ length: 1_500 }, (_, i) => record({ creationTime: Date.UTC(2019, i % 12, 5) }));
        assert.deepEqual(await store.records.insert([...big, odd[1]!]), { inserted: 1_501, duplicates: 0 });
        const names = await partitionNames(sql);
        for (const name of ['records_y0001m01', 'records_y9999m12', 'records_y2019m01', 'records_y2019m12'])
          assert.ok(names.includes(name), name);
        for (const r of odd) assert.equal((await store.records.get(r.tenant, r.id))?.raw, r.raw);
        assert.equal((await stored(store)).length, 1_502);
        assert.equal((await drain(store, null)).ids.length, 1_502, 'each in the tail once');
      } finally {
        await store.close();
      }
    });

    test('a stored (tenant, id) arriving with other content and another CreationTime is a conflict, not a second row', async () => {
      const { store, sql } = await fresh();
      try {
        const first = record({ creationTime: Date.UTC(2026, 9, 5) });
        await store.records.insert([first]);
        const later = { ...first, creationTime: Date.UTC(2026, 6, 5), raw: JSON.stringify({ Id: first.id, X: 1 }) };
        const same = { ...first, creationTime: Date.UTC(2025, 0, 5) };
        for (const batch of [[later], [record(), later, same], Array.from({ length: 1_200 }, () => record())]) {
          if (batch.length > 1_000) batch.push(later);
          const result = await store.records.insert(batch);
          assert.equal(result.inserted, batch.length - (batch.includes(same) ? 2 : 1));
          assert.deepEqual(result.conflicts, [batch.indexOf(later)], 'the other content is a conflict');
        }
        assert.equal((await store.records.get(first.tenant, first.id))?.creationTime, first.creationTime);
        assert.equal((await stored(store)).filter((r) => r.id === first.id).length, 1, 'one row');
        assert.deepEqual(
          (await store.records.conflictsOf(first.tenant, first.id)).map((c) => c.raw),
          [later.raw],
        );
        assert.deepEqual(await sql('SELECT count(*) FROM records_y2026m07'), [['0']], 'nothing stored in July');
        assert.deepEqual(await sql('SELECT count(*) FROM record_keys WHERE id = $1', [first.id]), [['1']]);
      } finally {
        await store.close();
      }
    });

    test('two stores inserting overlapping batches at once store each record once, new months and COPY included', async () => {
      const a = await fresh();
      const b = await openPostgresStore(url, { clock: new ManualClock(NOW), schema: a.schema });
      try {
        // The same batches at once, one store's in the opposite order, over months neither store has made
        // yet: both create the same partitions and insert the same keys at the same time, COPY and small.
        const records = Array.from({ length: 3_000 }, (_, i) =>
          record({ tenant: i % 2 ? TENANT_A : TENANT_B, creationTime: Date.UTC(2020, i % 7, 1 + (i % 27)) }),
        );
        const batches = [records.slice(0, 1_100), records.slice(1_100, 2_200)];
        for (let i = 2_200; i < records.length; i += 70) batches.push(records.slice(i, i + 70));
        let inserted = 0;
        for (const batch of batches) {
          const [x, y] = await Promise.all([a.store.records.insert(batch), b.records.insert([...batch].reverse())]);
          inserted += x.inserted + y.inserted;
          assert.equal(x.inserted + y.inserted, batch.length, 'each record of the batch inserted by one of them');
        }
        assert.equal(inserted, records.length);
        const rows = await stored(a.store);
        assert.equal(rows.length, records.length);
        assert.equal(new Set(rows.map((r) => `${r.tenant}/${r.id}`)).size, records.length);
        assert.deepEqual(await a.sql('SELECT count(*) FROM record_keys'), [[String(records.length)]]);
        assert.equal((await drain(a.store, null)).ids.length, records.length, 'each in the tail once');
        await assertRollupsExact(a.store, 'after concurrent inserts');
      } finally {
        await b.close();
        await a.store.close();
      }
    });
  });

  describe('rollups after a bulk load', () => {
    test('a load that left the rollup tables mostly empty rewrites them, and the counts stay exact', async () => {
      const { store, sql } = await fresh();
      try {
        const bulk = store.records.bulk!();
        // Batches spread over 200 days and 12 operations: every batch appends a few hundred delta rows per
        // table, which the load's close folds into one row per key and then rewrites into a small table.
        const operations = Array.from({ length: 12 }, (_, i) => `Operation${i}`);
        try {
          for (let b = 0; b < 60; b++)
            await bulk.insert(
              Array.from({ length: 400 }, (_, i) =>
                record({
                  creationTime: NOW - ((b * 400 + i) % 200) * DAY,
                  operation: operations[(b + i) % 12]!,
                  userId: `user${i % 40}@contoso.com`,
                }),
              ),
            );
        } finally {
          await bulk.close();
        }
        for (const table of ['rollup_counts', 'rollup_users']) {
          const [[bytes, live]] = (await sql(
            `SELECT pg_relation_size('${table}'), (SELECT count(*) FROM ${table})`,
          )) as [[string, string]];
          assert.ok(Number(bytes) < 1 << 20, `${table}: ${bytes} bytes for ${live} rows after the load`);
        }
        await assertRollupsExact(store, 'after the rewrite');
      } finally {
        await store.close();
      }
    });
  });

  describe('retention drops whole months', () => {
    /** June to November 2026 for tenants A and B; July also for C, who keeps a year. */
    function dataset(): AuditRecord[] {
      const ops = ['FileAccessed', 'FileModified', 'UserLoggedIn'];
      const out: AuditRecord[] = [];
      for (let i = 0; i < 900; i++) {
        const t = Date.UTC(2026, 5, 1) + Math.floor((((i * 7919) % 900) / 900) * 172 * DAY);
        out.push(
          record({ tenant: i % 2 ? TENANT_A : TENANT_B, creationTime: t, operation: ops[i % 3]!, userId: `u${i % 5}` }),
        );
      }
      for (let i = 0; i < 30; i++) out.push(record({ tenant: TENANT_C, creationTime: Date.UTC(2026, 6, 1 + i) }));
      return out;
    }
    const KEEP = 60 * DAY;
    const before = NOW - KEEP;

    test('a sweep drops every month older than each of its tenants’ limits; rollups, ledger and keys follow', async () => {
      const { store, sql } = await fresh();
      try {
        const records = dataset();
        await store.records.insert(records);
        await store.retention.setPolicy({ tenant: null, keepMs: KEEP, updatedAt: NOW });
        await store.retention.setPolicy({ tenant: TENANT_C, keepMs: 365 * DAY, updatedAt: NOW });
        const due = records.filter((r) => r.tenant !== TENANT_C && r.creationTime < before);
        const result = await sweepRetention(store, { clock: new ManualClock(NOW), logger: silentLogger, batch: 50 });

        // June and August held only A and B, both past their limit: dropped. July holds C (a year kept), and
        // September straddles the limit: their A and B records went in batches.
        const names = await partitionNames(sql);
        assert.deepEqual(
          ['records_y2026m06', 'records_y2026m07', 'records_y2026m08', 'records_y2026m09'].map((m) =>
            names.includes(m),
          ),
          [false, true, false, true],
        );
        assert.deepEqual(
          await sql(
            "SELECT count(*) FROM pg_class WHERE relname LIKE 'records_%y2026m06' AND relnamespace = current_schema()::regnamespace",
          ),
          [['0']],
        );
        const left = await stored(store);
        assert.deepEqual(
          left.map((r) => r.id).sort(),
          records
            .filter((r) => !due.includes(r))
            .map((r) => r.id)
            .sort(),
        );
        await assertRollupsExact(store, 'after the sweep');
        for (const tenant of [TENANT_A, TENANT_B]) {
          const gone = due.filter((r) => r.tenant === tenant).map((r) => r.creationTime);
          const span = { records: gone.length, oldest: Math.min(...gone), newest: Math.max(...gone) };
          const [removal, ...more] = await store.retention.removals(tenant);
          assert.equal(more.length, 0, 'one ledger row per tenant and sweep');
          assert.deepEqual(
            {
              records: removal!.records,
              oldest: removal!.oldest,
              newest: removal!.newest,
              complete: removal!.complete,
            },
            { ...span, complete: true },
            `${tenant}: the ledger accounts for the dropped months and the batches alike`,
          );
          assert.deepEqual(
            result.filter((t) => t.tenant === tenant).map((t) => [t.records, t.oldest, t.newest]),
            [[span.records, span.oldest, span.newest]],
          );
        }
        assert.equal((await store.retention.removals(TENANT_C))[0]?.records, 0);
        assert.deepEqual(
          await sql('SELECT count(*) FROM record_keys WHERE creation_time < $1 AND tenant <> $2', [before, TENANT_C]),
          [['0']],
          'the keys of removed records are gone',
        );
        assert.deepEqual(
          await sql('SELECT count(*) FROM rollup_counts WHERE day >= $1 AND day < $2', [
            Date.UTC(2026, 5, 1),
            Date.UTC(2026, 6, 1),
          ]),
          [['0']],
          'the dropped month’s rollup rows are folded away, not left as pairs',
        );
        // A removed record that arrives again is stored again (its month is made again), and the next sweep takes it.
        const june = due.find((r) => r.creationTime < Date.UTC(2026, 6, 1))!;
        assert.deepEqual(await store.records.insert([june]), { inserted: 1, duplicates: 0 });
        assert.ok((await partitionNames(sql)).includes('records_y2026m06'));
        await sweepRetention(store, { clock: new ManualClock(NOW + DAY), logger: silentLogger });
        assert.equal(await store.records.get(june.tenant, june.id), null);
        await assertRollupsExact(store, 'after the second sweep');
      } finally {
        await store.close();
      }
    });

    test('a month whose lock is held past the timeout is left to the batched deletes, with the same result', async () => {
      const { store, sql, schema } = await fresh({ dropLockTimeoutMs: 50 });
      const reader = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await reader.connect();
      try {
        const records = dataset().filter((r) => r.tenant !== TENANT_C);
        await store.records.insert(records);
        await store.retention.setPolicy({ tenant: null, keepMs: KEEP, updatedAt: NOW });
        // A long read holds `records`: DROP TABLE (ACCESS EXCLUSIVE on it) cannot have it within 50 ms.
        await reader.query('BEGIN');
        await reader.query('SELECT count(*) FROM records');
        const due = records.filter((r) => r.creationTime < before);
        const result = await sweepRetention(store, { clock: new ManualClock(NOW), logger: silentLogger });
        await reader.query('COMMIT');
        assert.equal(
          result.reduce((k, t) => k + t.records, 0),
          due.length,
        );
        assert.ok((await partitionNames(sql)).includes('records_y2026m06'), 'the busy month was not dropped');
        assert.deepEqual(await sql('SELECT count(*) FROM records_y2026m06'), [['0']], 'but emptied by batches');
        assert.equal(await store.records.count({ range: { start: 0, end: before } }), 0);
        await assertRollupsExact(store, 'after a busy sweep');
        const removed = (await store.retention.removals()).reduce((k, r) => k + r.records, 0);
        assert.equal(removed, due.length);
        // Once the reader is gone, the next sweep drops the empty months.
        await sweepRetention(store, { clock: new ManualClock(NOW), logger: silentLogger });
        assert.ok(!(await partitionNames(sql)).includes('records_y2026m06'));
      } finally {
        await reader.end();
        await store.close();
      }
    });

    test('a late record for the month a sweep is dropping is stored once the month is gone, not a deadlock error', async () => {
      const { store, sql, schema } = await fresh();
      // The sweep's transaction (retention-months.ts), step by step: the month locked, ..., DROP TABLE.
      const sweep = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await sweep.connect();
      try {
        await store.records.insert([record({ creationTime: Date.UTC(2026, 5, 3) })]);
        // Which of two waiters breaks a deadlock is timing: each checks once, deadlock_timeout (1 s) after it began
        // to wait. The drop must begin to wait within that second of the insert, or the insert's one check finds no
        // cycle yet and the drop's, later, fails the drop instead: on a machine slow enough for that, the sweep
        // rolls back (the insert then goes into the month as it stands) and the interleaving is set up again.
        let late: ReturnType<typeof record> | undefined;
        let inserting: Promise<unknown> | undefined;
        for (let attempt = 1; ; attempt++) {
          await sweep.query('BEGIN');
          await sweep.query('LOCK TABLE records_y2026m06 IN EXCLUSIVE MODE');
          // A history fill or an import brings a June record meanwhile: its insert waits for the month.
          late = record({ creationTime: Date.UTC(2026, 5, 9) });
          inserting = store.records.insert([late]);
          for (;;) {
            const { rows } = await sweep.query<{ n: string }>(
              `SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND relation = 'records_y2026m06'::regclass`,
            );
            if (Number(rows[0]!.n) > 0) break;
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
          // The drop needs `records`, which the waiting insert holds: a deadlock, which PostgreSQL breaks by
          // failing the insert (it waited first, so it is the one that detects it).
          try {
            await sweep.query('DROP TABLE records_y2026m06, record_words_y2026m06');
            await sweep.query('COMMIT');
            break;
          } catch (error) {
            if ((error as { code?: string }).code !== '40P01' || attempt === 3) throw error;
            await sweep.query('ROLLBACK');
            assert.deepEqual(await inserting, { inserted: 1, duplicates: 0 }, 'the drop was the one failed');
          }
        }
        assert.deepEqual(await inserting, { inserted: 1, duplicates: 0 });
        assert.equal((await store.records.get(late.tenant, late.id))?.raw, late.raw);
        assert.ok((await partitionNames(sql)).includes('records_y2026m06'), 'the month made again');
        assert.deepEqual(
          (await stored(store, { range: { start: Date.UTC(2026, 5, 1), end: Date.UTC(2026, 6, 1) } })).map((r) => r.id),
          [late.id],
        );
      } finally {
        await sweep.end();
        await store.close();
      }
    });

    test('a month a writer waits for is given back to the batched deletes instead of deadlocking with it', async () => {
      const { store, schema } = await fresh({ dropLockTimeoutMs: 20_000 });
      const client = async (): Promise<pg.Client> => {
        const c = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
        await c.connect();
        return c;
      };
      const [holder, watcher] = [await client(), await client()];
      /** Until the statement asked about waits (no timer: the catalog says when; outside a transaction, so fresh). */
      const until = async (sql: string, values: unknown[]): Promise<void> => {
        while (Number((await watcher.query<{ n: string }>(sql, values)).rows[0]!.n) === 0)
          await new Promise<void>((resolve) => setImmediate(resolve));
      };
      try {
        const june = record({ creationTime: Date.UTC(2026, 5, 3) });
        await store.records.insert([june]);
        await store.retention.setPolicy({ tenant: null, keepMs: KEEP, updatedAt: NOW });
        // Holding June's key keeps the sweep inside June's transaction (its keys' DELETE waits), June locked.
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM record_keys WHERE id = $1 FOR UPDATE', [june.id]);
        const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        const logger = recordingLogger();
        const sweeping = sweepRetention(store, { clock: new ManualClock(NOW), logger });
        await until('SELECT count(*) AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [holderPid]);
        // A late June record: its insert holds `records` and waits for June, which the sweep holds.
        const late = record({ creationTime: Date.UTC(2026, 5, 9) });
        const inserting = store.records.insert([late]);
        await until(
          "SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND relation = to_regclass('records_y2026m06')",
          [],
        );
        await holder.query('COMMIT');
        assert.deepEqual(await inserting, { inserted: 1, duplicates: 0 });
        await sweeping;
        const months = logger.entries.filter((e) => (e.obj as { event?: string }).event === 'retention.month.removed');
        assert.deepEqual(months, [], 'June was left to the batched deletes: its writer went first');
        // The late record may have committed after this sweep's batches looked: the next sweep takes it.
        await sweepRetention(store, { clock: new ManualClock(NOW), logger: silentLogger });
        assert.deepEqual(await stored(store, { range: { start: 0, end: before } }), []);
        await assertRollupsExact(store, 'after a month given back to its writer');
      } finally {
        await holder.end();
        await watcher.end();
        await store.close();
      }
    });

    test('a bulk load whose month a sweep drops while it closes closes cleanly', async () => {
      const { store, sql, schema } = await fresh();
      const sweep = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await sweep.connect();
      try {
        const bulk = store.records.bulk!();
        await bulk.insert([record({ creationTime: Date.UTC(2026, 5, 3) }), record({ creationTime: NOW })]);
        // The sweep holds June (as it does while it drops it); the close's VACUUM of the months it wrote waits.
        await sweep.query('BEGIN');
        await sweep.query('LOCK TABLE records_y2026m06 IN ACCESS EXCLUSIVE MODE');
        const closing = bulk.close();
        while (
          Number(
            (
              await sql(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = to_regclass('records_y2026m06')",
              )
            )[0]![0],
          ) === 0
        )
          await new Promise<void>((resolve) => setImmediate(resolve));
        await sweep.query('DROP TABLE records_y2026m06, record_words_y2026m06');
        await sweep.query('COMMIT');
        await closing;
        assert.equal((await stored(store)).length, 1);
      } finally {
        await sweep.end();
        await store.close();
      }
    });

    test('a sweep that loses its lease drops no further month: the new holder has them', async () => {
      const { store, sql } = await fresh();
      try {
        const records = dataset().filter((r) => r.tenant !== TENANT_C);
        await store.records.insert(records);
        await store.retention.setPolicy({ tenant: null, keepMs: KEEP, updatedAt: NOW });
        // The lease holds for the first month (June) and is found taken over before the next one.
        let keeps = 0;
        const result = await sweepRetention(store, {
          clock: new ManualClock(NOW),
          logger: silentLogger,
          keepLease: () => Promise.resolve(keeps++ === 0),
        });
        const names = await partitionNames(sql);
        assert.deepEqual(
          ['records_y2026m06', 'records_y2026m07', 'records_y2026m08'].map((m) => names.includes(m)),
          [false, true, true],
          'June dropped; July and August left to the new holder',
        );
        const june = records.filter((r) => r.creationTime < Date.UTC(2026, 6, 1));
        assert.deepEqual(
          result.map((t) => [t.records, t.complete]),
          [[june.filter((r) => r.tenant === result[0]!.tenant).length, false]],
          'the first tenant accounts for its June, not complete; the sweep stops there',
        );
        assert.equal((await stored(store)).length, records.length - june.length);
        await assertRollupsExact(store, 'after the lost lease');
      } finally {
        await store.close();
      }
    });

    test('a month another sweep drops meanwhile is passed over, not a failed sweep', async () => {
      const { store, sql, schema } = await fresh();
      // The other sweep (a manual `retention sweep` beside the collector's scheduled one): it holds June's
      // partition while it drops it, and commits once this sweep waits for that lock.
      const other = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await other.connect();
      try {
        const records = dataset().filter((r) => r.tenant !== TENANT_C);
        await store.records.insert(records);
        await store.retention.setPolicy({ tenant: null, keepMs: KEEP, updatedAt: NOW });
        const june = records.filter((r) => r.creationTime < Date.UTC(2026, 6, 1));
        await other.query('BEGIN');
        await other.query('LOCK TABLE records_y2026m06 IN EXCLUSIVE MODE');
        const sweeping = sweepRetention(store, { clock: new ManualClock(NOW), logger: silentLogger });
        // Until this sweep waits for June's lock (no timer: the catalog says when).
        for (;;) {
          const { rows } = await other.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND relation = 'records_y2026m06'::regclass`,
          );
          if (Number(rows[0]!.n) > 0) break;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        await other.query('DROP TABLE records_y2026m06, record_words_y2026m06');
        await other.query('COMMIT');
        const result = await sweeping;
        assert.equal(
          result.reduce((k, t) => k + t.records, 0),
          records.length - june.length - records.filter((r) => r.creationTime >= before).length,
          'the other months went as usual',
        );
        assert.ok(!(await partitionNames(sql)).includes('records_y2026m08'));
        assert.deepEqual(
          (await stored(store)).filter((r) => r.creationTime < before),
          [],
        );
        assert.ok((await store.retention.removals()).every((r) => r.complete));
      } finally {
        await other.end();
        await store.close();
      }
    });
  });

  describe('the upgrade to partitions', () => {
    test('a store of the previous schema version keeps every row, seq, xid and cursor, and refuses its duplicates', async () => {
      const { store: unmigrated, schema, sql } = await fresh({ migrate: false });
      await unmigrated.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const olds = [
        ...Array.from({ length: 40 }, (_, i) => record({ creationTime: Date.UTC(2026, i % 4, 3 + i) })),
        record({ tenant: TENANT_B, creationTime: Date.UTC(2025, 11, 31, 23, 59, 59) }),
      ];
      try {
        await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
        await client.query('CREATE TABLE schema_version (version integer NOT NULL)');
        for (const [v, step] of MIGRATIONS.slice(0, 9).entries()) {
          await client.query(step as string);
          await client.query('INSERT INTO schema_version VALUES ($1)', [v + 1]);
        }
        // As version 9 wrote them: several transactions (several xids), then the rollups of what is there.
        for (let i = 0; i < olds.length; i += 10) {
          const chunk = olds.slice(i, i + 10);
          const columns = RECORD_COLUMNS.map((_, c) => chunk.map((r) => recordValues(r, NOW)[c]));
          await client.query(
            `INSERT INTO records (${RECORD_COLUMNS.join(', ')}) SELECT * FROM unnest(${RECORD_COLUMNS.map(
              (c, k) =>
                `$${k + 1}::${['creation_time', 'ingested_at'].includes(c) ? 'bigint' : ['record_type', 'user_type', 'client_port', 'logon_type'].includes(c) ? 'integer' : c === 'plain' ? 'smallint' : 'text'}[]`,
            ).join(', ')})`,
            columns,
          );
        }
        for (const table of ROLLUP_TABLES) await client.query(rollupBackfillSql(table));
      } finally {
        await client.end();
      }
      const positions = async (): Promise<unknown[][]> =>
        sql('SELECT id, seq, xid::text FROM records ORDER BY xid, seq');
      const before = await positions();
      assert.equal(before.length, olds.length);

      const notices: string[] = [];
      const store = await openPostgresStore(url, {
        clock: new ManualClock(NOW),
        schema,
        onNotice: (m) => notices.push(m),
      });
      try {
        // A consumer read part of the tail before the upgrade.
        const read = await drain(store, null, 7);
        assert.equal(read.ids.length, olds.length);
        const half = await store.records.tail(null, { limit: 25 });
        await store.cursors.set('sink:siem', half.next, NOW);

        await store.migrate();
        assert.deepEqual(await sql('SELECT max(version) FROM schema_version'), [[MIGRATIONS.length]]);
        assert.deepEqual(await sql("SELECT relkind FROM pg_class WHERE oid = 'records'::regclass"), [['p']]);
        assert.deepEqual(await positions(), before, 'every row with its seq and xid');
        assert.deepEqual(notices, [], 'a small store is moved without a word');
        for (const r of olds) assert.equal((await store.records.get(r.tenant, r.id))?.raw, r.raw);
        assert.deepEqual(
          (await partitionNames(sql)).filter((m) => m < 'records_y2026m05'),
          ['records_y2025m12', 'records_y2026m01', 'records_y2026m02', 'records_y2026m03', 'records_y2026m04'],
        );

        const cursor = await store.cursors.get('sink:siem');
        assert.equal(cursor, half.next, 'the cursor is kept');
        const newer = [record(), record({ creationTime: Date.UTC(2026, 1, 9) })];
        assert.deepEqual(await store.records.insert([olds[3]!, ...newer, olds[40]!]), { inserted: 2, duplicates: 2 });
        const rest = await drain(store, cursor);
        assert.deepEqual(
          rest.ids,
          [...olds.map((r) => r.id).slice(25), ...newer.map((r) => r.id)],
          'the cursor goes on after what it read: no row skipped, none again, new rows after',
        );
        await assertRollupsExact(store, 'after the upgrade');
        // The sequence goes on above the rows moved.
        const seqs = (await sql('SELECT seq FROM records ORDER BY seq')).map((r) => Number(r[0]));
        assert.equal(new Set(seqs).size, seqs.length);
      } finally {
        await store.close();
      }
    });
  });
} else {
  describe('PostgreSQL partitions', () => {
    test('run against PostgreSQL', { skip: pgSkip }, () => undefined);
  });
}
