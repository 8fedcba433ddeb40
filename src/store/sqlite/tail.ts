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
import type { TailBatch, TailPosition } from '../contract.js';
import { throwIfAborted } from '../search-sql.js';
import { parseSeqPosition } from '../tail-position.js';

/** The store_meta key holding the highest seq ever deleted while it was the newest (schema.ts, migration 3). */
export const SEQ_FLOOR = 'records_seq_floor';

export class SqliteTail {
  private readonly read: Statement;
  private readonly lag: Statement;
  private readonly end: Statement;
  private readonly floor: Statement;

  constructor(db: Database) {
    this.read = db.prepare(`SELECT ${SELECT_COLUMNS}, seq FROM records WHERE seq > ? ORDER BY seq LIMIT ?`).raw(true);
    this.lag = db.prepare('SELECT count(*) AS n, min(ingested_at) AS oldest FROM records WHERE seq > ?');
    this.end = db.prepare('SELECT max(seq) FROM records').pluck();
    this.floor = db
      .prepare(
        `SELECT CAST(value AS INTEGER) FROM store_meta WHERE key = '${SEQ_FLOOR}'
         AND CAST(value AS INTEGER) >= coalesce((SELECT max(seq) FROM records), 0)`,
      )
      .pluck();
  }

  tail(after: TailPosition | null, options: { limit: number; signal?: AbortSignal }): TailBatch {
    throwIfAborted(options.signal);
    const from = parseSeqPosition(after);
    const rows = this.read.all(from, Math.max(0, Math.floor(options.limit))) as SelectedRow[];
    const records: StoredRecord[] = rows.map(toStoredRecord);
    const last = rows[rows.length - 1];
    return { records, next: last ? String(last[last.length - 1]) : (after ?? '0') };
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
