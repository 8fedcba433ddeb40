import { deleteRecords } from './retention.js';
import type { Database, Statement } from 'better-sqlite3';
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
import type { SelectedRow } from '../columns.js';
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
import type { SqliteTextIndex, TextRow } from './text-index.js';
import { SqliteBulkWriter, type BulkTuning } from './bulk.js';
import { DAY_MS, firstDays, ROLLUP_TABLES, RollupDelta } from '../rollups.js';
import { applyRollups } from './rollups.js';
import { StatementCache } from './statements.js';
import { keysAlike } from '../case-keys.js';
import { isGuid } from '../../core/guid.js';
import { runRekey, type RekeyOptions, type RekeyResult } from '../rekey.js';
import { SqliteRekey } from './rekey.js';
import { SqliteTail } from './tail.js';
import { headSlices, searchRows, toGroupCount } from '../search-sql.js';
import {
  compileCount,
  compileCountBy,
  compileGroupCounts,
  compileHeadSlice,
  compileSearch,
  type Compiled,
} from './compile.js';

/**
 * From this many rows on, ANALYZE reads ANALYSIS_LIMIT entries per index instead of all of them
 * (SQLite's advice for large databases): on the bench's million records 0.72 s → 0.12 s. The estimates
 * stay close (rows per operation ~20,000 for 47,620, per user 14,286 for 12,346) and the plans checked
 * with EXPLAIN QUERY PLAN are the right ones; with a limit of 1,000 they were not (every operation
 * "1,001 rows": a free-text search drove from the time index). Full statistics (with sqlite_stat4) were
 * worse for one: a tenant's week skip-scanned the user index (152 ms instead of 0.9 ms). Small tables get
 * full statistics, cheap there, and keep the plans the small-store tests check.
 */
const SAMPLED_ANALYZE_ROWS = 100_000;
const ANALYSIS_LIMIT = 100_000;

/** Records deleted per transaction by purgeTenant: short enough that waiting writers get their turn. */
const PURGE_BATCH = 5_000;

/** Where raw and the object id are in RECORD_COLUMNS (the values the substring index posts). */
const RAW = RECORD_COLUMNS.indexOf('raw');
const OBJECT_ID = RECORD_COLUMNS.indexOf('object_id');

/** Prepared search statements kept (statement()). */
const STATEMENT_CACHE = 64;

/**
 * Records in SQLite. better-sqlite3 is synchronous, and a statement left iterating would keep the
 * connection busy for every other caller (the collector writing while the console streams), so
 * search streams in keyset pages: each page is one short query continuing strictly after the last
 * row of the previous one, memory stays bounded and other work interleaves between pages.
 */
