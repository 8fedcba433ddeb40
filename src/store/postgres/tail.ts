/**
 * The tail read of PostgreSQL records (contract: RecordStore.tail). A bigserial is handed out at
 * insert, not at commit: with two writers, a transaction still open can hold seqs below those of one
 * that already committed, and a reader that moved past them would skip its rows for ever. So every row
 * keeps the id of the transaction that wrote it (column xid, pg_current_xact_id(), migration 3), the
 * tail is ordered by (xid, seq), and a read returns only rows whose xid is below the xmin of its own
 * snapshot: every transaction below xmin has ended, so that part of the order is final and nothing can
 * appear in it later. The position is `xid:seq`. Ordering by seq with an xid filter would not do: a
 * committed transaction can hold seqs above an open one's.
 *
 * The horizon counts only this store's record writers, not every transaction of the cluster: a plain xmin
 * waits for any open writing transaction anywhere (another schema, another database, a tool left idle in
 * transaction), which stalled the tail of one store on another's work. Every transaction that writes records
 * takes a shared advisory lock of its schema (WRITER_LOCK) before its first write, so before it has an xid.
 * The horizon is then the smallest xid of a transaction that holds that lock and is in progress in the
 * read's snapshot, or the snapshot's xmax when none is: a writer that gets its xid after the snapshot has one
 * at or above xmax, one that ended is final, and one still running holds the lock and so bounds the horizon.
 * The lock is read from pg_locks (live), the snapshot first, in one statement; the rows in a second.
 */
import type { Pool } from 'pg';
import { SELECT_COLUMNS, toStoredRecord } from '../columns.js';
import type { SelectedRow } from '../columns.js';
import type { TailBatch, TailOptions, TailPosition } from '../contract.js';
import { throwIfAborted } from '../search-sql.js';
import { parseXidPosition, tailFilterSql } from '../tail-position.js';

/** The advisory lock class of record writers ('tw'); the key within it is the schema's hash. */
const WRITER_CLASS = 29815;

/** Taken by every transaction that writes records, in its first statement (postgres/records.ts insertWith). */
export const WRITER_LOCK = `pg_advisory_xact_lock_shared(${WRITER_CLASS}, hashtext(current_schema()))`;

/**
 * The same lock taken exclusively, in a transaction of its own: returns once every record writer that was
 * running has ended (new ones wait meanwhile). The substring index's build uses it (text-index.ts).
 */
export const WRITERS_ENDED = `SELECT pg_advisory_xact_lock(${WRITER_CLASS}, hashtext(current_schema()))`;

/**
 * Below this xid the (xid, seq) order gains no more rows: the oldest in-progress record writer of this schema,
 * else the snapshot's xmax. pg_locks gives in-progress xids as 32-bit values; the snapshot's in-progress list
 * gives them as xid8, and within one snapshot they are less than 2^31 apart, so the low 32 bits match one.
 */
const HORIZON_SQL = `
  WITH s AS (SELECT pg_current_snapshot() AS snap),
  writers AS (
    SELECT t.transactionid::text::bigint AS x32
      FROM pg_locks a JOIN pg_locks t ON t.pid = a.pid AND t.locktype = 'transactionid' AND t.granted
     WHERE a.locktype = 'advisory' AND a.granted AND a.objsubid = 2
       AND a.classid = ${WRITER_CLASS} AND a.objid = hashtext(current_schema())::oid
       AND a.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
  SELECT COALESCE(
    (SELECT min(x) FROM s, pg_snapshot_xip(s.snap) AS x
      WHERE (x::text::numeric % 4294967296)::bigint IN (SELECT x32 FROM writers)),
    (SELECT pg_snapshot_xmax(snap) FROM s))::text AS horizon`;

export class PostgresTail {
  constructor(private readonly pool: Pool) {}

