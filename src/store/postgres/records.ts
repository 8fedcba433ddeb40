import { deleteRecords } from './retention.js';
import type { Pool, PoolClient } from 'pg';
import { WRITER_LOCK } from './tail.js';
import { createMonths, missingMonthsSql, monthsOf } from './partitions.js';
import { inTransaction } from './transaction.js';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Clock } from '../../core/clock.js';
import type { AuditRecord, RecordHead, StoredRecord, StoredSummary } from '../../core/record.js';
import type { CountDimension, CountRow, GroupCount, SearchQuery } from '../../core/search-query.js';
import {
  RECORD_COLUMNS,
  recordValues,
  SELECT_COLUMNS,
  SUMMARIES,
  toStoredRecord,
  WHOLE_RECORDS,
  type PageShape,
} from '../columns.js';
import { CONFLICT_COLUMNS, conflictValues, sameContent } from '../conflicts.js';
import type { RecordColumn, SelectedRow } from '../columns.js';
import type {
  BulkWriter,
  InsertResult,
  RecordConflict,
  OptimizeOptions,
  OptimizeResult,
  RecordKeys,
  RecordStore,
  SearchOptions,
  TailBatch,
  TailOptions,
  TailPosition,
} from '../contract.js';
import { PostgresTail } from './tail.js';
import { keysAlike } from '../case-keys.js';
import { runRekey, type RekeyOptions, type RekeyResult } from '../rekey.js';
import { PostgresRekey } from './rekey.js';
import { isGuid } from '../../core/guid.js';
import { DAY_MS, firstDays, RollupDelta, ROLLUP_SOURCE_COLUMNS, ROLLUP_TABLES } from '../rollups.js';
import { applyRollups, compactRollups, shrinkRollups } from './rollups.js';
import { headSlices, numericDimension, searchRows, toGroupCount } from '../search-sql.js';
import { compileCount, compileCountBy, compileGroupCounts, compileHeadSlice, compileSearch } from './compile.js';
import { PostgresTextIndex, type WordLookup, type WordsRow } from './text-index.js';

/**
 * What an insert returns of each row it really stored: the rollup delta's source (rollups.ts), then its seq and
 * id (the substring index posts its words by them).
 */
const RETURNING = ` RETURNING ${ROLLUP_SOURCE_COLUMNS.join(', ')}, seq, id`;
const RETURNED_SEQ = ROLLUP_SOURCE_COLUMNS.length;
const RAW = RECORD_COLUMNS.indexOf('raw');
const OBJECT_ID = RECORD_COLUMNS.indexOf('object_id');

/** Records deleted per statement by purgeTenant: each batch commits, so vacuum and other writers keep up. */
const PURGE_BATCH = 5_000;

/** The rollups' tables, vacuumed after a bulk load (bulk()). */
const ROLLUP_TABLE_NAMES = ROLLUP_TABLES.map((t) => t.name);

/** From this many rows a batch goes through COPY (one round trip of text) instead of one INSERT. */
const COPY_FROM = 1_000;
const TYPES: Partial<Record<RecordColumn, string>> = {
  creation_time: 'bigint',
  record_type: 'integer',
  user_type: 'integer',
  client_port: 'integer',
  plain: 'smallint',
  ingested_at: 'bigint',
  logon_type: 'integer',
};

/**
 * Batches a bulk load stores at once, each in its own transaction on its own connection. One backend inserting
 * was the load's limit (it used one core while the importer's threads waited for it); two keep both cores busy.
 * Concurrent batches are safe as concurrent collectors are: keys go into record_keys with ON CONFLICT DO NOTHING
 * (a repeat waits for the other's commit), rollup rows are locked in key order.
 */
const BULK_CONCURRENCY = 2;

/**
 * Records in PostgreSQL, partitioned by month of CreationTime (partitions.ts, ADR 0035). A record is stored
 * once per (tenant, id) through `record_keys`: a batch's keys go in first with ON CONFLICT DO NOTHING, and only
 * the records whose key went in are inserted, in the same statement; a stored (tenant, id) is kept and counted
 * as a duplicate, whatever CreationTime the repeat carries. Big batches are COPYed into a temporary table
 * first. Search streams in keyset pages like SQLite's: one short query per page, no cursor held open on a
 * pooled connection, memory bounded.
 */
