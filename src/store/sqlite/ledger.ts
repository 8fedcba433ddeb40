import type { Database, Statement } from 'better-sqlite3';
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
import type { SqliteRecordStore } from './records.js';

/**
 * The coverage ledger in SQLite: windows, blobs, checkpoints and leases. One SQLite file has one
 * writer at a time, so a lease is a plain row (owner, until) taken with an upsert that only wins when
 * the row is free, expired or already ours.
 */
export class SqliteLedgerStore implements LedgerStore {
  constructor(
    private readonly db: Database,
    private readonly records: SqliteRecordStore,
  ) {}

  async upsertWindow(w: CoverageWindow): Promise<void> {
    const marks = WINDOW_COLUMNS.map(() => '?').join(', ');
    const updates = WINDOW_COLUMNS.slice(3)
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    this.db
      .prepare(
        `INSERT INTO coverage (${WINDOW_COLUMNS.join(', ')}) VALUES (${marks}) ON CONFLICT (tenant, stream, start) DO UPDATE SET ${updates}`,
      )
      .run(windowValues(w));
  }

  async listWindows(
    filter: { tenant?: string; stream?: LedgerStream; from?: number; to?: number } = {},
  ): Promise<CoverageWindow[]> {
    const { where, params } = conditions([
      ['tenant = @tenant', 'tenant', filter.tenant],
      ['stream = @stream', 'stream', filter.stream],
      ['"end" > @from', 'from', filter.from],
      ['start < @to', 'to', filter.to],
    ]);
    const sql = `SELECT * FROM coverage${where} ORDER BY tenant, stream, start`;
    return (this.db.prepare(sql).all(params) as WindowSelect[]).map(toWindow);
  }

  async commitBlob(
    blob: Omit<BlobRow, 'records' | 'newRecords'>,
    records: readonly AuditRecord[],
  ): Promise<InsertResult> {
    const upsert = this.blobUpsert();
    return this.db
      .transaction(() => {
        const result = this.records.insertAll(records);
        upsert.run(blobValues({ ...blob, records: records.length, newRecords: result.inserted }));
        return result;
      })
      .immediate();
  }

  async recordBlob(blob: BlobRow): Promise<void> {
    this.blobUpsert().run(blobValues(blob));
  }

  async recordBlobIssue(blob: Omit<BlobRow, 'records' | 'newRecords' | 'sha256'>): Promise<void> {
    const marks = BLOB_COLUMNS.map(() => '?').join(', ');
    const updates = BLOB_COLUMNS.slice(2)
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    // A blob already committed stays committed: a later refusal (a re-listing) must not hide its records.
    this.db
      .prepare(
        `INSERT INTO blobs (${BLOB_COLUMNS.join(', ')}) VALUES (${marks}) ON CONFLICT (tenant, content_id) DO UPDATE SET ${updates} WHERE blobs.status <> 'fetched'`,
      )
      .run(blobValues({ ...blob, records: 0, newRecords: 0, sha256: null }));
  }

  private blobUpsert(): Statement {
    const marks = BLOB_COLUMNS.map(() => '?').join(', ');
    const updates = BLOB_COLUMNS.slice(2)
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    return this.db.prepare(
      `INSERT INTO blobs (${BLOB_COLUMNS.join(', ')}) VALUES (${marks}) ON CONFLICT (tenant, content_id) DO UPDATE SET ${updates}`,
    );
  }

  async hasBlob(tenant: string, contentId: string): Promise<boolean> {
    return (
      this.db
        .prepare("SELECT 1 FROM blobs WHERE tenant = ? AND content_id = ? AND status = 'fetched'")
        .get(tenant, contentId) !== undefined
    );
  }

  async listBlobs(filter: {
    tenant?: string;
    contentType?: ContentType;
    from?: number;
    to?: number;
    limit?: number;
  }): Promise<BlobRow[]> {
    const { where, params } = conditions([
      ['tenant = @tenant', 'tenant', filter.tenant],
      ['content_type = @type', 'type', filter.contentType],
      ['content_created >= @from', 'from', filter.from],
      ['content_created < @to', 'to', filter.to],
    ]);
    const limit = filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    const sql = `SELECT * FROM blobs${where} ORDER BY content_created, tenant, content_id${limit}`;
    return (this.db.prepare(sql).all(params) as BlobSelect[]).map(toBlobRow);
  }

  async getCheckpoint(tenant: string, stream: LedgerStream): Promise<Checkpoint | null> {
    const row = this.db.prepare('SELECT * FROM checkpoints WHERE tenant = ? AND stream = ?').get(tenant, stream) as
      CheckpointSelect | undefined;
    return row ? toCheckpoint(row) : null;
  }

  async advanceCheckpoint(tenant: string, stream: LedgerStream, position: number, at: number): Promise<boolean> {
    const sql = `INSERT INTO checkpoints (tenant, stream, position, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (tenant, stream) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
      WHERE excluded.position >= checkpoints.position`;
    return this.db.prepare(sql).run(tenant, stream, position, at).changes > 0;
  }

  async acquireLease(key: string, owner: string, until: number, now: number): Promise<boolean> {
    const sql = `INSERT INTO leases (key, owner, until) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, until = excluded.until
      WHERE leases.until <= ? OR leases.owner = excluded.owner`;
    return this.db.prepare(sql).run(key, owner, until, now).changes > 0;
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    this.db.prepare('DELETE FROM leases WHERE key = ? AND owner = ?').run(key, owner);
  }

  async leaseHolder(key: string): Promise<{ owner: string; until: number } | null> {
    return (
      (this.db.prepare('SELECT owner, until FROM leases WHERE key = ?').get(key) as
        { owner: string; until: number } | undefined) ?? null
    );
  }

  async reclaimLease(key: string, from: string, owner: string, until: number): Promise<boolean> {
    return (
      this.db.prepare('UPDATE leases SET owner = ?, until = ? WHERE key = ? AND owner = ?').run(owner, until, key, from)
        .changes > 0
    );
  }

  async renewLease(key: string, owner: string, until: number): Promise<boolean> {
    return (
      this.db.prepare('UPDATE leases SET until = ? WHERE key = ? AND owner = ?').run(until, key, owner).changes > 0
    );
  }

  async dropExpiredLeases(prefix: string, now: number): Promise<number> {
    const sql = 'DELETE FROM leases WHERE substr(key, 1, length(@prefix)) = @prefix AND until <= @now';
    return this.db.prepare(sql).run({ prefix, now }).changes;
  }

  async forgetTenant(tenant: string): Promise<{ windows: number; blobs: number; checkpoints: number }> {
    return this.db
      .transaction(() => ({
        windows: this.db.prepare('DELETE FROM coverage WHERE tenant = ?').run(tenant).changes,
        blobs: this.db.prepare('DELETE FROM blobs WHERE tenant = ?').run(tenant).changes,
        checkpoints: this.db.prepare('DELETE FROM checkpoints WHERE tenant = ?').run(tenant).changes,
      }))
      .immediate();
  }
}

/** A WHERE clause from the filters that are set (each with its named parameter). */
function conditions(filters: [sql: string, name: string, value: string | number | undefined][]): {
  where: string;
  params: Record<string, string | number>;
} {
  const parts: string[] = [];
  const params: Record<string, string | number> = {};
  for (const [sql, name, value] of filters) {
    if (value === undefined) continue;
    parts.push(sql);
    params[name] = value;
  }
  return { where: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', params };
}