  async tail(after: TailPosition | null, options: TailOptions): Promise<TailBatch> {
    throwIfAborted(options.signal);
    const from = parseXidPosition(after);
    const horizon = await this.horizon();
    // Expressions, not the bare columns: the rows are filtered inside the arrival range, never looked up
    // through the operation index (which would visit every stored match of the operations for each batch).
    const filter = tailFilterSql(
      options.only,
      (i) => `$${i + 5}`,
      (column) => (column === 'record_type' ? `(${column} + 0)` : `(${column} || '')`),
    );
    if (filter) return this.tailFiltered(after, from, options.limit, horizon, filter);
    const { rows } = await this.pool.query<SelectedRow & unknown[]>({
      text: `SELECT ${SELECT_COLUMNS}, xid::text AS at_xid, seq AS at_seq FROM records
             WHERE (xid, seq) > ($1::xid8, $2::bigint) AND xid < $4::xid8
             ORDER BY xid, seq LIMIT $3`,
      values: [from.xid, from.seq, Math.max(0, Math.floor(options.limit)), horizon],
      rowMode: 'array',
    });
    const last = rows[rows.length - 1];
    const next = last ? `${String(last[last.length - 2])}:${String(last[last.length - 1])}` : (after ?? '0:0');
    return { records: rows.map(toStoredRecord), next };
  }

  /**
   * The span of the next `limit` positions below the horizon first (positions only), then only the rows
   * of that span the filter wants, whole.
   */
  private async tailFiltered(
    after: TailPosition | null,
    from: { xid: string; seq: string },
    limit: number,
    horizon: string,
    filter: { sql: string; values: (string | number)[] },
  ): Promise<TailBatch> {
    // The last position is ordered by the columns themselves (span.xid, span.seq): an output column named
    // like them would order as text ('9' after '12').
    const span = await this.pool.query<{ n: string; last: string | null; newest: Record<string, number> | null }>(
      `WITH span AS (SELECT xid, seq, tenant, creation_time FROM records
                      WHERE (xid, seq) > ($1::xid8, $2::bigint) AND xid < $4::xid8 ORDER BY xid, seq LIMIT $3)
       SELECT count(*) AS n,
              (SELECT span.xid::text || ':' || span.seq::text FROM span
                ORDER BY span.xid DESC, span.seq DESC LIMIT 1) AS last,
              (SELECT json_object_agg(g.tenant, g.t)
                 FROM (SELECT span.tenant, max(span.creation_time) AS t FROM span GROUP BY span.tenant) g) AS newest
         FROM span`,
      [from.xid, from.seq, Math.max(0, Math.floor(limit)), horizon],
    );
    const { n, last, newest } = span.rows[0]!;
    if (!Number(n) || last === null) return { records: [], next: after ?? '0:0', scanned: 0 };
    const [xid, seq] = last.split(':');
    const { rows } = await this.pool.query<SelectedRow & unknown[]>({
      text: `SELECT ${SELECT_COLUMNS} FROM records
             WHERE (xid, seq) > ($1::xid8, $2::bigint) AND (xid, seq) <= ($3::xid8, $4::bigint) AND ${filter.sql}
             ORDER BY xid, seq`,
      values: [from.xid, from.seq, xid, seq, ...filter.values],
      rowMode: 'array',
    });
    return { records: rows.map(toStoredRecord), next: last, scanned: Number(n), newest: newest ?? {} };
  }

  /** Just below the oldest record writer still open: what it and every later one writes comes after. */
  async tailEnd(): Promise<TailPosition> {
    return `${await this.horizon()}:0`;
  }

  private async horizon(): Promise<string> {
    const { rows } = await this.pool.query<{ horizon: string }>(HORIZON_SQL);
    return rows[0]!.horizon;
  }

  async tailLag(after: TailPosition | null): Promise<{ records: number; oldestIngestedAt: number | null }> {
    const from = parseXidPosition(after);
    const { rows } = await this.pool.query<{ n: string; oldest: string | null }>(
      'SELECT count(*) AS n, min(ingested_at) AS oldest FROM records WHERE (xid, seq) > ($1::xid8, $2::bigint)',
      [from.xid, from.seq],
    );
    const row = rows[0]!;
    return { records: Number(row.n), oldestIngestedAt: row.oldest === null ? null : Number(row.oldest) };
  }
}