export class PostgresRecordStore implements RecordStore {
  private readonly tailer: PostgresTail;
  private readonly text: PostgresTextIndex;

  constructor(
    private readonly pool: Pool,
    private readonly clock: Clock,
  ) {
    this.tailer = new PostgresTail(pool);
    this.text = new PostgresTextIndex(pool, async () => (await this.tailer.tailEnd()).split(':')[0]!);
  }

  async insert(records: readonly AuditRecord[]): Promise<InsertResult> {
    return inTransaction(this.pool, (client) => this.insertWith(client, records));
  }

  /** Inserts inside the caller's transaction (ledger.commitBlob uses it with its blob row). */
  async insertWith(
    client: PoolClient,
    records: readonly AuditRecord[],
    keys?: readonly RecordKeys[],
  ): Promise<InsertResult> {
    if (records.length === 0) return { inserted: 0, duplicates: 0 };
    // One first statement, before this transaction has an xid: the tail's writer lock (tail.ts), and which
    // months of the batch have no partition yet (asked under a lock that keeps them from being dropped).
    const months = monthsOf(records.map((r) => r.creationTime));
    const { rows } = await client.query<{ missing: string[] }>(missingMonthsSql(WRITER_LOCK), [
      months.map((m) => m.name),
    ]);
    const missing = new Set(rows[0]?.missing ?? []);
    if (missing.size)
      await createMonths(
        client,
        months.filter((m) => missing.has(m.name)),
      );
    const at = this.clock.now();
    const held = await this.heldAsSpelled(client, records, at);
    if (held === null) return this.insertNew(client, records, keys, at);
    // The records an earlier version stored under their key as spelled are left out; positions map back.
    const rest = records.flatMap((_, i) => (held.has(i) ? [] : [i]));
    const result = await this.insertNew(
      client,
      rest.map((i) => records[i]!),
      keys && rest.map((i) => keys[i]!),
      at,
    );
    const conflicts = [
      ...(result.conflicts ?? []).map((n) => rest[n]!),
      ...[...held].filter(([, c]) => c).map(([i]) => i),
    ];
    const counts = { inserted: result.inserted, duplicates: records.length - result.inserted - conflicts.length };
    return conflicts.length ? { ...counts, conflicts: conflicts.sort((a, b) => a - b) } : counts;
  }

  private async insertNew(
    client: PoolClient,
    records: readonly AuditRecord[],
    keys: readonly RecordKeys[] | undefined,
    at: number,
  ): Promise<InsertResult> {
    if (records.length === 0) return { inserted: 0, duplicates: 0 };
    const fresh = firstOfEachKey(records.map((r, n) => recordValues(r, at, keys?.[n])));
    const added = fresh.length >= COPY_FROM ? await this.copy(client, fresh) : await this.unnest(client, fresh);
    const delta = new RollupDelta();
    for (const row of added) delta.add(row);
    await applyRollups(client, delta);
    if (added.length) await this.text.added(client, () => wordsRows(fresh, added));
    const inserted = added.length;
    const conflicts = inserted < records.length ? await this.conflicting(client, records, at) : [];
    const duplicates = records.length - inserted - conflicts.length;
    return conflicts.length ? { inserted, duplicates, conflicts } : { inserted, duplicates };
  }

  /**
   * The records an earlier version stored under their key as the source spelled it (AuditRecord.receivedKey, ADR
   * 0039), by position: true when the stored content differs (kept aside as a conflict under the stored key).
   * null when the batch has no such spelling (almost every batch: no query).
   */
  private async heldAsSpelled(
    client: PoolClient,
    records: readonly AuditRecord[],
    at: number,
  ): Promise<Map<number, boolean> | null> {
    const spelled = records.flatMap((r, i) => (r.receivedKey ? [i] : []));
    if (spelled.length === 0) return null;
    const { rows } = await client.query<{ i: string; raw: string }>(
      `SELECT k.i, r.raw FROM unnest($1::text[], $2::text[], $3::int[]) AS k(tenant, id, i)
       JOIN record_keys s ON s.tenant = k.tenant AND s.id = k.id
       JOIN records r ON r.tenant = s.tenant AND r.creation_time = s.creation_time AND r.id = s.id`,
      [spelled.map((i) => records[i]!.receivedKey!.tenant), spelled.map((i) => records[i]!.receivedKey!.id), spelled],
    );
    if (rows.length === 0) return null;
    const held = new Map(rows.map((row) => [Number(row.i), !sameContent(row.raw, records[Number(row.i)]!.raw)]));
    const differing = [...held].filter(([, c]) => c).map(([i]) => ({ ...records[i]!, ...records[i]!.receivedKey! }));
    await this.keepAside(client, differing, at);
    return held;
  }

