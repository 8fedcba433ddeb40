import type { Database } from 'better-sqlite3';
import type { PostureSnapshot, PostureStore } from '../contract.js';
import { toSnapshot } from '../tenant-rows.js';
import type { PostureSelect } from '../tenant-rows.js';

/** Posture snapshots, kept as history (never overwritten), body as JSON text. */
export class SqlitePostureStore implements PostureStore {
  constructor(private readonly db: Database) {}

  async save(s: PostureSnapshot): Promise<void> {
    this.db
      .prepare('INSERT INTO posture (tenant, taken_at, verdict, body) VALUES (?, ?, ?, ?)')
      .run(s.tenant, s.takenAt, s.verdict, JSON.stringify(s.body ?? null));
  }

  async list(tenant: string, limit?: number): Promise<PostureSnapshot[]> {
    const rows = this.db
      .prepare('SELECT * FROM posture WHERE tenant = ? ORDER BY taken_at DESC, seq DESC LIMIT ?')
      .all(tenant, limit ?? -1);
    return (rows as PostureSelect[]).map(toSnapshot);
  }

  async latest(): Promise<PostureSnapshot[]> {
    const sql = `SELECT * FROM posture p WHERE seq = (SELECT seq FROM posture q WHERE q.tenant = p.tenant ORDER BY taken_at DESC, seq DESC LIMIT 1) ORDER BY tenant`;
    return (this.db.prepare(sql).all() as PostureSelect[]).map(toSnapshot);
  }
}
