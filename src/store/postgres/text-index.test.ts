import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { pgSkip, pgUrl } from '../../../test/support/paths.js';
import { schemaFamily } from '../../../test/support/pg.js';
import { ManualClock, systemClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import type { AuditRecord } from '../../core/record.js';
import type { SearchQuery } from '../../core/search-query.js';
import { sweepRetention } from '../../retention/sweep.js';
import type { Store } from '../contract.js';
import { DAY, record } from '../testing/fixtures.js';
import { openPostgresStore } from './index.js';
import { PostgresRecordStore } from './records.js';

const NOW = Date.UTC(2026, 10, 20);
const ALL: SearchQuery = { range: { start: 0, end: NOW + DAY } };

/** Records whose raw text holds a word of their own (findable only through it) among common ones. */
function worded(words: readonly string[], creationTime = NOW - DAY): AuditRecord[] {
  return words.map((w, i) =>
    record({
      creationTime: creationTime + i,
      raw: JSON.stringify({ Operation: 'FileAccessed', Subject: `Re: ${w} invoice` }),
    }),
  );
}

async function ids(store: Store, query: SearchQuery): Promise<string[]> {
  const out: string[] = [];
  for await (const r of store.records.search(query)) out.push(r.id);
  return out.sort();
}

if (pgUrl) {
  const url = pgUrl;
  const schemas = schemaFamily('text');
  after(() => schemas.dropAll());

  async function fresh(): Promise<{ store: Store; schema: string; sql: (text: string) => Promise<unknown[][]> }> {
    const schema = schemas.next();
    const store = await openPostgresStore(url, { clock: new ManualClock(NOW), schema });
    await store.migrate();
    const sql = async (text: string): Promise<unknown[][]> => {
      const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        return (await client.query<unknown[]>({ text, rowMode: 'array' })).rows;
      } finally {
        await client.end();
      }
    };
    return { store, schema, sql };
  }

  /** Whether the trigram index can answer a need (on a table this small the planner would rather scan it). */
  async function usesIndex(schema: string, term: string): Promise<boolean> {
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      await client.query('SET enable_seqscan = off; SET enable_indexscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT seq FROM records WHERE (creation_time, seq) IN
           (SELECT creation_time, seq FROM record_words WHERE raw_words LIKE '%${term}%')`,
      );
      return rows.some((r) => /record_words_raw/.test(r['QUERY PLAN']));
    } finally {
      await client.end();
    }
  }

  describe('PostgreSQL substring index', () => {
    test('records stored once it exists are posted by their writer, in small and COPY batches, and found through it', async () => {
      const { store, sql, schema } = await fresh();
      try {
        await store.records.insert(worded(['zanzibarite', 'quokkafield']));
        const built = await store.records.optimize!({ textIndex: true });
        assert.equal(built.textIndex, true);
        const later = worded(['wombatgrove'], NOW - 2 * DAY);
        const copied = [...Array.from({ length: 1_100 }, () => record()), ...worded(['yakhollow'], NOW - 3 * DAY)];
        await store.records.insert(later);
        await store.records.insert(copied);
        const posted = await sql(
          "SELECT count(*) FROM record_words WHERE raw_words LIKE '% wombatgrove %' OR raw_words LIKE '% yakhollow %'",
        );
        assert.deepEqual(posted, [['2']], 'each posted by the transaction that stored it');
        assert.ok(await usesIndex(schema, 'wombatgrove'), 'the trigram index answers the words');
        for (const [word, rows] of [
          ['wombatgrove', later],
          ['YAKHOLLOW', copied.slice(-1)],
          ['anzibari', worded(['zanzibarite'])],
        ] as const)
          assert.equal((await ids(store, { ...ALL, freeText: [word] })).length, rows.length, word);
        // Without the index the same answers (the exact test decides either way).
        const withIndex = await ids(store, { ...ALL, freeText: ['invoice', 'quokka'] });
        await store.records.optimize!({ textIndex: false });
        assert.deepEqual(await sql('SELECT count(*) FROM record_words'), [['0']], 'a drop empties it');
        assert.deepEqual(await ids(store, { ...ALL, freeText: ['invoice', 'quokka'] }), withIndex);
        await store.records.insert(worded(['emuridge']));
        assert.deepEqual(
          await sql('SELECT count(*) FROM record_words'),
          [['0']],
          'writers stop posting once it is gone',
        );
      } finally {
        await store.close();
      }
    });

    test('a writer running when the index is created is waited for, and its rows are posted by the build', async () => {
      const { store, schema } = await fresh();
      const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
      const writer = await pool.connect();
      try {
        await store.records.insert(worded(['koalabluff']));
        // A collector's transaction, open across the index's creation: it stored its record before the index
        // existed, so it did not post it.
        const held = worded(['dingocreek']);
        await writer.query('BEGIN');
        await new PostgresRecordStore(pool, systemClock).insertWith(writer, held);
        let built: boolean | null = null;
        const building = store.records.optimize!({ textIndex: true }).then((r) => (built = r.textIndex));
        // The build waits for the writer (an exclusive request on the writers' lock) before it walks the rows.
        const waiting = new pg.Client({ connectionString: url });
        await waiting.connect();
        try {
          // Until the build waits for the writer (or, were it not to, until it is done).
          while (built === null) {
            const { rows } = await waiting.query(
              'SELECT 1 FROM pg_locks WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) OR (NOT granted AND locktype = $1)',
              ['virtualxid'],
            );
            if (rows.length) break;
            await new Promise((resolve) => setImmediate(resolve));
          }
        } finally {
          await waiting.end();
        }
        assert.equal(built, null, 'not ready while a writer that may not have seen it is open');
        await writer.query('COMMIT');
        await building;
        assert.equal(built, true);
        assert.deepEqual(
          await ids(store, { ...ALL, freeText: ['dingocreek'] }),
          held.map((r) => r.id),
        );
      } finally {
        writer.release();
        await pool.end();
        await store.close();
      }
    });

    test('records removed by retention, a month at once or in batches, take their posted words with them', async () => {
      const { store, sql } = await fresh();
      try {
        const old = worded(['lynxhollow', 'otterpond'], Date.UTC(2026, 5, 10));
        const edge = worded(['ibexridge'], NOW - 40 * DAY);
        const kept = worded(['bisonfield'], NOW - DAY);
        await store.records.insert([...old, ...edge, ...kept]);
        await store.records.optimize!({ textIndex: true });
        await store.retention.setPolicy({ tenant: null, keepMs: 30 * DAY, updatedAt: NOW });
        await sweepRetention(store, { clock: new ManualClock(NOW), logger: silentLogger });
        assert.deepEqual(await sql('SELECT count(*) FROM record_words'), [['1']], 'only the kept record’s words');
        assert.deepEqual(await ids(store, { ...ALL, freeText: ['bisonfield', 'otterpond', 'ibexridge'] }), [
          kept[0]!.id,
        ]);
      } finally {
        await store.close();
      }
    });
  });
} else {
  describe('PostgreSQL substring index', () => {
    test('runs against PostgreSQL', { skip: pgSkip }, () => undefined);
  });
}