  /**
   * Positions of the records whose stored (tenant, id) holds other content, kept in record_conflicts.
   * The database compares the texts, so a batch of identical repeats sends nothing back; a text that
   * differs is compared again as JSON (conflicts.ts: key order is not content).
   */
  private async conflicting(client: PoolClient, records: readonly AuditRecord[], at: number): Promise<number[]> {
    const { rows } = await client.query<{ i: string; raw: string }>(
      `SELECT k.i, r.raw FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(tenant, id, raw, i)
       JOIN record_keys s ON s.tenant = k.tenant AND s.id = k.id
       JOIN records r ON r.tenant = s.tenant AND r.creation_time = s.creation_time AND r.id = s.id
       WHERE r.raw <> k.raw`,
      [records.map((r) => r.tenant), records.map((r) => r.id), records.map((r) => r.raw)],
    );
    const conflicts = rows
      .map((row) => ({ i: Number(row.i) - 1, stored: row.raw }))
      .filter(({ i, stored }) => !sameContent(stored, records[i]!.raw))
      .map(({ i }) => i)
      .sort((a, b) => a - b);
    await this.keepAside(
      client,
      conflicts.map((i) => records[i]!),
      at,
    );
    return conflicts;
  }

  /** Other content for stored keys, kept in record_conflicts (once per content). */
  private async keepAside(client: PoolClient, records: readonly AuditRecord[], at: number): Promise<void> {
    if (records.length === 0) return;
    const columns = CONFLICT_COLUMNS.map(() => [] as (string | number)[]);
    for (const r of records) conflictValues(r, at).forEach((v, c) => columns[c]!.push(v));
    await client.query(
      `INSERT INTO record_conflicts (${CONFLICT_COLUMNS.join(', ')})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
       ON CONFLICT DO NOTHING`,
      columns,
    );
  }

  async conflictsOf(tenant: string, id: string): Promise<RecordConflict[]> {
    const { rows } = await this.pool.query<{ raw: string; source: string; seen_at: string }>(
      'SELECT raw, source, seen_at FROM record_conflicts WHERE tenant = $1 AND id = $2 ORDER BY seen_at, ctid',
      [tenant, id],
    );
    return rows.map((r) => ({ raw: r.raw, source: r.source, seenAt: Number(r.seen_at) }));
  }

  /** The rows really inserted, as their ROLLUP_SOURCE_COLUMNS: those whose key went into record_keys. */
  private async unnest(client: PoolClient, rows: readonly (string | number | null)[][]): Promise<unknown[][]> {
    const columns = RECORD_COLUMNS.map(() => [] as (string | number | null)[]);
    for (const row of rows) row.forEach((v, i) => columns[i]!.push(v));
    const arrays = RECORD_COLUMNS.map((c, i) => `$${i + 1}::${TYPES[c] ?? 'text'}[]`).join(', ');
    const sql = `WITH v AS (SELECT * FROM unnest(${arrays}) WITH ORDINALITY AS v(${RECORD_COLUMNS.join(', ')}, ord)),
      ${keysFrom('v')}
      INSERT INTO records (${RECORD_COLUMNS.join(', ')}) SELECT ${RECORD_COLUMNS.map((c) => `v.${c}`).join(', ')}
      FROM v WHERE (v.tenant, v.id) IN (SELECT tenant, id FROM k) ORDER BY v.ord${RETURNING}`;
    return (await client.query<unknown[]>({ text: sql, values: columns, rowMode: 'array' })).rows;
  }

