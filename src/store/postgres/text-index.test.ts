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
import { PostgresTextIndex } from './text-index.js';

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
        const state = await new PostgresTextIndex(pool, async () => '0').state();
        const { sql, params } = compileSearch(
          { ...ALL, range: { start: 0, end: T - 30_000 }, objects: ['harbor/ledger'] },
          state,
          undefined,
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
