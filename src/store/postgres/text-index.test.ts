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
import { DAY, readPages, record, TENANT_A, TENANT_B } from '../testing/fixtures.js';
import { compileSearch } from './compile.js';
import { openPostgresStore } from './index.js';
import { PostgresRecordStore } from './records.js';
import { LONG_WORD_HASH, PostgresTextIndex } from './text-index.js';
import { MAX_NEED_WORDS, wordHash } from '../text-words.js';

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

/** SQL: the words column holds the word (its hash). */
function posts(column: 'raw_words' | 'object_words', word: string): string {
  return `${column} @> ARRAY[${wordHash(word)}]`;
}

/** A search compiled as the store compiles it: the index's state, and the words meeting its terms looked up. */
async function compiled(pool: pg.Pool, query: SearchQuery, limit: number): Promise<{ sql: string; params: unknown[] }> {
  const index = new PostgresTextIndex(pool, async () => '0');
  const state = await index.state();
  return compileSearch(query, state && (await index.lookUp(state, query)), undefined, limit);
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

  /** The months that have a partition of record_words (y2026m06…), and those of records. */
  async function wordMonths(sql: (text: string) => Promise<unknown[][]>): Promise<string[]> {
    return months(sql, 'record_words');
  }
  async function recordMonths(sql: (text: string) => Promise<unknown[][]>): Promise<string[]> {
    return months(sql, 'records');
  }
  async function months(sql: (text: string) => Promise<unknown[][]>, table: string): Promise<string[]> {
    const rows = await sql(
      `SELECT c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
        WHERE h.inhparent = '${table}'::regclass ORDER BY c.relname`,
    );
    return rows.map((r) => String(r[0]).slice(`${table}_`.length));
  }

  /** Whether the words' index can answer a need (on a table this small the planner would rather scan it). */
  async function usesIndex(schema: string, word: string): Promise<boolean> {
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      await client.query('SET enable_seqscan = off; SET enable_indexscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT seq FROM records WHERE (creation_time, seq) IN
           (SELECT creation_time, seq FROM record_words WHERE raw_words && '{${wordHash(word)}}'::integer[])`,
      );
      return rows.some((r) => /record_words_raw/.test(r['QUERY PLAN']));
    } finally {
      await client.end();
    }
  }

  describe('PostgreSQL substring index', () => {
    test('a word longer than the vocabulary keeps is posted as a long word: stored, and still found inside', async () => {
      const { store } = await fresh();
      try {
        await store.records.insert(worded(['wallabyridge']));
        assert.equal((await store.records.optimize!({ textIndex: true })).textIndex, true);
        // 9,000 letters in one run: its btree key failed every insert once the index existed.
        const blob = Array.from({ length: 9_000 }, (_, i) => 'ghijklmnopqrstuvwxyz'[(i * 7) % 20]).join('');
        const long = record({
          creationTime: NOW - DAY,
          objectId: `https://x.example/${blob}`,
          raw: JSON.stringify({ Operation: 'FileAccessed', ObjectId: `https://x.example/${blob}` }),
        });
        assert.equal((await store.records.insert([long])).inserted, 1);
        const inside = blob.slice(4_000, 4_030);
        assert.deepEqual(await ids(store, { ...ALL, freeText: [inside] }), [long.id], 'free text inside the long word');
        assert.deepEqual(await ids(store, { ...ALL, objects: [inside] }), [long.id], 'object inside the long word');
        assert.deepEqual(await ids(store, { ...ALL, freeText: ['wallabyridge'] }).then((r) => r.length), 1);
        // A build over rows already stored posts it the same way.
        await store.records.optimize!({ textIndex: false });
        assert.equal((await store.records.optimize!({ textIndex: true })).textIndex, true);
        assert.deepEqual(await ids(store, { ...ALL, freeText: [inside] }), [long.id], 'after a build');
      } finally {
        await store.close();
      }
    });

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
          `SELECT count(*) FROM record_words WHERE ${posts('raw_words', 'wombatgrove')} OR ${posts('raw_words', 'yakhollow')}`,
        );
        assert.deepEqual(posted, [['2']], 'each posted by the transaction that stored it');
        assert.deepEqual(
          await sql("SELECT word, hash FROM text_vocab WHERE word IN ('wombatgrove', 'yakhollow') ORDER BY word"),
          [
            ['wombatgrove', wordHash('wombatgrove')],
            ['yakhollow', wordHash('yakhollow')],
          ],
          'and their words into the vocabulary',
        );
        assert.ok(await usesIndex(schema, 'wombatgrove'), 'the words’ indexes answer the words');
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
        assert.deepEqual(await sql('SELECT count(*) FROM text_vocab'), [['0']], 'and the vocabulary');
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

    test('a word first stored between the lookup of a search’s words and its read is found: the read runs again', async () => {
      const { store, schema } = await fresh();
      const lookUp = PostgresTextIndex.prototype.lookUp;
      try {
        await store.records.insert(worded(['quaggaridge']));
        await store.records.optimize!({ textIndex: true });
        const late = worded(['quaggaridgeline'], NOW - 2 * DAY);
        let calls = 0;
        PostgresTextIndex.prototype.lookUp = async function (this: PostgresTextIndex, ...args) {
          const found = await lookUp.apply(this, args);
          // Stored after the first lookup, before the read: its word is new to the vocabulary.
          if (++calls === 1) await store.records.insert(late);
          return found;
        };
        assert.equal((await ids(store, { ...ALL, freeText: ['quaggaridge'] })).length, 2);
        assert.ok(calls >= 3, `looked up again after the read, and read again (${calls} lookups)`);
        // The vocabulary's words are found through its trigram index.
        const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
        await client.connect();
        try {
          await client.query('SET enable_seqscan = off');
          const { rows } = await client.query<{ 'QUERY PLAN': string }>(
            "EXPLAIN SELECT hash FROM text_vocab WHERE word LIKE '%aggaridg%'",
          );
          assert.ok(rows.some((r) => /text_vocab_grams/.test(r['QUERY PLAN'])));
        } finally {
          await client.end();
        }
      } finally {
        PostgresTextIndex.prototype.lookUp = lookUp;
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

    test('a page the index narrows reads its candidates newest first until it is full, and pages across records of one instant', async () => {
      const { store, schema } = await fresh();
      const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
      try {
        const T = NOW - 2 * DAY;
        const file = (over: Partial<AuditRecord>): AuditRecord =>
          record({ objectId: 'https://contoso.sharepoint.com/sites/Harbor/Ledger of tides.xlsx', ...over });
        // Twelve at one instant in two tenants (a page ends inside them), forty at instants of their own, and
        // records the word does not reach.
        const tied = Array.from({ length: 12 }, (_, i) =>
          file({ creationTime: T, tenant: i % 2 ? TENANT_A : TENANT_B }),
        );
        const spread = Array.from({ length: 40 }, (_, i) => file({ creationTime: T - (i + 1) * 60_000 }));
        const others = Array.from({ length: 300 }, (_, i) => record({ creationTime: T - i * 1_000 }));
        await store.records.insert([...others, ...spread, ...tied]);
        assert.equal((await store.records.optimize!({ textIndex: true })).textIndex, true);
        const newestFirst = (rows: AuditRecord[]): string[] =>
          [...rows]
            .sort((a, b) =>
              a.creationTime !== b.creationTime
                ? b.creationTime - a.creationTime
                : a.tenant !== b.tenant
                  ? a.tenant < b.tenant
                    ? 1
                    : -1
                  : a.id < b.id
                    ? 1
                    : -1,
            )
            .map((r) => r.id);
        for (const query of [
          { ...ALL, objects: ['harbor/ledger'] },
          { ...ALL, objects: ['harbor/ledger'], tenants: [TENANT_B] },
        ] as SearchQuery[]) {
          const want = newestFirst(
            [...tied, ...spread].filter((r) => !query.tenants || query.tenants.includes(r.tenant)),
          );
          const paged = (await readPages(store.records, query, 5)).map((r) => r.id);
          assert.deepEqual(paged, want, 'pages of five walk every match once, newest first');
        }
        // A first page of three over the forty spread ones reads four candidates' records (the fourth ends the
        // instant), not all forty, nor the period's other records.
        const { sql, params } = await compiled(
          pool,
          { ...ALL, range: { start: 0, end: T - 30_000 }, objects: ['harbor/ledger'] },
          3,
        );
        const { rows } = await pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
        const reads: number[] = [];
        const walk = (node: Record<string, unknown>): void => {
          const relation = node['Relation Name'];
          if (typeof relation === 'string' && relation.startsWith('records'))
            reads.push(Number(node['Actual Loops']) * Number(node['Actual Rows']));
          for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
        };
        walk((rows[0]!['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
        const read = reads.reduce((a, b) => a + b, 0);
        assert.ok(read >= 3 && read <= 5, `records read for a page of 3: ${read}`);
      } finally {
        await pool.end();
        await store.close();
      }
    });

    test('a need more words meet than MAX_NEED_WORDS narrows nothing: left out, and a term with nothing else is scanned for', async () => {
      const { store, schema } = await fresh();
      const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
      try {
        const many = worded(Array.from({ length: MAX_NEED_WORDS + 1 }, (_, i) => `quxzz${i}`));
        const rare = worded(['mongoosebay quxzzend'], NOW - 2 * DAY);
        await store.records.insert([...many, ...rare]);
        assert.equal((await store.records.optimize!({ textIndex: true })).textIndex, true);
        const common = { ...ALL, freeText: ['quxzz'] };
        const scanned = await compiled(pool, common, 100);
        assert.doesNotMatch(scanned.sql, /raw_words &&/, 'no thousands of hashes bound for the common need');
        assert.equal((await ids(store, common)).length, many.length + rare.length, 'every record holding it');
        // The term's other need (the rare word) still narrows, alone.
        const mixed = { ...ALL, freeText: ['mongoosebay quxzz'] };
        const narrowed = await compiled(pool, mixed, 100);
        assert.equal(narrowed.sql.match(/raw_words &&/g)?.length, 1, narrowed.sql);
        assert.ok(
          narrowed.params.includes(`{${wordHash('mongoosebay')},${LONG_WORD_HASH}}`),
          'by the rare word alone (and records posting a word too long for the vocabulary)',
        );
        assert.deepEqual(
          await ids(store, mixed),
          rare.map((r) => r.id),
        );
      } finally {
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
        assert.deepEqual(await wordMonths(sql), await recordMonths(sql), 'June’s words went with June’s records');
      } finally {
        await store.close();
      }
    });

    test('a build cutting words on a thread of its own posts what one cutting them here posts, and one stopped half way resumes there', async () => {
      const { store, sql } = await fresh();
      const threadFrom = PostgresTextIndex.threadFromBatch;
      try {
        // Three batches of the build over two months, each record with words of its own and shared ones.
        const records = Array.from({ length: 12_000 }, (_, i) =>
          record({
            creationTime: Date.UTC(2026, 9, 1) + i * 300_000,
            objectId: `https://contoso.sharepoint.com/sites/Team${i % 37}/doc${i}.docx`,
            raw: JSON.stringify({
              Operation: 'FileAccessed',
              Subject: `Re: ${(i * 7919).toString(36)}word${i % 101} invoice`,
            }),
          }),
        );
        await store.records.insert(records);
        const words = (): Promise<unknown[][]> =>
          sql('SELECT creation_time, seq, raw_words, object_words FROM record_words ORDER BY seq');
        const vocabulary = (): Promise<unknown[][]> => sql('SELECT word, hash FROM text_vocab ORDER BY word');
        PostgresTextIndex.threadFromBatch = Infinity;
        await store.records.optimize!({ textIndex: true });
        const here = await words();
        const known = await vocabulary();
        assert.equal(here.length, records.length);
        assert.ok(known.some(([w]) => String(w).endsWith('word57')));
        await store.records.optimize!({ textIndex: false });
        PostgresTextIndex.threadFromBatch = 1;
        await store.records.optimize!({ textIndex: true });
        assert.deepEqual(await words(), here, 'the same words, from the second batch on cut by the threads');
        assert.deepEqual(await vocabulary(), known, 'the same vocabulary, each word sent once by each thread');

        // As a build stopped after its first batch leaves it: words up to its position, the index not ready.
        const [[at, seq]] = (await sql(
          "SELECT xid::text || ':' || seq::text, seq FROM records ORDER BY xid, seq OFFSET 4999 LIMIT 1",
        )) as [[string, string]];
        await sql(`BEGIN;
          DELETE FROM record_words WHERE seq >= ${seq};
          UPDATE store_meta SET value = '${at}' WHERE key = 'text_index_walked';
          UPDATE store_meta SET value = jsonb_set(value::jsonb, '{ready}', 'false')::text WHERE key = 'text_index';
          COMMIT;`);
        assert.deepEqual(await sql('SELECT count(*) FROM record_words'), [['4999']]);
        assert.equal((await store.records.optimize!({ textIndex: true })).textIndex, true);
        const resumed = await words();
        assert.deepEqual(
          here.filter((r) => !resumed.some((k) => k[1] === r[1])).map((r) => r[1]),
          [seq],
          'the rows it had walked are not walked again (the last one, taken out, stays out)',
        );
        assert.deepEqual(
          resumed.filter((r) => r[1] !== seq),
          here.filter((r) => r[1] !== seq),
          'the build went on from where it stopped',
        );
        assert.equal((await ids(store, { ...ALL, freeText: ['word57 invoice'] })).length, 119);
      } finally {
        PostgresTextIndex.threadFromBatch = threadFrom;
        await store.close();
      }
    });

    test('a build cuts the words of what COPY sends as a writer cuts its strings: escapes, tabs, new lines, non-ASCII', async () => {
      const texts = [
        'C:\\Users\\zorroquill\\Docs',
        'line one\nline twoish\tTabbedword',
        'Überweisung für Ärgerlich İstanbul \u212aelvin',
        'back\\nslash-n literal',
        '\\N',
        'ends with a backslash\\',
        'plain Words here',
      ];
      const records = (): AuditRecord[] =>
        texts.flatMap((text, i) =>
          [0, 1].map((k) =>
            record({
              creationTime: NOW - DAY + i * 10 + k,
              objectId: k === 0 ? text : null,
              raw: JSON.stringify(
                { Operation: 'FileAccessed', Subject: text, Other: `${text}\t${i}` },
                null,
                k ? '\t' : 2,
              ),
            }),
          ),
        );
      const posted = async (sql: (text: string) => Promise<unknown[][]>): Promise<unknown[][]> =>
        sql('SELECT creation_time, raw_words, object_words FROM record_words ORDER BY creation_time');
      const built = await fresh();
      const written = await fresh();
      const threadFrom = PostgresTextIndex.threadFromBatch;
      try {
        // Stored, then walked by a build (the bytes COPY sends; the first batch here, the rest on the word threads).
        PostgresTextIndex.threadFromBatch = 0;
        await built.store.records.insert(records());
        assert.equal((await built.store.records.optimize!({ textIndex: true })).textIndex, true);
        // Stored once the index exists: each writer posts its rows' words from their strings.
        await written.store.records.optimize!({ textIndex: true });
        await written.store.records.insert(records());
        const fromBuild = await posted(built.sql);
        assert.equal(fromBuild.length, texts.length * 2);
        assert.deepEqual(fromBuild, await posted(written.sql));
        assert.deepEqual(
          await built.sql('SELECT word FROM text_vocab ORDER BY word'),
          await written.sql('SELECT word FROM text_vocab ORDER BY word'),
        );
        for (const word of ['zorroquill', 'twoish', 'tabbedword', 'berweisung', 'kelvin'])
          assert.ok((await built.sql(`SELECT count(*) FROM text_vocab WHERE word = '${word}'`))[0]![0] !== '0', word);
      } finally {
        PostgresTextIndex.threadFromBatch = threadFrom;
        await built.store.close();
        await written.store.close();
      }
    });

    test('a month retention drops while a build has read its rows and not posted them yet is left out, not a failed build', async () => {
      const { store, sql } = await fresh();
      type Post = (this: PostgresTextIndex, ...args: unknown[]) => Promise<boolean>;
      const prototype = PostgresTextIndex.prototype as unknown as { postBatch: Post };
      const postBatch = prototype.postBatch;
      try {
        const june = worded(['marmotcliff', 'beaverbend'], Date.UTC(2026, 5, 10));
        const october = worded(['heronmoor'], Date.UTC(2026, 9, 10));
        await store.records.insert(june);
        await store.records.insert(october);
        let dropped = false;
        prototype.postBatch = async function (this: PostgresTextIndex, ...args: unknown[]) {
          // Between the batch's read and its post, as a sweep in another process would: June goes whole.
          if (!dropped) {
            dropped = true;
            await sql('DROP TABLE records_y2026m06; DROP TABLE record_words_y2026m06');
          }
          return postBatch.apply(this, args);
        };
        assert.equal((await store.records.optimize!({ textIndex: true })).textIndex, true);
        assert.ok(dropped);
        assert.deepEqual(
          await sql(`SELECT ${posts('raw_words', 'heronmoor')} FROM record_words`),
          [[true]],
          'October’s only',
        );
        assert.deepEqual(await ids(store, { ...ALL, freeText: ['heronmoor', 'marmotcliff'] }), [october[0]!.id]);
      } finally {
        prototype.postBatch = postBatch;
        await store.close();
      }
    });

    test('the words are partitioned by the records’ months: each month’s index of the words is built, and a month made later has its own', async () => {
      const { store, sql, schema } = await fresh();
      try {
        const june = worded(['lemurdale'], Date.UTC(2026, 5, 10));
        const october = worded(['tapirglen'], Date.UTC(2026, 9, 10));
        await store.records.insert([...june, ...october]);
        await store.records.optimize!({ textIndex: true });
        assert.deepEqual(await wordMonths(sql), await recordMonths(sql));
        assert.deepEqual(await wordMonths(sql), ['y2026m06', 'y2026m10', 'y2026m11', 'y2026m12']);
        const wordIndexes = async (): Promise<unknown[][]> =>
          sql(`SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE c.relname LIKE 'record\\_words\\_raw%' AND c.relnamespace = current_schema()::regnamespace
                ORDER BY 1`);
        const expected = (months: string[]): unknown[][] => [
          ['record_words_raw', true],
          ...months.map((m) => [`record_words_raw_${m}`, true]),
        ];
        assert.deepEqual(await wordIndexes(), expected(['y2026m06', 'y2026m10', 'y2026m11', 'y2026m12']));
        // A month first stored after the build gets its partition of the words with its index.
        const march = worded(['okapimarsh'], Date.UTC(2027, 2, 3));
        await store.records.insert(march);
        assert.deepEqual(await wordIndexes(), expected(['y2026m06', 'y2026m10', 'y2026m11', 'y2026m12', 'y2027m03']));
        assert.ok(await usesIndex(schema, 'okapimarsh'));
        const wide: SearchQuery = { range: { start: 0, end: Date.UTC(2027, 5, 1) } };
        for (const [word, rows] of [
          ['lemurdale', june],
          ['APIRGLE', october],
          ['okapimars', march],
        ] as const)
          assert.deepEqual(await ids(store, { ...wide, freeText: [word] }), [rows[0]!.id], word);
        // A search reads only its period's months of words.
        const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
        try {
          const { sql: search, params } = await compiled(
            pool,
            { range: { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 10, 1) }, freeText: ['tapirglen'] },
            10,
          );
          const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${search}`, params);
          const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
          assert.deepEqual([...new Set(plan.match(/record_words_y\d+m\d+/g))], ['record_words_y2026m10'], plan);
        } finally {
          await pool.end();
        }
      } finally {
        await store.close();
      }
    });

    test('two processes building the index at once both end with it ready, every month indexed once', async () => {
      const { store, sql, schema } = await fresh();
      // A second process on the same store: its own pool, as `tenantwatch optimize --text-index` run twice.
      const other = await openPostgresStore(url, { clock: new ManualClock(NOW), schema });
      try {
        const words = ['civetbrook', 'gerbilpond', 'ibexcrest', 'jerboafen', 'kudupeak', 'lorisvale'];
        await store.records.insert(
          words.flatMap((w, i) => [
            ...worded([w], Date.UTC(2026, i, 12)),
            ...Array.from({ length: 300 }, (_, n) => record({ creationTime: Date.UTC(2026, i, 1) + n * 60_000 })),
          ]),
        );
        const built = await Promise.all([
          store.records.optimize!({ textIndex: true }),
          other.records.optimize!({ textIndex: true }),
        ]);
        assert.deepEqual(
          built.map((b) => b.textIndex),
          [true, true],
        );
        const invalid = await sql(`SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE c.relname LIKE 'record\\_words\\_%' AND NOT i.indisvalid AND c.relnamespace = current_schema()::regnamespace`);
        assert.deepEqual(invalid, [], 'no index of the words left invalid');
        const attached = await sql(`SELECT count(*) FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
          WHERE h.inhparent = 'record_words_raw'::regclass`);
        assert.deepEqual(attached, [[String((await wordMonths(sql)).length)]], 'one raw index per month');
        for (const [i, w] of words.entries()) {
          const found = await ids(other, { range: { start: 0, end: NOW + DAY }, freeText: [w] });
          assert.equal(found.length, 1, `${w} (month ${i + 1})`);
        }
        assert.ok(await usesIndex(schema, 'kudupeak'));
      } finally {
        await other.close();
        await store.close();
      }
    });

    test('a store whose index holds words text (versions 11 and 12) loses it on upgrade, saying so, and searches and builds as before', async () => {
      const { store, sql, schema } = await fresh();
      const june = worded(['gazellecove'], Date.UTC(2026, 5, 10));
      const now = worded(['pumafalls']);
      try {
        await store.records.insert([...june, ...now]);
        await store.records.optimize!({ textIndex: true });
      } finally {
        await store.close();
      }
      // Back to version 11's table, its words text and trigram indexes as a build of that version left them.
      await sql(`BEGIN;
        CREATE TABLE words_then AS SELECT creation_time, seq, ' gazellecove ' AS raw_words, NULL::text AS object_words
          FROM record_words;
        DROP TABLE record_words, text_vocab;
        CREATE TABLE record_words (creation_time bigint NOT NULL, seq bigint NOT NULL, raw_words text,
          object_words text, PRIMARY KEY (creation_time, seq));
        INSERT INTO record_words SELECT * FROM words_then;
        DROP TABLE words_then;
        CREATE INDEX record_words_raw ON record_words USING gin (raw_words public.gin_trgm_ops);
        CREATE INDEX record_words_object ON record_words USING gin (object_words public.gin_trgm_ops);
        DELETE FROM schema_version WHERE version >= 12;
        COMMIT;`);
      const notices: string[] = [];
      const upgraded = await openPostgresStore(url, {
        clock: new ManualClock(NOW),
        schema,
        onNotice: (m) => notices.push(m),
      });
      try {
        await upgraded.migrate();
        assert.deepEqual(await sql("SELECT relkind FROM pg_class WHERE oid = 'record_words'::regclass"), [['p']]);
        assert.deepEqual(await wordMonths(sql), await recordMonths(sql));
        assert.deepEqual(await sql("SELECT count(*) FROM store_meta WHERE key LIKE 'text\\_index%'"), [['0']]);
        assert.deepEqual(await sql('SELECT count(*) FROM record_words'), [['0']]);
        assert.ok(
          notices.some((m) => /substring index .* dropped; run tenantwatch optimize --text-index/.test(m)),
          notices.join('\n'),
        );
        const expected = [june[0]!.id, now[0]!.id].sort();
        assert.deepEqual(await ids(upgraded, { ...ALL, freeText: ['gazellecov', 'umafall'] }), expected, 'scanned');
        assert.equal((await upgraded.records.optimize!({ textIndex: true })).textIndex, true);
        assert.ok(await usesIndex(schema, 'gazellecove'), 'built again in the new form');
        assert.deepEqual(await ids(upgraded, { ...ALL, freeText: ['gazellecov', 'umafall'] }), expected, 'indexed');
      } finally {
        await upgraded.close();
      }
    });
  });
} else {
  describe('PostgreSQL substring index', () => {
    test('runs against PostgreSQL', { skip: pgSkip }, () => undefined);
  });
}
