/**
 * The tail read of PostgreSQL records (contract: RecordStore.tail). A bigserial is handed out at
 * insert, not at commit: with two writers, a transaction still open can hold seqs below those of one
 * that already committed, and a reader that moved past them would skip its rows for ever. So every row
 * keeps the id of the transaction that wrote it (column xid, pg_current_xact_id(), migration 3), the
 * tail is ordered by (xid, seq), and a read returns only rows whose xid is below the xmin of its own
 * snapshot: every transaction below xmin has ended, so that part of the order is final and nothing can
 * appear in it later. The position is `xid:seq`. Ordering by seq with an xid filter would not do: a
 * committed transaction can hold seqs above an open one's. The cost: while a writing transaction stays
 * open anywhere in the cluster, the tail waits at it (the collector's transactions are one blob each).
 */
import type { Pool } from 'pg';
import { SELECT_COLUMNS, toStoredRecord } from '../columns.js';
import type { SelectedRow } from '../columns.js';
import type { TailBatch, TailPosition } from '../contract.js';
import { throwIfAborted } from '../search-sql.js';
import { parseXidPosition } from '../tail-position.js';

/** Only transactions that have ended: below this, the (xid, seq) order gains no more rows. */
const HORIZON = 'pg_snapshot_xmin(pg_current_snapshot())';

export class PostgresTail {
  constructor(private readonly pool: Pool) {}

  async tail(after: TailPosition | null, options: { limit: number; signal?: AbortSignal }): Promise<TailBatch> {
    throwIfAborted(options.signal);
    const from = parseXidPosition(after);
    const { rows } = await this.pool.query<SelectedRow & unknown[]>({
      text: `SELECT ${SELECT_COLUMNS}, xid::text AS at_xid, seq AS at_seq FROM records
             WHERE (xid, seq) > ($1::xid8, $2::bigint) AND xid < ${HORIZON}
             ORDER BY xid, seq LIMIT $3`,
      values: [from.xid, from.seq, Math.max(0, Math.floor(options.limit))],
      rowMode: 'array',
    });
    const last = rows[rows.length - 1];
    const next = last ? `${String(last[last.length - 2])}:${String(last[last.length - 1])}` : (after ?? '0:0');
    return { records: rows.map(toStoredRecord), next };
  }

  /** Just below the oldest transaction still open: what it and every later one writes comes after. */
  async tailEnd(): Promise<TailPosition> {
    const { rows } = await this.pool.query<{ xmin: string }>(`SELECT ${HORIZON}::text AS xmin`);
    return `${rows[0]!.xmin}:0`;
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
