import type { Database } from 'better-sqlite3';

/**
 * The optional free-text index: an FTS5 table with the trigram tokenizer over `records.raw`
 * (external content, so raw is not stored twice; detail=none, the smallest form). Trigrams give
 * substring semantics, so a MATCH narrows the rows and the exact case-insensitive test (compile.ts)
 * still decides: the answer is the same with or without the index, only faster.
 *
 * Off by default because it costs: about 30–45 s and 250+ MB per million records to build, and about
 * a third more time per inserted row once it exists (triggers keep it current). `build()` is what
 * `records.optimize({ textIndex: true })` runs after a large import.
 */
export class SqliteTextIndex {
  private cached: boolean | null = null;

  constructor(private readonly db: Database) {}

  ready(): boolean {
    this.cached ??= this.db.prepare("SELECT 1 FROM store_meta WHERE key = 'text_index' AND value = 'ready'").get() !== undefined;
    return this.cached;
  }

  /** Builds (or rebuilds) the index over every stored record and keeps it current from then on. */
  build(): void {
    this.db.transaction(() => {
      this.db.exec(`
        DROP TRIGGER IF EXISTS records_text_insert;
        DROP TRIGGER IF EXISTS records_text_delete;
        DROP TABLE IF EXISTS records_text;
        CREATE VIRTUAL TABLE records_text USING fts5(raw, content='records', content_rowid='seq', tokenize='trigram', detail='none');
        INSERT INTO records_text (records_text) VALUES ('rebuild');
        CREATE TRIGGER records_text_insert AFTER INSERT ON records BEGIN
          INSERT INTO records_text (rowid, raw) VALUES (new.seq, new.raw);
        END;
        CREATE TRIGGER records_text_delete AFTER DELETE ON records BEGIN
          INSERT INTO records_text (records_text, rowid, raw) VALUES ('delete', old.seq, old.raw);
        END;
        INSERT INTO store_meta (key, value) VALUES ('text_index', 'ready') ON CONFLICT (key) DO UPDATE SET value = 'ready';`);
    })();
    this.cached = true;
  }

  /** Removes the index (imports run faster without it; searches stay correct, scanning instead). */
  drop(): void {
    this.db.exec(`
      DROP TRIGGER IF EXISTS records_text_insert;
      DROP TRIGGER IF EXISTS records_text_delete;
      DROP TABLE IF EXISTS records_text;
      DELETE FROM store_meta WHERE key = 'text_index';`);
    this.cached = false;
  }
}
