/**
 * The merge of GUID keys stored in another case, in SQLite (store/rekey.ts, ADR 0039). A record moves by an UPDATE
 * of its tenant and id: its seq stays, so the substring index (posted by seq), the day's seq span, the tail and
 * every consumer's cursor are as they were; a record removed from a group goes by a DELETE, which the substring
 * index's trigger and the seq floor's trigger follow as for any delete. The rollups move by the delta of what was
 * really moved or removed, in the same transaction.
 */
import type { Database, Statement } from 'better-sqlite3';
import { CONFLICT_COLUMNS, conflictRow } from '../conflicts.js';
import {
  REKEY_PROGRESS,
  scanStep,
  type GroupPlan,
  type GroupRow,
  type RecordKey,
  type RekeyAdapter,
  type ScanStep,
} from '../rekey.js';
import { RollupDelta, ROLLUP_SOURCE_COLUMNS } from '../rollups.js';
import { applyRollups } from './rollups.js';

/** Where the tenant is in a rollup source row. */
const TENANT = ROLLUP_SOURCE_COLUMNS.indexOf('tenant');

interface Row extends GroupRow {
  seq: number;
  source: string;
  ingestedAt: number;
  /** Its ROLLUP_SOURCE_COLUMNS values. */
  rollup: unknown[];
}

/**
 * One step of the walk of the (tenant, id) index: the candidates among `limit` keys (length and an upper-case A–F
 * tested in SQL, so the keys that need nothing never reach JavaScript), then the last key and how many were read.
 */
const SCAN = (from: string) => `
  WITH chunk AS MATERIALIZED (SELECT tenant, id FROM records ${from} ORDER BY tenant, id LIMIT ?)
  SELECT tenant, id, NULL AS n FROM chunk
   WHERE (length(tenant) = 36 AND tenant GLOB '*[A-F]*') OR (length(id) = 36 AND id GLOB '*[A-F]*')
  UNION ALL
  SELECT * FROM (SELECT tenant, id, (SELECT count(*) FROM chunk) AS n FROM chunk ORDER BY tenant DESC, id DESC LIMIT 1)`;

export class SqliteRekey implements RekeyAdapter<Row> {
  private readonly first: Statement;
  private readonly next: Statement;
  private readonly read: Statement;
  private readonly remove: Statement;
  private readonly move: Statement;
  private readonly keepAside: Statement;
  private readonly moveConflicts: Statement;
  private readonly dropConflicts: Statement;
  private readonly saveCursor: Statement;

  constructor(
    private readonly db: Database,
    readonly tenantSpellings: (guid: string) => Promise<string[]>,
  ) {
    this.first = db.prepare(SCAN('')).raw(true);
    this.next = db.prepare(SCAN('WHERE (tenant, id) > (?, ?)')).raw(true);
    this.read = db
      .prepare(
        `SELECT seq, raw, source, ingested_at, ${ROLLUP_SOURCE_COLUMNS.join(', ')} FROM records WHERE tenant = ? AND id = ?`,
      )
      .raw(true);
    this.remove = db.prepare('DELETE FROM records WHERE seq = ?');
    this.move = db.prepare('UPDATE records SET tenant = ?, id = ? WHERE seq = ?');
    this.keepAside = db.prepare(
      `INSERT OR IGNORE INTO record_conflicts (${CONFLICT_COLUMNS.join(', ')}) VALUES (${CONFLICT_COLUMNS.map(() => '?').join(', ')})`,
    );
    this.moveConflicts = db.prepare(
      `INSERT OR IGNORE INTO record_conflicts (${CONFLICT_COLUMNS.join(', ')})
       SELECT ?, ?, raw_sha256, raw, source, seen_at FROM record_conflicts WHERE tenant = ? AND id = ?`,
    );
    this.dropConflicts = db.prepare('DELETE FROM record_conflicts WHERE tenant = ? AND id = ?');
    this.saveCursor = db.prepare(
      `INSERT INTO cursors (consumer, position, updated_at) VALUES ('${REKEY_PROGRESS}', ?, ?)
       ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    );
  }

  async progress(): Promise<string | null> {
    const row = this.db.prepare('SELECT position FROM cursors WHERE consumer = ?').pluck().get(REKEY_PROGRESS);
    return (row as string | undefined) ?? null;
  }

  async saveProgress(progress: string): Promise<void> {
    this.saveCursor.run(progress, Date.now());
  }

  async scan(after: RecordKey | null, limit: number): Promise<ScanStep> {
    const rows = after ? this.next.all(after.tenant, after.id, limit) : this.first.all(limit);
    return scanStep(rows as [string, string, number | null][]);
  }

  async merge(
    keys: readonly RecordKey[],
    plan: (rows: Row[]) => GroupPlan<Row>[],
    write: boolean,
    progress?: string,
  ): Promise<GroupPlan<Row>[]> {
    const work = (): GroupPlan<Row>[] => {
      const plans = plan(this.rows(keys));
      if (write) this.apply(plans);
      if (write && progress !== undefined) this.saveCursor.run(progress, Date.now());
      return plans;
    };
    // IMMEDIATE: the write lock first (a read first would fail to upgrade when another writer committed between).
    const plans = write ? this.db.transaction(work).immediate() : this.db.transaction(work).deferred();
    // Between transactions a writer waiting on the lock gets its turn (better-sqlite3 is synchronous).
    await new Promise((resolve) => setImmediate(resolve));
    return plans;
  }

  /** The records stored under these keys, in arrival (seq) order. */
  private rows(keys: readonly RecordKey[]): Row[] {
    const out: Row[] = [];
    for (const key of keys) {
      const found = this.read.get(key.tenant, key.id) as unknown[] | undefined;
      if (!found) continue;
      const [seq, raw, source, ingestedAt, ...rest] = found;
      out.push({
        tenant: key.tenant,
        id: key.id,
        seq: seq as number,
        raw: raw as string,
        source: source as string,
        ingestedAt: ingestedAt as number,
        rollup: rest,
      });
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** Inside the batch's transaction: removes, keeps aside, moves, and the rollups by what really changed. */
  private apply(plans: readonly GroupPlan<Row>[]): void {
    const delta = new RollupDelta();
    for (const p of plans) {
      for (const { row, conflict } of p.removed) {
        this.remove.run(row.seq);
        delta.add(row.rollup, -1);
        if (conflict) this.keepAside.run(conflictRow(p.key, row.raw, row.source, row.ingestedAt));
      }
      for (const s of p.spellings) {
        this.moveConflicts.run(p.key.tenant, p.key.id, s.tenant, s.id);
        this.dropConflicts.run(s.tenant, s.id);
      }
      if (!p.moved) continue;
      this.move.run(p.key.tenant, p.key.id, p.keeper.seq);
      if (p.keeper.tenant === p.key.tenant) continue;
      delta.add(p.keeper.rollup, -1);
      delta.add(p.keeper.rollup.with(TENANT, p.key.tenant), 1);
    }
    applyRollups(this.db, delta);
  }
}
