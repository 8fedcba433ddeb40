import type { Database } from 'better-sqlite3';
import {
  sinkConsumer,
  type DeadLetter,
  type SinkRef,
  type SinkRow,
  type SinkStats,
  type SinkStatsChange,
} from '../../core/sink.js';
import type { SinkStore } from '../contract.js';
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

/** Sinks, dead letters and delivery statistics in SQLite (the tables of migration "sinks"). */
export class SqliteSinkStore implements SinkStore {
  constructor(private readonly db: Database) {}

  async upsert(row: SinkRow): Promise<void> {
    const updates = SINK_COLUMNS.filter((c) => !SINK_KEPT_COLUMNS.includes(c))
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    this.db
      .prepare(
        `INSERT INTO sinks (${SINK_COLUMNS.join(', ')}) VALUES (${SINK_COLUMNS.map(() => '?').join(', ')})
         ON CONFLICT (name) DO UPDATE SET ${updates}`,
      )
      .run(sinkValues(row, (b) => (b ? 1 : 0)));
  }

  async list(): Promise<SinkRow[]> {
    return (this.db.prepare('SELECT * FROM sinks ORDER BY name').all() as SinkSelect[]).map(toSinkRow);
  }

  async get(name: string): Promise<SinkRow | null> {
    const row = this.db.prepare('SELECT * FROM sinks WHERE name = ?').get(name) as SinkSelect | undefined;
    return row ? toSinkRow(row) : null;
  }

  async remove(name: string): Promise<boolean> {
    return this.db.transaction(() => {
      // In the order of PostgreSQL's (its comment says why); here the write lock alone keeps them apart.
      const gone = this.db.prepare('DELETE FROM sinks WHERE name = ?').run(name).changes > 0;
      this.db.prepare('DELETE FROM cursors WHERE consumer = ?').run(sinkConsumer(name));
      this.db.prepare('DELETE FROM dead_letters WHERE sink = ?').run(name);
      this.db.prepare('DELETE FROM sink_stats WHERE sink = ?').run(name);
      // As a channel: a sink added again later under this name is a new receiver, and takes due alerts anew.
      this.db.prepare('DELETE FROM alert_deliveries WHERE channel = ?').run(name);
      return gone;
    })();
  }

  /** One statement: the cursor is written only while the sink of that identity exists (SinkStore.moveCursor). */
  async moveCursor(sink: SinkRef, position: string, at: number): Promise<boolean> {
    const moved = this.db
      .prepare(
        `INSERT INTO cursors (consumer, position, updated_at)
         SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM sinks WHERE name = ? AND id = ?)
         ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      )
      .run(sinkConsumer(sink.name), position, at, sink.name, sink.id);
    return moved.changes > 0;
  }

  async addDeadLetters(sink: SinkRef, letters: readonly DeadLetter[]): Promise<void> {
    // Each row only while the sink exists, in the statement that writes it (SinkStore.addDeadLetters).
    const insert = this.db.prepare(
      `INSERT INTO dead_letters (${DEAD_LETTER_COLUMNS.join(', ')}) SELECT ${DEAD_LETTER_COLUMNS.map(() => '?').join(', ')}
       WHERE EXISTS (SELECT 1 FROM sinks WHERE name = ? AND id = ?)`,
    );
    this.db.transaction(() => {
      for (const d of letters) insert.run(...deadLetterValues({ ...d, sink: sink.name }), sink.name, sink.id);
    })();
  }

  async deadLetters(sink: string, options: { limit?: number } = {}): Promise<DeadLetter[]> {
    const rows = this.db
      .prepare('SELECT * FROM dead_letters WHERE sink = ? ORDER BY seq DESC LIMIT ?')
      .all(sink, options.limit ?? -1) as DeadLetterSelect[];
    return rows.map(toDeadLetter);
  }

  async countDeadLetters(sink: string): Promise<number> {
    return this.db.prepare('SELECT count(*) FROM dead_letters WHERE sink = ?').pluck().get(sink) as number;
  }

  /**
   * One statement, so atomic across connections and processes: the change applies to the row as stored, and only
   * while the sink exists (SinkStore.addStats).
   */
  async addStats(sink: SinkRef, change: SinkStatsChange): Promise<void> {
    const cur = (path: string): string => `json_extract(sink_stats.body, '$.${path}')`;
    this.db
      .prepare(
        `INSERT INTO sink_stats (sink, body, updated_at)
         SELECT @sink, @first, @at WHERE EXISTS (SELECT 1 FROM sinks WHERE name = @sink AND id = @sinkId)
         ON CONFLICT (sink) DO UPDATE SET updated_at = excluded.updated_at, body = json_set(sink_stats.body,
           '$.delivered', coalesce(${cur('delivered')}, 0) + @delivered,
           '$.resent', coalesce(${cur('resent')}, 0) + @resent,
           '$.throughput', coalesce(@throughput, ${cur('throughput')}),
           '$.lastDeliveryAt', CASE WHEN @lastDeliveryAt IS NULL THEN ${cur('lastDeliveryAt')}
             ELSE max(coalesce(${cur('lastDeliveryAt')}, @lastDeliveryAt), @lastDeliveryAt) END,
           '$.lastError', CASE WHEN @lastErrorAt >= coalesce(${cur('lastErrorAt')}, @lastErrorAt)
             THEN @lastError ELSE ${cur('lastError')} END,
           '$.lastErrorAt', CASE WHEN @lastErrorAt >= coalesce(${cur('lastErrorAt')}, @lastErrorAt)
             THEN @lastErrorAt ELSE ${cur('lastErrorAt')} END,
           '$.owner', coalesce(@owner, ${cur('owner')}),
           '$.updatedAt', @at)`,
      )
      .run(statsChangeValues(sink, change));
  }

  async stats(sink: string): Promise<SinkStats | null> {
    const body = this.db.prepare('SELECT body FROM sink_stats WHERE sink = ?').pluck().get(sink) as string | undefined;
    return body === undefined ? null : toStats(body);
  }
}
