import type { Pool } from 'pg';
import {
  sinkConsumer,
  type DeadLetter,
  type SinkRef,
  type SinkRow,
  type SinkStats,
  type SinkStatsChange,
} from '../../core/sink.js';
import type { SinkStore } from '../contract.js';
import { inTransaction } from './transaction.js';
import {
  DEAD_LETTER_COLUMNS,
  deadLetterValues,
  SINK_COLUMNS,
  SINK_KEPT_COLUMNS,
  sinkValues,
  statsChangeValues,
  toDeadLetter,
  toSinkRow,
  toStats,
  type DeadLetterSelect,
  type SinkSelect,
} from '../sink-rows.js';

/** Dead letters per INSERT statement: six parameters each, well under PostgreSQL's 65,535. */
const DEAD_LETTERS_PER_INSERT = 1_000;

/** Sinks, dead letters and delivery statistics in PostgreSQL (the tables of migration "sinks"). */
export class PostgresSinkStore implements SinkStore {
  constructor(private readonly pool: Pool) {}

  async upsert(row: SinkRow): Promise<void> {
    const updates = SINK_COLUMNS.filter((c) => !SINK_KEPT_COLUMNS.includes(c))
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    await this.pool.query(
      `INSERT INTO sinks (${SINK_COLUMNS.join(', ')}) VALUES (${SINK_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (name) DO UPDATE SET ${updates}`,
      sinkValues(row, (b) => b),
    );
  }

  async list(): Promise<SinkRow[]> {
    return (await this.pool.query<SinkSelect>('SELECT * FROM sinks ORDER BY name COLLATE "C"')).rows.map(toSinkRow);
  }

  async get(name: string): Promise<SinkRow | null> {
    const { rows } = await this.pool.query<SinkSelect>('SELECT * FROM sinks WHERE name = $1', [name]);
    return rows[0] ? toSinkRow(rows[0]) : null;
  }

  async remove(name: string): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // The sink's row first: a routing pass recording a delivery through it (AlertStore.markChannelDelivered) holds
      // it FOR SHARE, so its row is written before this and deleted below, or it waits and finds the sink gone.
      const gone = ((await client.query('DELETE FROM sinks WHERE name = $1', [name])).rowCount ?? 0) > 0;
      await client.query('DELETE FROM cursors WHERE consumer = $1', [sinkConsumer(name)]);
      await client.query('DELETE FROM dead_letters WHERE sink = $1', [name]);
      await client.query('DELETE FROM sink_stats WHERE sink = $1', [name]);
      // As a channel: a sink added again later under this name is a new receiver, and takes due alerts anew.
      await client.query('DELETE FROM alert_deliveries WHERE channel = $1', [name]);
      await client.query('COMMIT');
      return gone;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * One statement, only while the sink of that identity exists (SinkStore.moveCursor): its row FOR SHARE, so a
   * removal waits for the cursor to be written, and deletes it, or this finds the sink gone (it deletes the sink's
   * row first).
   */
  async moveCursor(sink: SinkRef, position: string, at: number): Promise<boolean> {
    const moved = await this.pool.query(
      `INSERT INTO cursors (consumer, position, updated_at)
       SELECT $1, $2, $3::bigint FROM sinks WHERE name = $4 AND id = $5 FOR SHARE
       ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      [sinkConsumer(sink.name), position, at, sink.name, sink.id],
    );
    return (moved.rowCount ?? 0) > 0;
  }

  async addDeadLetters(sink: SinkRef, letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await inTransaction(this.pool, async (client) => {
      // Only while the sink exists (SinkStore.addDeadLetters): FOR SHARE, so a removal waits for these rows to be
      // written, and deletes them, or this finds the sink gone (it deletes the sink's row first).
      const found = await client.query('SELECT 1 FROM sinks WHERE name = $1 AND id = $2 FOR SHARE', [
        sink.name,
        sink.id,
      ]);
      if (!found.rowCount) return;
      // A statement takes at most 65,535 parameters: a refused batch of a large read (forward --batch) is more rows.
      for (let i = 0; i < letters.length; i += DEAD_LETTERS_PER_INSERT) {
        const part = letters.slice(i, i + DEAD_LETTERS_PER_INSERT);
        const cols = DEAD_LETTER_COLUMNS.length;
        const marks = part
          .map((_, r) => `(${DEAD_LETTER_COLUMNS.map((__, j) => `$${r * cols + j + 1}`).join(', ')})`)
          .join(', ');
        await client.query(
          `INSERT INTO dead_letters (${DEAD_LETTER_COLUMNS.join(', ')}) VALUES ${marks}`,
          part.flatMap((d) => deadLetterValues({ ...d, sink: sink.name })),
        );
      }
    });
  }

  async deadLetters(sink: string, options: { limit?: number } = {}): Promise<DeadLetter[]> {
    const { rows } = await this.pool.query<DeadLetterSelect>(
      'SELECT * FROM dead_letters WHERE sink = $1 ORDER BY seq DESC LIMIT $2',
      [sink, options.limit ?? null],
    );
    return rows.map(toDeadLetter);
  }

  async countDeadLetters(sink: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM dead_letters WHERE sink = $1', [
      sink,
    ]);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * One statement: ON CONFLICT DO UPDATE locks the row and applies the change to its latest version, so two
   * writers (connections, processes) never lose each other's counts. The body is JSON text (no migration). Only while
   * the sink exists: its row FOR SHARE, so a removal waits for this, or this finds the sink gone.
   */
  async addStats(sink: SinkRef, change: SinkStatsChange): Promise<void> {
    const v = statsChangeValues(sink, change);
    await this.pool.query(
      `INSERT INTO sink_stats (sink, body, updated_at)
       SELECT name, $2::text, $3::bigint FROM sinks WHERE name = $1 AND id = $11 FOR SHARE
       ON CONFLICT (sink) DO UPDATE SET updated_at = excluded.updated_at, body = (
         SELECT (o || jsonb_build_object(
           'delivered', coalesce((o->>'delivered')::bigint, 0) + $4::bigint,
           'resent', coalesce((o->>'resent')::bigint, 0) + $5::bigint,
           'throughput', coalesce(to_jsonb($6::float8), o->'throughput'),
           'lastDeliveryAt', CASE WHEN $7::bigint IS NULL THEN o->'lastDeliveryAt'
             ELSE to_jsonb(GREATEST((o->>'lastDeliveryAt')::bigint, $7::bigint)) END,
           'lastError', CASE WHEN $9::bigint >= coalesce((o->>'lastErrorAt')::bigint, $9::bigint)
             THEN to_jsonb($8::text) ELSE o->'lastError' END,
           'lastErrorAt', CASE WHEN $9::bigint >= coalesce((o->>'lastErrorAt')::bigint, $9::bigint)
             THEN to_jsonb($9::bigint) ELSE o->'lastErrorAt' END,
           'owner', coalesce(to_jsonb($10::text), o->'owner'),
           'updatedAt', $3::bigint))::text
         FROM (SELECT sink_stats.body::jsonb AS o) AS stored)`,
      [
        v.sink,
        v.first,
        v.at,
        v.delivered,
        v.resent,
        v.throughput,
        v.lastDeliveryAt,
        v.lastError,
        v.lastErrorAt,
        v.owner,
        v.sinkId,
      ],
    );
  }

  async stats(sink: string): Promise<SinkStats | null> {
    const { rows } = await this.pool.query<{ body: string }>('SELECT body FROM sink_stats WHERE sink = $1', [sink]);
    return rows[0] ? toStats(rows[0].body) : null;
  }
}
