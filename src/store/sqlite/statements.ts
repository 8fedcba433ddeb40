import type { Database, Statement } from 'better-sqlite3';

/**
 * Prepared statements by SQL text, the least recently used dropped beyond `size`: a statement run many
 * times with other values (a report's slices, a live pass's hits, a tail filter) is compiled once.
 * `raw`: rows come back as arrays (the row readers of columns.ts).
 */
export class StatementCache {
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly options: { raw?: boolean; size?: number } = {},
  ) {}

  get(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement) this.statements.delete(sql);
    else {
      statement = this.db.prepare(sql);
      if (this.options.raw) statement.raw(true);
      if (this.statements.size >= (this.options.size ?? 64))
        this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, statement);
    return statement;
  }
}
