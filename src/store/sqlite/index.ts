import { accessSync, closeSync, constants, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { systemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { FactsFromRaw, StoreNotice, StoreUpgrade } from '../backfill.js';
import type { Store } from '../contract.js';
import { SqliteAuthStore, SqliteConsoleAuditStore } from './auth.js';
import { CONTAINS_FUNCTION, containsFolded } from './compile.js';
import { SqliteCursorStore } from './cursors.js';
import { SqliteAlertStore } from './alerts.js';
import { SqliteLedgerStore } from './ledger.js';
import { SqlitePostureStore } from './posture.js';
import { SqliteRecordStore } from './records.js';
import { SqliteSinkStore } from './sinks.js';
import { SqliteRetentionStore } from './retention.js';
import { migrate } from './schema.js';
import { SqliteTextIndex } from './text-index.js';
import { SqliteTenantStore } from './tenants.js';

/** Negative: KiB (SQLite's convention). */
export const DEFAULT_CACHE_KIB = -65_536;
/**
 * The page cache of a store larger than the memory map (MMAP_BYTES): the rest of the file (the newest records,
 * appended last) is read through SQLite's pager, one 16 KB pread per page not cached. Measured at ten million
 * records (20 GB): a month's object substring reads 6,621 rows by seq, 66 ms each time with 64 MB (the rows'
 * pages do not fit), 24 ms once they are cached in 256 MB. The cache fills only as pages are read.
 */
export const LARGE_STORE_CACHE_KIB = -262_144;
/**
 * Reads through a memory map of the file, up to the 2 GB better-sqlite3's SQLite allows
 * (SQLITE_MAX_MMAP_SIZE): a report or search fetches rows by rowid from index entries, and through
 * the page cache each such fetch was a 16 KB pread; mapped, it is a memory read (measured on a million
 * records: admin-activity over 60 days 1.45 s → 0.69 s). Mapped pages are the OS's file cache, counted
 * in the process's RSS while touched and given back under memory pressure. Writes still go through
 * SQLite's pager and journal.
 */
export const MMAP_BYTES = 2 * 1024 ** 3;

/** How long a statement waits for another process's write lock before it fails. */
const BUSY_TIMEOUT_MS = 10_000;

export interface SqliteStoreOptions {
  clock?: Clock;
  /** Told what a start does that takes long (an upgrade filling new columns). */
  onNotice?: StoreNotice;
  /** The facts rule for rows stored before version 2 (store/backfill.ts); needed only to upgrade such a store. */
  factsFromRaw?: FactsFromRaw;
}

/**
 * Opens the SQLite store at `path` (`:memory:` for a private in-memory one). Settings, measured on
 * a million records (docs/adr/0002-records-table-and-search-sql.md, 0004-bulk-writer.md): WAL so readers never block the writer, 16 KB pages
 * (fewer, larger B-tree pages for 1.3 KB rows), synchronous=NORMAL (a WAL commit survives a process
 * crash; only an OS crash can lose the last commits, which the idempotent collector re-fetches), and a
 * 64 MB page cache (the collector must stay small); a bulk load raises it to 256 MB while it runs, so
 * the randomly placed (tenant, id) index inserts stay in memory.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  let db: Db | undefined;
  try {
    createPrivately(path);
    db = new Database(path);
    return configure(db, path, options);
  } catch (error) {
    if (db?.open) db.close();
    if (error instanceof AppError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      // Not a permissions problem: "Make the folder writable" sent people the wrong way.
      throw new AppError(
        'STORE_UNAVAILABLE',
        `${path} is not a tenantwatch database: SQLite says ${code === 'SQLITE_NOTADB' ? 'it is not a database file' : 'the file is damaged'}`,
        {
          hint: `Point --db sqlite:PATH (or --data) at your tenantwatch database; if ${path} is one, restore it from a backup, or move it aside and run again to start an empty one`,
          details: { path },
          cause: error,
        },
      );
    }
    throw new AppError('STORE_UNAVAILABLE', `The SQLite database ${path} cannot be opened: ${whyNot(path, error)}`, {
      hint: 'Make the folder writable, or choose another with --data (or TENANTWATCH_HOME) or --db sqlite:PATH',
      cause: error,
    });
  }
}

/**
 * A new store is made readable by its owner only: it holds audit records (people's names, addresses, what they did),
 * password hashes and the tenants' encrypted credentials, and SQLite would make it as the umask allows (0644 by
 * default, readable by every local account). SQLite makes the -wal and -shm files with the database's own mode.
 * An empty file is a new database to SQLite. A file already there keeps the mode its owner gave it.
 */
function createPrivately(path: string): void {
  if (path === ':memory:' || path === '') return;
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch {
    // There already, or not makeable here: SQLite's own open then says why, with the hint below.
  }
}

/**
 * The cause in words (issue 18.16: a read-only data folder gave "unable to open database file"):
 * SQLite needs to write the file and, in WAL mode, its -wal and -shm files beside it, so the folder
 * itself must be writable even to read.
 */
function whyNot(path: string, error: unknown): string {
  const message = (error as Error).message;
  if (path === ':memory:' || path === '') return message;
  const folder = dirname(resolve(path));
  for (const [target, what] of [
    [folder, `the folder ${folder}`],
    [path, 'the file'],
  ] as const) {
    try {
      accessSync(target, constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EROFS') return `${what} is on a read-only file system (${message})`;
      if (code === 'EACCES' || code === 'EPERM') return `${what} is not writable for this user (${message})`;
      if (code === 'ENOENT' && target === folder) return `the folder ${folder} does not exist (${message})`;
    }
  }
  return message;
}

function configure(db: Db, path: string, options: SqliteStoreOptions): Store {
  // First: every later statement, the switch to WAL included, waits for another process's lock
  // instead of failing at once with "database is locked" (issue 18.15).
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('page_size = 16384');
  const onDisk = path !== ':memory:' && path !== '';
  if (onDisk) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const large = onDisk && (statSync(path, { throwIfNoEntry: false })?.size ?? 0) > MMAP_BYTES;
  db.pragma(`cache_size = ${large ? LARGE_STORE_CACHE_KIB : DEFAULT_CACHE_KIB}`);
  if (onDisk) db.pragma(`mmap_size = ${MMAP_BYTES}`);
  db.pragma('temp_store = MEMORY');
  db.function(CONTAINS_FUNCTION, { deterministic: true }, (text: unknown, term: unknown) =>
    containsFolded(typeof text === 'string' ? text : null, String(term)),
  );
  return new SqliteStore(db, options.clock ?? systemClock, {
    onNotice: options.onNotice,
    factsFromRaw: options.factsFromRaw,
  });
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly records: SqliteRecordStore;
  readonly tenants: SqliteTenantStore;
  readonly ledger: SqliteLedgerStore;
  readonly posture: SqlitePostureStore;
  readonly cursors: SqliteCursorStore;
  readonly auth: SqliteAuthStore;
  readonly consoleAudit: SqliteConsoleAuditStore;
  readonly alerts: SqliteAlertStore;
  readonly sinks: SqliteSinkStore;
  readonly retention: SqliteRetentionStore;

  constructor(
    private readonly db: Db,
    clock: Clock,
    private readonly upgrade: StoreUpgrade,
  ) {
    migrate(db, upgrade);
    this.records = new SqliteRecordStore(db, clock, new SqliteTextIndex(db));
    this.tenants = new SqliteTenantStore(db);
    this.ledger = new SqliteLedgerStore(db, this.records);
    this.posture = new SqlitePostureStore(db);
    this.cursors = new SqliteCursorStore(db);
    this.auth = new SqliteAuthStore(db);
    this.consoleAudit = new SqliteConsoleAuditStore(db);
    this.alerts = new SqliteAlertStore(db);
    this.sinks = new SqliteSinkStore(db);
    this.retention = new SqliteRetentionStore(db);
  }

  async migrate(): Promise<void> {
    migrate(this.db, this.upgrade);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