  private async copy(client: PoolClient, rows: readonly (string | number | null)[][]): Promise<unknown[][]> {
    await client.query(
      'CREATE TEMP TABLE IF NOT EXISTS records_load (LIKE records INCLUDING DEFAULTS) ON COMMIT DELETE ROWS',
    );
    await client.query('TRUNCATE records_load');
    const stream = client.query(copyFrom(`COPY records_load (${RECORD_COLUMNS.join(', ')}) FROM STDIN`));
    await pipeline(Readable.from(copyLines(rows)), stream);
    const sql = `WITH ${keysFrom('records_load')}
      INSERT INTO records (${RECORD_COLUMNS.join(', ')}) SELECT ${RECORD_COLUMNS.map((c) => `l.${c}`).join(', ')}
      FROM records_load l WHERE (l.tenant, l.id) IN (SELECT tenant, id FROM k) ORDER BY l.seq${RETURNING}`;
    return (await client.query<unknown[]>({ text: sql, rowMode: 'array' })).rows;
  }

  search(query: SearchQuery, options: SearchOptions = {}): AsyncIterable<StoredRecord> {
    return this.newestFirst(query, options, WHOLE_RECORDS);
  }

  searchSummaries(query: SearchQuery, options: SearchOptions = {}): AsyncIterable<StoredSummary> {
    return this.newestFirst(query, options, SUMMARIES);
  }

  private newestFirst<T extends RecordHead>(query: SearchQuery, options: SearchOptions, shape: PageShape<T>) {
    return searchRows(
      query,
      options,
      (q, after, size) => this.withText(q, (text) => this.page(compileSearch(q, text, after, size, shape.columns))),
      shape.toRow,
    );
  }

  headBatches(query: SearchQuery, options: Pick<SearchOptions, 'signal'> = {}): AsyncIterable<readonly RecordHead[]> {
    return headSlices(query, options, (slice, limit) =>
      this.withText(slice, (text) => this.page(compileHeadSlice(slice, text, limit))),
    );
  }

  private async page({ sql, params }: { sql: string; params: unknown[] }): Promise<SelectedRow[]> {
    return (await this.pool.query<SelectedRow & unknown[]>({ text: sql, values: params, rowMode: 'array' })).rows;
  }

  async count(query: SearchQuery): Promise<number> {
    const { rows } = await this.withText(query, (text) => {
      const { sql, params } = compileCount(query, text);
      return this.pool.query<{ n: string }>(sql, params);
    });
    return Number(rows[0]!.n);
  }

  async countBy(query: SearchQuery, dimension: CountDimension, options: { limit?: number } = {}): Promise<CountRow[]> {
    const { rows } = await this.withText(query, (text) => {
      const { sql, params } = compileCountBy(query, dimension, text, options.limit);
      return this.pool.query<{ key: string | number | null; n: string }>(sql, params);
    });
    const numeric = numericDimension(dimension);
    const out = rows.map((r) => ({ key: numeric && r.key !== null ? Number(r.key) : r.key, count: Number(r.n) }));
    if (dimension !== 'operation') return out;
    // Grouped by the lower-cased key (one group per operation whatever its casing); shown as its newest record
    // spells it (ties at that instant: the first spelling in byte order, as SQLite picks it). One statement for every group: a query per group was planned over every month's partition each
    // time (264 ms for 35 operations over three months). Ordered by time, each group reads one entry of the
    // (operation_key, creation_time) index of the newest month; without the order PostgreSQL read a key's
    // every entry of a month as a bitmap first (80 ms for 21 operations at a million records, against 1.2).
    const { rows: spelled } = await this.pool.query<{ k: string; operation: string }>(
      `SELECT k, s.operation FROM unnest($1::text[]) AS k
       CROSS JOIN LATERAL (SELECT operation FROM records WHERE operation_key = k
                          ORDER BY creation_time DESC, operation LIMIT 1) AS s`,
      [out.map((r) => r.key)],
    );
    const spelling = new Map(spelled.map((r) => [r.k, r.operation]));
    for (const row of out) row.key = spelling.get(row.key as string) ?? row.key;
    return out;
  }

  async groupCounts(query: SearchQuery, dimensions: readonly CountDimension[]): Promise<GroupCount[]> {
    const { rows } = await this.withText(query, (text) => {
      const { sql, params } = compileGroupCounts(query, dimensions, text);
      return this.pool.query<unknown[]>({ text: sql, values: params, rowMode: 'array' });
    });
    return rows.map((row) => toGroupCount(row, dimensions));
  }

