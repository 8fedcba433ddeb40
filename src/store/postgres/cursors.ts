/** Consumer cursors in PostgreSQL (contract: CursorStore): one row per consumer, replaced on every move. */
import type { Pool } from 'pg';
import type { CursorStore, TailPosition } from '../contract.js';

export class PostgresCursorStore implements CursorStore {
  constructor(private readonly pool: Pool) {}

  async get(consumer: string): Promise<TailPosition | null> {
    const { rows } = await this.pool.query<{ position: string }>('SELECT position FROM cursors WHERE consumer = $1', [
      consumer,
    ]);
    return rows[0]?.position ?? null;
  }

  async set(consumer: string, position: TailPosition, at: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO cursors (consumer, position, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      [consumer, position, at],
    );
  }

  async list(): Promise<{ consumer: string; position: TailPosition; updatedAt: number }[]> {
    const { rows } = await this.pool.query<{ consumer: string; position: string; updated_at: string }>(
      'SELECT consumer, position, updated_at FROM cursors ORDER BY consumer',
    );
    return rows.map((r) => ({ consumer: r.consumer, position: r.position, updatedAt: Number(r.updated_at) }));
  }

  async remove(consumer: string): Promise<void> {
    await this.pool.query('DELETE FROM cursors WHERE consumer = $1', [consumer]);
  }
}
