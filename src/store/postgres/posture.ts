import type { Pool } from 'pg';
import type { PostureSnapshot, PostureStore } from '../contract.js';
import { toSnapshot } from '../tenant-rows.js';
import type { PostureSelect } from '../tenant-rows.js';

/** Posture snapshots, kept as history (never overwritten), body as JSON text. */
export class PostgresPostureStore implements PostureStore {
  constructor(private readonly pool: Pool) {}

  async save(s: PostureSnapshot): Promise<void> {
    await this.pool.query('INSERT INTO posture (tenant, taken_at, verdict, body) VALUES ($1, $2, $3, $4)', [
      s.tenant,
      s.takenAt,
      s.verdict,
      JSON.stringify(s.body ?? null),
    ]);
  }

  async list(tenant: string, limit?: number): Promise<PostureSnapshot[]> {
    const { rows } = await this.pool.query<PostureSelect>(
      'SELECT * FROM posture WHERE tenant = $1 ORDER BY taken_at DESC, seq DESC LIMIT $2',
      [tenant, limit ?? null],
    );
    return rows.map(toSnapshot);
  }

  async latest(): Promise<PostureSnapshot[]> {
    const { rows } = await this.pool.query<PostureSelect>(
      'SELECT DISTINCT ON (tenant) * FROM posture ORDER BY tenant, taken_at DESC, seq DESC',
    );
    return rows.map(toSnapshot);
  }
}
