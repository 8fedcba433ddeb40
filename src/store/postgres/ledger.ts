import type { Pool } from 'pg';
import { inTransaction } from './transaction.js';
import type { AuditRecord, ContentType } from '../../core/record.js';
import type { BlobRow, Checkpoint, CoverageWindow, InsertResult, LedgerStore, LedgerStream } from '../contract.js';
import {
  BLOB_COLUMNS,
  blobValues,
  toBlobRow,
  toCheckpoint,
  toWindow,
  WINDOW_COLUMNS,
  windowValues,
} from '../ledger-rows.js';
import type { BlobSelect, CheckpointSelect, WindowSelect } from '../ledger-rows.js';
import type { PostgresRecordStore } from './records.js';

const marks = (n: number, from = 1): string => Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');
const BLOB_UPSERT = `INSERT INTO blobs (${BLOB_COLUMNS.join(', ')}) VALUES (${marks(BLOB_COLUMNS.length)})
  ON CONFLICT (tenant, content_id) DO UPDATE SET ${BLOB_COLUMNS.slice(2)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

/**
 * The coverage ledger in PostgreSQL. Several collector processes share one database, so a lease is
 * taken with one atomic upsert whose WHERE only lets it win when the row is expired or already ours:
 * two processes racing for a key serialize on the row lock and exactly one gets true.
 */
export class PostgresLedgerStore implements LedgerStore {
  constructor(
    private readonly pool: Pool,
    private readonly records: PostgresRecordStore,
  ) {}

  async upsertWindow(w: CoverageWindow): Promise<void> {
    const updates = WINDOW_COLUMNS.slice(3)
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    await this.pool.query(
      `INSERT INTO coverage (${WINDOW_COLUMNS.join(', ')}) VALUES (${marks(WINDOW_COLUMNS.length)}) ON CONFLICT (tenant, stream, start) DO UPDATE SET ${updates}`,
      windowValues(w),
    );
  }

  async listWindows(
    filter: { tenant?: string; stream?: LedgerStream; from?: number; to?: number } = {},
  ): Promise<CoverageWindow[]> {
    const { where, params } = conditions([
      ['tenant = ?', filter.tenant],
      ['stream = ?', filter.stream],
      ['"end" > ?', filter.from],
      ['start < ?', filter.to],
    ]);
    const { rows } = await this.pool.query<WindowSelect>(
      `SELECT * FROM coverage${where} ORDER BY tenant, stream, start`,
      params,
    );
    return rows.map(toWindow);
  }

  async commitBlob(
    blob: Omit<BlobRow, 'records' | 'newRecords'>,
    records: readonly AuditRecord[],
  ): Promise<InsertResult> {
    return inTransaction(this.pool, async (client) => {
      const result = await this.records.insertWith(client, records);
      await client.query(BLOB_UPSERT, blobValues({ ...blob, records: records.length, newRecords: result.inserted }));
      return result;
    });
  }

  async recordBlob(blob: BlobRow): Promise<void> {
    await this.pool.query(BLOB_UPSERT, blobValues(blob));
  }

  async recordBlobIssue(blob: Omit<BlobRow, 'records' | 'newRecords' | 'sha256'>): Promise<void> {
    // A blob already committed stays committed: a later refusal (a re-listing) must not hide its records.
    await this.pool.query(
      `${BLOB_UPSERT} WHERE blobs.status <> 'fetched'`,
      blobValues({ ...blob, records: 0, newRecords: 0, sha256: null }),
    );
  }

  async hasBlob(tenant: string, contentId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "SELECT 1 FROM blobs WHERE tenant = $1 AND content_id = $2 AND status = 'fetched'",
      [tenant, contentId],
    );
    return (rowCount ?? 0) > 0;
  }

  async listBlobs(filter: {
    tenant?: string;
    contentType?: ContentType;
    from?: number;
    to?: number;
    limit?: number;
  }): Promise<BlobRow[]> {
    const { where, params } = conditions([
      ['tenant = ?', filter.tenant],
      ['content_type = ?', filter.contentType],
      ['content_created >= ?', filter.from],
      ['content_created < ?', filter.to],
    ]);
    const limit = filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    const { rows } = await this.pool.query<BlobSelect>(
      `SELECT * FROM blobs${where} ORDER BY content_created, tenant, content_id${limit}`,
      params,
    );
    return rows.map(toBlobRow);
  }

  async getCheckpoint(tenant: string, stream: LedgerStream): Promise<Checkpoint | null> {
    const { rows } = await this.pool.query<CheckpointSelect>(
      'SELECT * FROM checkpoints WHERE tenant = $1 AND stream = $2',
      [tenant, stream],
    );
    return rows[0] ? toCheckpoint(rows[0]) : null;
  }

  async advanceCheckpoint(tenant: string, stream: LedgerStream, position: number, at: number): Promise<boolean> {
    const sql = `INSERT INTO checkpoints (tenant, stream, position, updated_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (tenant, stream) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
      WHERE excluded.position >= checkpoints.position`;
    return ((await this.pool.query(sql, [tenant, stream, position, at])).rowCount ?? 0) > 0;
  }

  async acquireLease(key: string, owner: string, until: number, now: number): Promise<boolean> {
    const sql = `INSERT INTO leases (key, owner, until) VALUES ($1, $2, $3)
      ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, until = excluded.until
      WHERE leases.until <= $4 OR leases.owner = excluded.owner`;
    return ((await this.pool.query(sql, [key, owner, until, now])).rowCount ?? 0) > 0;
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    await this.pool.query('DELETE FROM leases WHERE key = $1 AND owner = $2', [key, owner]);
  }

  async leaseHolder(key: string): Promise<{ owner: string; until: number } | null> {
    const { rows } = await this.pool.query<{ owner: string; until: string }>(
      'SELECT owner, until FROM leases WHERE key = $1',
      [key],
    );
    return rows[0] ? { owner: rows[0].owner, until: Number(rows[0].until) } : null;
  }

  async reclaimLease(key: string, from: string, owner: string, until: number): Promise<boolean> {
    return (
      ((
        await this.pool.query('UPDATE leases SET owner = $1, until = $2 WHERE key = $3 AND owner = $4', [
          owner,
          until,
          key,
          from,
        ])
      ).rowCount ?? 0) > 0
    );
  }

  async renewLease(key: string, owner: string, until: number): Promise<boolean> {
    const sql = 'UPDATE leases SET until = $1 WHERE key = $2 AND owner = $3';
    return ((await this.pool.query(sql, [until, key, owner])).rowCount ?? 0) > 0;
  }

  async dropExpiredLeases(prefix: string, now: number): Promise<number> {
    const sql = 'DELETE FROM leases WHERE starts_with(key, $1) AND until <= $2';
    return (await this.pool.query(sql, [prefix, now])).rowCount ?? 0;
  }

  async forgetTenant(tenant: string): Promise<{ windows: number; blobs: number; checkpoints: number }> {
    return inTransaction(this.pool, async (client) => {
      const gone = async (table: string) =>
        (await client.query(`DELETE FROM ${table} WHERE tenant = $1`, [tenant])).rowCount ?? 0;
      return { windows: await gone('coverage'), blobs: await gone('blobs'), checkpoints: await gone('checkpoints') };
    });
  }
}

/** A WHERE clause from the filters that are set; `?` becomes the next positional parameter. */
function conditions(filters: [sql: string, value: string | number | undefined][]): {
  where: string;
  params: (string | number)[];
} {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  for (const [sql, value] of filters) {
    if (value === undefined) continue;
    params.push(value);
    parts.push(sql.replace('?', `$${params.length}`));
  }
  return { where: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', params };
}