export class SqliteRecordStore implements RecordStore {
  private readonly insertRow: Statement;
  private readonly insertRowAt: Statement;
  private readonly tailer: SqliteTail;
  private readonly getRow: Statement;
  private readonly getRaw: Statement;
  private readonly insertConflict: Statement;
  private readonly selectConflicts: Statement;
  private readonly statements: StatementCache;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly text: SqliteTextIndex,
  ) {
    // raw is bound as a string or as its UTF-8 bytes (RecordKeys.rawBytes); either way it is stored as text.
    const marks = RECORD_COLUMNS.map((c) => (c === 'raw' ? 'CAST(? AS TEXT)' : '?')).join(', ');
    this.insertRow = db.prepare(`INSERT OR IGNORE INTO records (${RECORD_COLUMNS.join(', ')}) VALUES (${marks})`);
    this.insertRowAt = db.prepare(
      `INSERT OR IGNORE INTO records (seq, ${RECORD_COLUMNS.join(', ')}) VALUES (?, ${marks})`,
    );
    this.tailer = new SqliteTail(db);
    this.statements = new StatementCache(db, { raw: true, size: STATEMENT_CACHE });
    this.getRow = db.prepare(`SELECT ${SELECT_COLUMNS} FROM records WHERE tenant = ? AND id = ?`).raw(true);
    this.getRaw = db.prepare('SELECT raw FROM records WHERE tenant = ? AND id = ?').pluck();
    this.insertConflict = db.prepare(
      `INSERT OR IGNORE INTO record_conflicts (${CONFLICT_COLUMNS.join(', ')}) VALUES (${CONFLICT_COLUMNS.map(() => '?').join(', ')})`,
    );
    this.selectConflicts = db.prepare(
      'SELECT raw, source, seen_at AS seenAt FROM record_conflicts WHERE tenant = ? AND id = ? ORDER BY seen_at, rowid',
    );
  }

  async insert(records: readonly AuditRecord[]): Promise<InsertResult> {
    // IMMEDIATE: the write lock is taken before insertAll reads (a read first would make the upgrade to
    // writing fail at once in WAL when another connection committed in between).
    return this.db.transaction(() => this.insertAll(records)).immediate();
  }

  /** `tuning` only for tests: smaller commit and log sizes (bulk.ts). */
  bulk(tuning?: BulkTuning): BulkWriter {
    return new SqliteBulkWriter(this.db, (records, keys, rollups) => this.insertAll(records, keys, rollups), tuning);
  }

  /**
   * Inserts inside the caller's write transaction (ledger.commitBlob uses it with its blob row). The
   * first new row takes its seq explicitly when SQLite's max + 1 would re-use a deleted one (tail.ts).
   */
  insertAll(records: readonly AuditRecord[], keys?: readonly RecordKeys[], rollups?: RollupDelta): InsertResult {
    if (records.length === 0) return { inserted: 0, duplicates: 0 };
    const at = this.clock.now();
    const delta = rollups ?? new RollupDelta();
    const added: TextRow[] = [];
    const conflicts: number[] = [];
    let seq = this.tailer.nextSeqIfReused();
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.receivedKey) {
        // Stored by an earlier version under the key as the source spelled it (ADR 0039): already stored.
        const held = this.getRaw.get(r.receivedKey.tenant, r.receivedKey.id) as string | undefined;
        if (held !== undefined) {
          if (!sameContent(held, r.raw)) {
            this.insertConflict.run(conflictValues({ ...r, ...r.receivedKey }, at));
            conflicts.push(i);
          }
          continue;
        }
      }
      const k = keys?.[i];
      const values = recordValues(r, at, k);
      const raw = values[RAW] as string;
      if (k?.rawBytes && raw === r.raw) (values as unknown[])[RAW] = k.rawBytes;
      const result = seq === null ? this.insertRow.run(values) : this.insertRowAt.run(seq, ...values);
      if (result.changes === 1) {
        const stored = Number(result.lastInsertRowid);
        delta.addStored(values, stored);
        added.push([stored, raw, values[OBJECT_ID] as string | null]);
        seq = null;
      } else if (!sameContent(this.getRaw.get(r.tenant, r.id) as string, r.raw)) {
        this.insertConflict.run(conflictValues(r, at));
        conflicts.push(i);
      }
    }
    // The rollups and the substring index are kept as records arrive (ADRs 0031, 0033): in this transaction
    // (a bulk load hands its own delta and applies it, gathered over its batches, before each commit).
    if (!rollups) applyRollups(this.db, delta);
    this.text.added(added);
    const inserted = added.length;
    const duplicates = records.length - inserted - conflicts.length;
    return conflicts.length ? { inserted, duplicates, conflicts } : { inserted, duplicates };
  }

  async conflictsOf(tenant: string, id: string): Promise<RecordConflict[]> {
    return this.selectConflicts.all(tenant, id) as RecordConflict[];
  }

  async tail(after: TailPosition | null, options: TailOptions): Promise<TailBatch> {
    return this.tailer.tail(after, options);
  }

  async tailEnd(): Promise<TailPosition> {
    return this.tailer.tailEnd();
  }

  async tailLag(after: TailPosition | null): Promise<{ records: number; oldestIngestedAt: number | null }> {
    return this.tailer.tailLag(after);
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
      (q, after, size) => this.page(compileSearch(q, this.text, after, size, shape.columns)),
      shape.toRow,
    );
  }

  headBatches(query: SearchQuery, options: Pick<SearchOptions, 'signal'> = {}): AsyncIterable<readonly RecordHead[]> {
    return headSlices(query, options, (slice, limit) => this.page(compileHeadSlice(slice, this.text, limit)));
  }

  private page({ sql, params }: Compiled): SelectedRow[] {
    return this.statement(sql).all(params) as SelectedRow[];
  }

  /**
   * After a large load: refresh the planner's statistics (ANALYZE; without them a month's count by
   * operation reads the table instead of an index) and, when asked, build or drop the free-text index.
   */
  async optimize(options: OptimizeOptions = {}): Promise<OptimizeResult> {
    const started = performance.now();
    if (options.textIndex === true) await this.text.build();
    if (options.textIndex === false) this.text.drop();
    const textIndexMs = performance.now() - started;
    const rows = (this.db.prepare('SELECT max(seq) FROM records').pluck().get() as number | null) ?? 0;
    this.db.pragma(`analysis_limit = ${rows >= SAMPLED_ANALYZE_ROWS ? ANALYSIS_LIMIT : 0}`);
    this.db.exec('ANALYZE');
    return {
      textIndex: this.text.coveredUpTo() !== null,
      textIndexMs,
      analyzeMs: performance.now() - started - textIndexMs,
    };
  }

  /** Moves records keyed under another case of a GUID to its canonical key (store/rekey.ts, sqlite/rekey.ts). */
  async rekey(options: RekeyOptions = {}): Promise<RekeyResult> {
    return runRekey(new SqliteRekey(this.db, (guid) => this.tenantKeysAlike(guid)), this, options);
  }

  async count(query: SearchQuery): Promise<number> {
    const { sql, params } = compileCount(query, this.text);
    return (this.db.prepare(sql).get(params) as { n: number }).n;
  }

  async countBy(query: SearchQuery, dimension: CountDimension, options: { limit?: number } = {}): Promise<CountRow[]> {
    const { sql, params } = compileCountBy(query, dimension, this.text, options.limit);
    const rows = this.db.prepare(sql).all(params) as { key: string | number | null; n: number }[];
    if (dimension !== 'operation') return rows.map((r) => ({ key: r.key, count: r.n }));
    // Grouped by the lower-cased key (one group per operation whatever its casing); shown as its newest record
    // spells it (ties: the first spelling in byte order), as PostgreSQL shows it: the same data, the same answer.
    const spelling = this.db
      .prepare('SELECT operation FROM records WHERE operation_key = ? ORDER BY creation_time DESC, operation LIMIT 1')
      .pluck();
    return rows.map((r) => ({ key: (spelling.get(r.key) as string | undefined) ?? r.key, count: r.n }));
  }

  async groupCounts(query: SearchQuery, dimensions: readonly CountDimension[]): Promise<GroupCount[]> {
    const { sql, params } = compileGroupCounts(query, dimensions, this.text);
    return (this.db.prepare(sql).raw(true).all(params) as unknown[][]).map((row) => toGroupCount(row, dimensions));
  }

  async get(tenant: string, id: string): Promise<StoredRecord | null> {
    const row = this.getRow.get(tenant, id) as SelectedRow | undefined;
    return row ? toStoredRecord(row) : null;
  }

  async newest(tenants?: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    // A seek on the key index says whether the tenant has records at all; then a backward scan of the
    // (creation_time, tenant) index stops at its newest (an absent tenant would have scanned it all).
    const exists = this.db.prepare('SELECT 1 FROM records WHERE tenant = ? LIMIT 1').pluck();
    const newest = this.db
      .prepare('SELECT creation_time FROM records WHERE +tenant = ? ORDER BY creation_time DESC LIMIT 1')
      .pluck();
    for (const tenant of tenants ?? this.distinctTenants()) {
      if (exists.get(tenant) === undefined) continue;
      const value = newest.get(tenant) as number | undefined;
      if (value !== undefined) out.set(tenant, value);
    }
    return out;
  }

  async tenantKeysAlike(label: string): Promise<string[]> {
    if (isGuid(label)) return this.guidTenantKeys([label]);
    // One seek on the (tenant, id) key index per prefix tried; SQLite's BINARY order is the code points' order.
    const least = this.db.prepare('SELECT min(tenant) FROM records WHERE tenant >= ?').pluck();
    return keysAlike(label, (from) => Promise.resolve((least.get(from) as string | null) ?? null));
  }

  /**
   * Every spelling of a GUID lies between its all-upper and all-lower forms in code point order (BINARY): a seek per
   * key stored in that span (the character walk of case-keys.ts took 0.9 ms a GUID).
   */
  async guidTenantKeys(guids: readonly string[]): Promise<string[]> {
    const next = this.db.prepare('SELECT min(tenant) FROM records WHERE tenant > ? AND tenant <= ?').pluck();
    const first = this.db.prepare('SELECT min(tenant) FROM records WHERE tenant >= ? AND tenant <= ?').pluck();
    const out: string[] = [];
    for (const hi of new Set(guids.filter(isGuid).map((g) => g.toLowerCase()))) {
      const lo = hi.toUpperCase();
      for (let t = first.get(lo, hi) as string | null; t !== null; t = next.get(t, hi) as string | null)
        if (t.toLowerCase() === hi) out.push(t);
    }
    return out.sort();
  }

  async oldest(tenants?: string[]): Promise<Map<string, number>> {
    // The rollups name each tenant's earliest day (kept with every write and delete, a row whose count falls to
    // zero deleted): walked from the oldest day (firstDays). Within that day, a forward scan of the
    // (creation_time, tenant) index stops at the tenant's first record.
    const table = ROLLUP_TABLES[0]!.name;
    const next = this.db
      .prepare(
        `SELECT day FROM ${table} WHERE day >= ? AND tenant IN (SELECT value FROM json_each(?)) ORDER BY day LIMIT 1`,
      )
      .pluck();
    const on = this.db
      .prepare(`SELECT DISTINCT tenant FROM ${table} WHERE day = ? AND tenant IN (SELECT value FROM json_each(?))`)
      .pluck();
    // Tenants asked for that have no records are left out first: the walk would look for them to the last day.
    const exists = this.db.prepare('SELECT 1 FROM records WHERE tenant = ? LIMIT 1').pluck();
    const names = tenants ? tenants.filter((t) => exists.get(t) !== undefined) : this.distinctTenants();
    const days = await firstDays(names, {
      nextDay: (from, names) =>
        Promise.resolve((next.get(Math.max(from, Number.MIN_SAFE_INTEGER), JSON.stringify(names)) as number) ?? null),
      tenantsOn: (day, names) => Promise.resolve(on.all(day, JSON.stringify(names)) as string[]),
    });
    const first = this.db
      .prepare(
        'SELECT creation_time FROM records WHERE creation_time >= ? AND creation_time < ? AND tenant = ? ORDER BY creation_time LIMIT 1',
      )
      .pluck();
    const out = new Map<string, number>();
    for (const [tenant, day] of days) {
      const value = first.get(day, day + DAY_MS, tenant) as number | undefined;
      if (value !== undefined) out.set(tenant, value);
    }
    return out;
  }

  async purgeTenant(tenant: string, options: { signal?: AbortSignal } = {}): Promise<number> {
    let purged = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      // Retention's delete: the rollups move in the same transaction; the substring index by its trigger.
      const gone = this.db
        .transaction(
          () => deleteRecords(this.db, tenant, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, PURGE_BATCH).records,
        )
        .immediate();
      purged += gone;
      if (gone < PURGE_BATCH) return purged;
      // Between batches: a writer waiting on the lock gets its turn (better-sqlite3 is synchronous).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Prepared searches by SQL text: a report reads in many time slices and a stream in many pages, each the
   * same SQL with other values; preparing it anew each time cost 5–7% of a report.
   */
  private statement(sql: string): Statement {
    return this.statements.get(sql);
  }

  /** Tenant keys by successive seeks on the (tenant, id) index instead of reading every entry. */
  private distinctTenants(): string[] {
    const next = this.db.prepare('SELECT min(tenant) FROM records WHERE tenant > ?').pluck();
    const out: string[] = [];
    const first = this.db.prepare('SELECT min(tenant) FROM records').pluck();
    for (let t = first.get() as string | null; t !== null; t = next.get(t) as string | null) out.push(t);
    return out;
  }
}
