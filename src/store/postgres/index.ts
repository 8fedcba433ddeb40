import pg from 'pg';
import type { Pool } from 'pg';
import { systemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { FactsFromRaw, StoreNotice, StoreUpgrade } from '../backfill.js';
import type { Store } from '../contract.js';
import { PostgresCursorStore } from './cursors.js';
import { PostgresAuthStore, PostgresConsoleAuditStore } from './auth.js';
import { PostgresAlertStore } from './alerts.js';
import { PostgresLedgerStore } from './ledger.js';
import { PostgresPostureStore } from './posture.js';
import { PostgresRecordStore } from './records.js';
import { guardClients, reconnectingQueries } from './reconnect.js';
import { PostgresSinkStore } from './sinks.js';
import { PostgresRetentionStore } from './retention.js';
import { migrate, quoteIdent } from './schema.js';
import { buildStateIndexes } from './state-indexes.js';
import { ensureMonths, monthOf } from './partitions.js';
import { PostgresTenantStore } from './tenants.js';

export interface PostgresStoreOptions {
  /** Schema for every table (default: the URL's `schema` parameter, else "public"). */
  schema?: string;
  clock?: Clock;
  /** Connections in the pool (default 4). */
  poolSize?: number;
  /** Told what a start does that takes long (an upgrade filling new columns). */
  onNotice?: StoreNotice;
  /** The facts rule for rows stored before version 2 (store/backfill.ts); needed only to upgrade such a store. */
  factsFromRaw?: FactsFromRaw;
  /**
   * How long retention's drop of a whole month waits for its locks before it leaves the month to batched
   * deletes (default 3 s; every query on the records waits behind a drop that waits).
   */
  dropLockTimeoutMs?: number;
  /**
   * How long a start's build of a state index (state-indexes.ts) waits, at each of its waits, for transactions
   * already running in the database before it gives up until the next start (default 30 s).
   */
  indexBuildWaitMs?: number;
}

/**
 * Hides the password of a database URL for messages and logs. Read as a URL, as pg reads it: a password may hold a
 * colon (`alice:s3cr:et@host`), and a pattern that stopped at the first colon showed its part before the last one.
 * A URL that cannot be read shows nothing between `//` and its last `@`.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/?#]*@/, '//***@');
  }
}

/**
 * Opens the PostgreSQL store. `postgres://user@host/db?schema=name` keeps tenantwatch's tables in
 * their own schema (tests give every run its own, so runs never collide). Checks the connection at
 * once so a wrong URL fails at start with a clear message, not at the first query.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (e) {
    // Said with the password hidden (an error's own text or a log of it would hold the whole URL).
    throw new AppError('CONFIG_INVALID', `The database URL ${redactUrl(url)} cannot be read as a URL`, {
      hint: 'Check --db: postgres://USER:PASSWORD@HOST:PORT/DATABASE, with characters such as @ / : ? # in the password written %40 %2F %3A %3F %23',
      cause: e,
    });
  }
  const schema = options.schema ?? parsed.searchParams.get('schema') ?? 'public';
  parsed.searchParams.delete('schema');
  quoteIdent(schema);
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: options.poolSize ?? 4,
    // JIT off: the store's statements run in milliseconds (counts come from the rollups), and PostgreSQL's cost
    // estimate made it compile a month's object search for 58–70 ms of a 100 ms answer (EXPLAIN ANALYZE, ten
    // million records).
    options: `-c search_path=${schema} -c jit=off`,
  });
  // A broken connection (the server restarted) must not crash the process; the store's queries reconnect.
  guardClients(pool);
  reconnectingQueries(pool);
  const client = await pool.connect().catch(async (error: unknown) => {
    await pool.end();
    throw new AppError(
      'STORE_UNAVAILABLE',
      `PostgreSQL at ${redactUrl(url)} cannot be reached: ${(error as Error).message}`,
      {
        hint: 'Check that the server runs, and the host, port, user, password and database name in --db',
        cause: error,
      },
    );
  });
  client.release();
  return new PostgresStore(
    pool,
    schema,
    options.clock ?? systemClock,
    { onNotice: options.onNotice, factsFromRaw: options.factsFromRaw },
    options.dropLockTimeoutMs,
    options.indexBuildWaitMs,
  );
}

class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly records: PostgresRecordStore;
  readonly tenants: PostgresTenantStore;
  readonly ledger: PostgresLedgerStore;
  readonly posture: PostgresPostureStore;
  readonly cursors: PostgresCursorStore;
  readonly auth: PostgresAuthStore;
  readonly consoleAudit: PostgresConsoleAuditStore;
  readonly alerts: PostgresAlertStore;
  readonly sinks: PostgresSinkStore;
  readonly retention: PostgresRetentionStore;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly clock: Clock,
    private readonly upgrade: StoreUpgrade,
    dropLockTimeoutMs?: number,
    private readonly indexBuildWaitMs?: number,
  ) {
    this.records = new PostgresRecordStore(pool, clock);
    this.tenants = new PostgresTenantStore(pool);
    this.ledger = new PostgresLedgerStore(pool, this.records);
    this.posture = new PostgresPostureStore(pool);
    this.cursors = new PostgresCursorStore(pool);
    this.auth = new PostgresAuthStore(pool);
    this.consoleAudit = new PostgresConsoleAuditStore(pool);
    this.alerts = new PostgresAlertStore(pool);
    this.sinks = new PostgresSinkStore(pool);
    this.retention = new PostgresRetentionStore(pool, dropLockTimeoutMs);
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await migrate(client, this.schema, this.upgrade);
    } finally {
      client.release();
    }
    // After the migration committed (state-indexes.ts): not under its lock, nor holding up others' writes.
    await buildStateIndexes(this.pool, this.upgrade.onNotice, this.indexBuildWaitMs);
    // This month's and the next month's partitions, so that a month's first inserts do not create them.
    const now = this.clock.now();
    await ensureMonths(this.pool, [now, monthOf(now).hi]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
