/** Consumer cursors in SQLite (contract: CursorStore): one row per consumer, replaced on every move. */
import type { Database } from 'better-sqlite3';
import type { CursorStore, TailPosition } from '../contract.js';

export class SqliteCursorStore implements CursorStore {
  constructor(private readonly db: Database) {}

  async get(consumer: string): Promise<TailPosition | null> {
    const value = this.db.prepare('SELECT position FROM cursors WHERE consumer = ?').pluck().get(consumer);
    return (value as string | undefined) ?? null;
  }

  async set(consumer: string, position: TailPosition, at: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO cursors (consumer, position, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      )
      .run(consumer, position, at);
  }

  async list(): Promise<{ consumer: string; position: TailPosition; updatedAt: number }[]> {
    return this.db
      .prepare('SELECT consumer, position, updated_at AS updatedAt FROM cursors ORDER BY consumer')
      .all() as { consumer: string; position: TailPosition; updatedAt: number }[];
  }

  async remove(consumer: string): Promise<void> {
    this.db.prepare('DELETE FROM cursors WHERE consumer = ?').run(consumer);
  }
}