  async get(tenant: string, id: string): Promise<StoredRecord | null> {
    const { rows } = await this.pool.query<SelectedRow & unknown[]>({
      // The key's CreationTime picks the partition (pruned when the statement runs), then (tenant, creation_time).
      text: `SELECT ${SELECT_COLUMNS} FROM records WHERE tenant = $1 AND id = $2
             AND creation_time = (SELECT creation_time FROM record_keys WHERE tenant = $1 AND id = $2)`,
      values: [tenant, id],
      rowMode: 'array',
    });
    return rows[0] ? toStoredRecord(rows[0]) : null;
  }

  tail(after: TailPosition | null, options: TailOptions): Promise<TailBatch> {
    return this.tailer.tail(after, options);
  }

  tailEnd(): Promise<TailPosition> {
    return this.tailer.tailEnd();
  }

  tailLag(after: TailPosition | null): Promise<{ records: number; oldestIngestedAt: number | null }> {
    return this.tailer.tailLag(after);
  }

  async purgeTenant(tenant: string, options: { signal?: AbortSignal } = {}): Promise<number> {
    let purged = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      // Retention's delete: the rollups move in the same transaction.
      const gone = (
        await inTransaction(this.pool, (client) =>
          deleteRecords(client, tenant, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, PURGE_BATCH),
        )
      ).records;
      purged += gone;
      if (gone < PURGE_BATCH) return purged;
    }
  }

  /** Moves records keyed under another case of a GUID to its canonical key (store/rekey.ts, postgres/rekey.ts). */
  async rekey(options: RekeyOptions = {}): Promise<RekeyResult> {
    return runRekey(new PostgresRekey(this.pool, (guid) => this.tenantKeysAlike(guid)), this, options);
  }

  async newest(tenants?: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const tenant of tenants ?? (await this.tenantNames())) {
      const { rows } = await this.pool.query<{ c: string }>(
        'SELECT creation_time AS c FROM records WHERE tenant = $1 ORDER BY creation_time DESC LIMIT 1',
        [tenant],
      );
      if (rows[0]) out.set(tenant, Number(rows[0].c));
    }
    return out;
  }

  async tenantKeysAlike(label: string): Promise<string[]> {
    // PostgreSQL's text holds no NUL, and no key has one (the records' own text never does).
    if (label.includes('\u0000')) return [];
    if (isGuid(label)) return this.guidTenantKeys([label]);
    // One seek on record_keys' (tenant, id) key per prefix tried; the column's "C" collation is code point order.
    return keysAlike(label, async (from) => {
      const { rows } = await this.pool.query<{ t: string | null }>(
        'SELECT min(tenant) AS t FROM record_keys WHERE tenant >= $1',
        [from],
      );
      return rows[0]?.t ?? null;
    });
  }

  /**
   * The stored spellings of GUID tenants (search/tenants.ts asks on every request naming a tenant, ADR 0039), in one
   * statement: in code point order every spelling lies between the all-upper and the all-lower one, so a loose index
   * scan of the keys in that span (a seek per key, a few among thousands of GUID tenants) finds them all. The walk of
   * case-keys.ts took a round trip per character tried: 18 ms a GUID here.
   */
  async guidTenantKeys(guids: readonly string[]): Promise<string[]> {
    const lower = [...new Set(guids.filter(isGuid).map((g) => g.toLowerCase()))];
    if (lower.length === 0) return [];
    const { rows } = await this.pool.query<{ tenant: string }>(
      `SELECT s.tenant FROM unnest($1::text[], $2::text[]) AS g(lo, hi) CROSS JOIN LATERAL (
         WITH RECURSIVE t AS (SELECT min(tenant) AS tenant FROM record_keys WHERE tenant >= g.lo AND tenant <= g.hi
           UNION ALL SELECT (SELECT min(tenant) FROM record_keys WHERE tenant > t.tenant AND tenant <= g.hi)
           FROM t WHERE t.tenant IS NOT NULL)
         SELECT tenant FROM t WHERE tenant IS NOT NULL AND lower(tenant) = g.hi) AS s
       ORDER BY 1`,
      [lower.map((g) => g.toUpperCase()), lower],
    );
    return rows.map((r) => r.tenant);
  }

  async oldest(tenants?: string[]): Promise<Map<string, number>> {
    // The rollups name each tenant's earliest day, walked from the oldest day (firstDays); within it, one seek on
    // (tenant, creation_time) of that day's partition. Only days whose rows still sum to more than zero: a delete
    // appends negative rows (rollups.ts), and until they are folded (after a finished sweep) a day whose records
    // all went keeps rows; taken as the earliest, its seek found nothing and the tenant was missing from the answer.
    const table = ROLLUP_TABLES[0]!.name;
    // Tenants asked for that have no records are left out first: the walk would look for them to the last day.
    const names = tenants
      ? (
          await this.pool.query<{ t: string }>(
            'SELECT t FROM unnest($1::text[]) AS t WHERE EXISTS (SELECT 1 FROM record_keys WHERE tenant = t COLLATE "C")',
            [tenants],
          )
        ).rows.map((r) => r.t)
      : await this.tenantNames();
    const days = await firstDays(names, {
      nextDay: async (from, names) => {
        const { rows } = await this.pool.query<{ d: string | null }>(
          `SELECT min(day) AS d FROM ${table} WHERE day >= $1 AND tenant = ANY($2)`,
          [Math.max(from, Number.MIN_SAFE_INTEGER), names],
        );
        return rows[0]?.d == null ? null : Number(rows[0].d);
      },
      tenantsOn: async (day, names) => {
        const { rows } = await this.pool.query<{ tenant: string }>(
          `SELECT tenant FROM ${table} WHERE day = $1 AND tenant = ANY($2) GROUP BY tenant HAVING sum(n) > 0`,
          [day, names],
        );
        return rows.map((r) => r.tenant);
      },
    });
    const out = new Map<string, number>();
    for (const [tenant, day] of days) {
      const { rows } = await this.pool.query<{ c: string | null }>(
        'SELECT min(creation_time) AS c FROM records WHERE tenant = $1 AND creation_time >= $2 AND creation_time < $3',
        [tenant, day, day + DAY_MS],
      );
      if (rows[0]?.c != null) out.set(tenant, Number(rows[0].c));
    }
    return out;
  }

  /** The tenants with records: a loose index scan over record_keys' (tenant, id), a seek per tenant. */
  private async tenantNames(): Promise<string[]> {
    const { rows } = await this.pool.query<{ tenant: string }>(
      `WITH RECURSIVE t AS (SELECT min(tenant) AS tenant FROM record_keys
         UNION ALL SELECT (SELECT min(tenant) FROM record_keys WHERE tenant > t.tenant) FROM t WHERE t.tenant IS NOT NULL)
       SELECT tenant FROM t WHERE tenant IS NOT NULL`,
    );
    return rows.map((r) => r.tenant);
  }

  /**
   * Bulk loading in PostgreSQL needs no long transaction (each batch is one COPY round trip, and
   * several writers may share the server); close() vacuums the months it wrote and refreshes their planner
   * statistics (VACUUM (ANALYZE) records would visit every partition again). The vacuum marks the loaded pages
   * all-visible, without which every index-only scan (the counts) reads the table's rows too: autovacuum does
   * it only much later for an insert-only table. The rollups' tables too: compactRollups leaves the rows it
   * folded dead, and after ten million records a month's count by operation walked 278,030 index entries and
   * 4,568 pages for 2,640 live rows (82 ms cold, 11 ms warm). Measured at ten million: docs/BENCHMARKS.md.
   */
  bulk(): BulkWriter {
    const written = new Set<string>();
    return {
      concurrency: BULK_CONCURRENCY,
      insert: (records, keys) => {
        for (const m of monthsOf(records.map((r) => r.creationTime))) written.add(m.name);
        return inTransaction(this.pool, (client) => this.insertWith(client, records, keys));
      },
      close: async () => {
        await compactRollups(this.pool);
        const { rows } = await this.pool.query<{ m: string }>(
          'SELECT m FROM unnest($1::text[]) AS m WHERE to_regclass(m) IS NOT NULL',
          [[...written]],
        );
        // One table at a time: a month the retention sweep drops meanwhile (it may be old) is gone, not a failed
        // close — every batch of the load is committed by now, and the import would have ended with an error.
        for (const table of [...rows.map((r) => r.m), ...ROLLUP_TABLE_NAMES])
          await this.pool.query(`VACUUM (ANALYZE) ${table}`).catch((e: unknown) => {
            if ((e as { code?: unknown }).code !== '42P01') throw e; // undefined_table: dropped since
          });
        await shrinkRollups(this.pool);
      },
    };
  }

  /**
   * VACUUM (ANALYZE) after a large load (bulk() says why), and the substring index built (or caught up), or
   * dropped, when asked (text-index.ts). The rollups are folded too.
   */
  async optimize(options: OptimizeOptions = {}): Promise<OptimizeResult> {
    const started = performance.now();
    let textIndex = (await this.text.state())?.ready === true;
    if (options.textIndex === true) textIndex = await this.text.build();
    if (options.textIndex === false) {
      await this.text.drop();
      textIndex = false;
    }
    const textIndexMs = performance.now() - started;
    await compactRollups(this.pool);
    await this.pool.query(`VACUUM (ANALYZE) ${['records', ...ROLLUP_TABLE_NAMES].join(', ')}`);
    await shrinkRollups(this.pool);
    return { textIndex, textIndexMs, analyzeMs: performance.now() - started - textIndexMs };
  }

  /**
   * Runs a read with the substring index when the query has object or free-text terms and the index is
   * ready, with the hashes of the words meeting its terms looked up first (text-index.ts WordLookup), and reads
   * the state and those words again after it. The read runs again when the index was dropped or re-created
   * meanwhile (its words table emptied under the read), or when a word meeting a term was first stored
   * meanwhile: a record holding it may be in the read's snapshot though its word was not in the lookup. After
   * three tries the read scans.
   */
  private async withText<T>(query: SearchQuery, run: (text: WordLookup | null) => Promise<T>): Promise<T> {
    if (!query.objects && !query.freeText) return run(null);
    for (let attempt = 0; ; attempt++) {
      const before = await this.text.state();
      const ready = before?.ready && attempt < 3 ? before : null;
      const lookup = ready ? await this.text.lookUp(ready, query) : null;
      const result = await run(lookup);
      if (ready === null || lookup === null) return result;
      if ((await this.text.state())?.json === ready.json && (await this.text.lookUp(ready, query)).same(lookup))
        return result;
    }
  }
}

