import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Database } from 'better-sqlite3';
import type { AuditRecord } from '../../core/record.js';
import type { BulkWriter, InsertResult, RecordKeys } from '../contract.js';
import { MAX_LOG_BYTES, WalCheckpointer } from './checkpointer.js';
import { RollupDelta } from '../rollups.js';
import { applyRollups } from './rollups.js';
import { dropSecondaryIndexes, ensureIndexes } from './schema.js';

/** Rows per commit in bulk mode: large enough that index pages are written once per many batches. */
const COMMIT_ROWS = 250_000;
/**
 * ...or this long after the transaction began, whichever comes first: another process's writer (the
 * collector, a second import) waits for the load's commit within its busy timeout (10 s), so the load
 * must not hold the write lock for longer than a fraction of it (issue 18.15).
 */
const COMMIT_MS = 1_000;
/** Page cache while bulk loading (KiB, negative as SQLite wants): holds the (tenant, id) index of millions of rows. */
const BULK_CACHE_KIB = -262_144;
/**
 * Memory-mapped reads while bulk loading: building each secondary index reads the whole table, and
 * through the map that is memory reads instead of a pread per page (measured: index builds 10–20% faster,
 * the load itself 5–8%). Address space only; the OS pages it in and out as needed. better-sqlite3's
 * SQLite caps the map at 2 GB (SQLITE_MAX_MMAP_SIZE); pages beyond it are read as before.
 * The map covers the file as it was when first mapped: SQLite maps again only when this connection grows
 * the file or sees another's commit, and in a load the checkpointer (its own connection) grows it. So into
 * an empty store the builds read the table through pread (measured 2026-12-05: 400,000 reads, 5.5 GB);
 * mapping the file again before them read it through the map instead, no faster (3.8–4.3 s against
 * 3.2–4.0 s for four builds over a million rows), and put the 2 GB map in the process's resident size.
 */
const BULK_MMAP_BYTES = 2 * 1024 ** 3;
/** Helper threads SQLite's sorter may use for the index builds at close (as many as cores, up to this). */
const SORT_THREADS = 4;
/** Page cache during those builds (KiB, negative): small, so the sort splits into runs the helpers sort. */
const SORT_CACHE_KIB = -8_192;
/**
 * From this much log on, checkpoints move to their own thread (checkpointer.ts); a small load (a test,
 * a short file) never pays for starting one.
 */
const CHECKPOINTER_FROM_BYTES = 64 << 20;

/** The sizes above, smaller in tests so that a few rows exercise the checkpointer. */
export interface BulkTuning {
  commitRows: number;
  checkpointerFromBytes: number;
  maxLogBytes: number;
}
const TUNING: BulkTuning = {
  commitRows: COMMIT_ROWS,
  checkpointerFromBytes: CHECKPOINTER_FROM_BYTES,
  maxLogBytes: MAX_LOG_BYTES,
};

/**
 * Many insert batches in few transactions (contract: RecordStore.bulk). Measured here: batches of
 * 5,000 rows each in their own transaction ran at 20–28,000 rows/s, because every commit rewrites
 * the randomly placed (tenant, id) index pages it touched; 250,000 rows per commit run 3–4× faster.
 */
export class SqliteBulkWriter implements BulkWriter {
  private pending = 0;
  /** The rollup changes of the batches since the last commit (applied in its transaction). */
  private rollups = new RollupDelta();
  private closed = false;
  private deferred = false;
  private readonly cacheBefore: number;
  private readonly mmapBefore: number;
  /** When the open transaction began (performance.now()). */
  private began = 0;
  /** Copies the log into the database on another thread once the load is large (checkpointer.ts). */
  private checkpointer: WalCheckpointer | null = null;
  private readonly autocheckpointBefore: number;

  constructor(
    private readonly db: Database,
    private readonly insertAll: (
      records: readonly AuditRecord[],
      keys: readonly RecordKeys[] | undefined,
      rollups: RollupDelta,
    ) => InsertResult,
    private readonly tuning: BulkTuning = TUNING,
  ) {
    // Into an empty store, the secondary indexes are built once at close (a sorted build), which is
    // about twice as fast as maintaining them row by row; (tenant, id) stays to de-duplicate.
    this.cacheBefore = db.pragma('cache_size', { simple: true }) as number;
    db.pragma(`cache_size = ${BULK_CACHE_KIB}`);
    if (db.prepare('SELECT 1 FROM records LIMIT 1').get() === undefined) {
      dropSecondaryIndexes(db);
      this.deferred = true;
    }
    this.mmapBefore = db.pragma('mmap_size', { simple: true }) as number;
    db.pragma(`mmap_size = ${BULK_MMAP_BYTES}`);
    this.autocheckpointBefore = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  }

