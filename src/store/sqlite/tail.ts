/**
 * The tail read of SQLite records (contract: RecordStore.tail). SQLite has one writer at a time and
 * a new row's seq is allocated under the write lock, above every committed row, so seq order is arrival
 * order and a reader can never see a row commit later below what it has read: the position is the seq.
 * A seq is never reused (the records_seq_floor trigger, schema.ts migration 3, and nextSeqIfReused), so a deleted newest row cannot hand its seq to
 * a later record that a consumer standing on it would skip.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { StoredRecord } from '../../core/record.js';
import { SELECT_COLUMNS, toStoredRecord } from '../columns.js';
import type { SelectedRow } from '../columns.js';
import type { TailBatch, TailOptions, TailPosition } from '../contract.js';
import { throwIfAborted } from '../search-sql.js';
import { StatementCache } from './statements.js';
import { parseSeqPosition, tailFilterSql } from '../tail-position.js';

/** The store_meta key holding the highest seq ever deleted while it was the newest (schema.ts, migration 3). */
export const SEQ_FLOOR = 'records_seq_floor';

export class SqliteTail {
  private readonly read: Statement;
  private readonly lag: Statement;
  private readonly end: Statement;
  private readonly floor: Statement;
  private readonly span: Statement;
  /** Filtered reads by their condition's SQL (a consumer asks the same filter every time). */
  private readonly filtered: StatementCache;

  constructor(db: Database) {
    this.filtered = new StatementCache(db, { raw: true });
    this.read = db.prepare(`SELECT ${SELECT_COLUMNS}, seq FROM records WHERE seq > ? ORDER BY seq LIMIT ?`).raw(true);
    this.lag = db.prepare('SELECT count(*) AS n, min(ingested_at) AS oldest FROM records WHERE seq > ?');
    this.end = db.prepare('SELECT max(seq) FROM records').pluck();
    this.floor = db
      .prepare(
        `SELECT CAST(value AS INTEGER) FROM store_meta WHERE key = '${SEQ_FLOOR}'
         AND CAST(value AS INTEGER) >= coalesce((SELECT max(seq) FROM records), 0)`,
      )
      .pluck();
    this.span = db.prepare(
      `SELECT tenant, max(creation_time) AS newest, count(*) AS n, max(seq) AS last
         FROM (SELECT seq, tenant, creation_time FROM records WHERE seq > ? ORDER BY seq LIMIT ?) GROUP BY tenant`,
    );
  }

  tail(after: TailPosition | null, options: TailOptions): TailBatch {
    throwIfAborted(options.signal);
    const from = parseSeqPosition(after);
    // Unary plus: the columns are read row by row inside the seq range, never through their own indexes
    // (an operation index read every stored match of the operations for each batch: a million-record
    // pass took 7.6 s in that query alone).
    const filter = tailFilterSql(
      options.only,
      () => '?',
      (column) => `+${column}`,
    );
    if (filter) return this.tailFiltered(after, from, options.limit, filter);
    const rows = this.read.all(from, Math.max(0, Math.floor(options.limit))) as SelectedRow[];
    const records: StoredRecord[] = rows.map(toStoredRecord);
    const last = rows[rows.length - 1];
    return { records, next: last ? String(last[last.length - 1]) : (after ?? '0') };
  }

  /**
   * The next `limit` positions first (seq, tenant and time only: raw is never decoded), then only the rows
   * of that span the filter wants, whole.
   */
  private tailFiltered(
    after: TailPosition | null,
    from: number,
    limit: number,
    filter: { sql: string; values: (string | number)[] },
  ): TailBatch {
    const tenants = this.span.all(from, Math.max(0, Math.floor(limit))) as {
      tenant: string;
      newest: number;
      n: number;
      last: number;
    }[];
    if (tenants.length === 0) return { records: [], next: after ?? '0', scanned: 0 };
    const span = { n: 0, last: 0 };
    const newest: Record<string, number> = {};
    for (const t of tenants) {
      span.n += t.n;
      span.last = Math.max(span.last, t.last);
      newest[t.tenant] = t.newest;
    }
    const read = this.filtered.get(
      `SELECT ${SELECT_COLUMNS} FROM records WHERE seq > ? AND seq <= ? AND ${filter.sql} ORDER BY seq`,
    );
    const rows = read.all(from, span.last, ...filter.values) as SelectedRow[];
    return { records: rows.map(toStoredRecord), next: String(span.last), scanned: span.n, newest };
  }

  tailEnd(): TailPosition {
    return String((this.end.get() as number | null) ?? 0);
  }

  tailLag(after: TailPosition | null): { records: number; oldestIngestedAt: number | null } {
    const row = this.lag.get(parseSeqPosition(after)) as { n: number; oldest: number | null };
    return { records: row.n, oldestIngestedAt: row.oldest };
  }

  /**
   * The seq the next insert must take explicitly, or null when SQLite's own choice (max + 1) is safe:
   * only after the newest rows were deleted is max + 1 a seq that was already handed out. Called inside
   * the insert's write transaction.
   */
  nextSeqIfReused(): number | null {
    const floor = this.floor.get() as number | undefined;
    return floor === undefined ? null : floor + 1;
  }
}