/** The inserted rows (as RETURNING gives them) with the raw and object id of their values, for the substring index. */
function wordsRows(fresh: readonly (string | number | null)[][], added: readonly unknown[][]): WordsRow[] {
  const byKey = new Map(fresh.map((v) => [`${String(v[0])}\u0000${String(v[1])}`, v]));
  return added.map((row) => {
    const values = byKey.get(`${String(row[0])}\u0000${String(row[RETURNED_SEQ + 1])}`)!;
    return {
      creationTime: row[1] as string,
      seq: row[RETURNED_SEQ] as string,
      raw: values[RAW] as string,
      objectId: values[OBJECT_ID] as string | null,
    };
  });
}

/**
 * The first row of each (tenant, id) in a batch, in batch order: the later ones are duplicates or conflicts
 * (insertWith reads them back). Keyed by the stored values, which never hold NUL (columns.ts escapes it).
 */
function firstOfEachKey(rows: (string | number | null)[][]): (string | number | null)[][] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = `${String(row[0])}\u0000${String(row[1])}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The keys of the rows of `source` put into record_keys, as CTE `k`: only those that went in come back (the
 * insert reads them as a semi-join, hashed on the narrow keys). In key order, so two writers whose batches
 * share keys wait for each other in one order and never deadlock.
 */
function keysFrom(source: string): string {
  return `k AS (INSERT INTO record_keys (tenant, id, creation_time)
      SELECT tenant, id, creation_time FROM ${source} ORDER BY tenant COLLATE "C", id COLLATE "C"
      ON CONFLICT DO NOTHING RETURNING tenant, id)`;
}

/** COPY text format: tab-separated, \N for null, backslash escapes for \ tab newline and CR. */
function* copyLines(rows: readonly (string | number | null)[][]): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += row.map(copyValue).join('\t') + '\n';
    if (chunk.length > 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

function copyValue(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