  async insert(records: readonly AuditRecord[], keys?: readonly RecordKeys[]): Promise<InsertResult> {
    if (this.closed) throw new Error('bulk writer used after close()');
    if (!this.db.inTransaction) {
      // Between transactions, so that the drained log starts again from its beginning (checkpointer.ts).
      if (this.checkpointer?.overgrown) await this.checkpointer.drain();
      this.db.exec('BEGIN IMMEDIATE');
      this.began = performance.now();
    }
    // A savepoint per batch: a failing batch leaves nothing behind, the earlier ones stay pending, and its
    // rollup counts are taken back. The counts are applied once, before the commit (a rollup upsert per
    // key and batch was a sixth of the writing thread).
    this.rollups.remember();
    let result: InsertResult;
    try {
      result = this.db.transaction(() => this.insertAll(records, keys, this.rollups))();
    } catch (e) {
      this.rollups.undo();
      throw e;
    }
    this.rollups.forget();
    this.pending += records.length;
    if (this.checkpointer) for (const r of records) this.checkpointer.wrote(r.raw.length);
    if (this.pending >= this.tuning.commitRows || performance.now() - this.began >= COMMIT_MS) this.commit();
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.pending > 0) this.commit();
      if (this.deferred) this.buildIndexes();
    } finally {
      this.db.pragma(`cache_size = ${this.cacheBefore}`);
      this.db.pragma(`mmap_size = ${this.mmapBefore}`);
      await this.checkpointer?.stop();
      this.db.pragma(`wal_autocheckpoint = ${this.autocheckpointBefore}`);
    }
  }

  /**
   * The secondary indexes of a load into an empty store, built once. Each build sorts every row's key.
   * SQLite's sorter hands sorted runs to helper threads (PRAGMA threads) only when it sorts in temporary
   * files (the store's temp_store = MEMORY keeps it on one thread) and the keys outgrow its share of the
   * page cache, so the builds run with both: four indexes over a million rows in 2.3–2.7 s instead of
   * 4.6–5.2 s (ADR 0034). Should the temporary files find no room, the builds run again in memory.
   */
  private buildIndexes(): void {
    const sorting = (threads: number, cacheKib: number, tempStore: number | 'FILE'): void => {
      this.db.pragma(`threads = ${threads}`);
      this.db.pragma(`cache_size = ${cacheKib}`);
      this.db.pragma(`temp_store = ${tempStore}`);
    };
    const before = [
      this.db.pragma('threads', { simple: true }) as number,
      BULK_CACHE_KIB,
      this.db.pragma('temp_store', { simple: true }) as number,
    ] as const;
    const build = this.db.transaction(() => ensureIndexes(this.db));
    try {
      sorting(Math.min(SORT_THREADS, availableParallelism()), SORT_CACHE_KIB, 'FILE');
      build.immediate();
    } catch (e) {
      if (!/^SQLITE_(FULL|IOERR|CANTOPEN)/.test((e as { code?: string }).code ?? '')) throw e;
      sorting(...before);
      build.immediate();
    } finally {
      sorting(...before);
    }
  }

  private commit(): void {
    if (this.db.inTransaction) {
      applyRollups(this.db, this.rollups);
      this.db.exec('COMMIT');
    }
    this.rollups = new RollupDelta();
    this.pending = 0;
    if (this.checkpointer) this.checkpointer.kick();
    else this.startCheckpointer();
  }

  /** Once the log is large: automatic checkpoints off on this connection, a checkpointer thread instead. */
  private startCheckpointer(): void {
    const file = this.db.name;
    if (this.db.memory || this.autocheckpointBefore <= 0 || walBytes(file) < this.tuning.checkpointerFromBytes) return;
    this.db.pragma('wal_autocheckpoint = 0');
    const pageBytes = this.db.pragma('page_size', { simple: true }) as number;
    const busyTimeoutMs = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.checkpointer = WalCheckpointer.start(file, { pageBytes, busyTimeoutMs, maxLogBytes: this.tuning.maxLogBytes });
  }
}

function walBytes(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

/*
 * The load stays in WAL. It used to switch to a rollback journal (TRUNCATE) when alone on the file
 * (8–9 µs a row instead of 23 µs), but then every process that started meanwhile failed at once with
 * "database is locked" — its switch back to WAL cannot wait for the load — and readers waited for each
 * commit instead of reading alongside (issue 18.15; docs/adr/0023-bad-input.md).
 */
