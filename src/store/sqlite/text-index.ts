import type { Database } from 'better-sqlite3';

/** Beyond this many vocabulary words the term is too common for the index to help: scan instead. */
const MAX_WORDS = 2_000;
const MIN_RUN = 3;

/**
 * The optional free-text index (records.optimize({ textIndex: true })). Free text means substrings
 * (core/search-query.ts), which a word index cannot answer directly, and the FTS5 trigram tokenizer
 * that can costs ~280 CPU-seconds per million records to build (measured here). So:
 * - `records_words`: FTS5 over raw with the unicode61 (word) tokenizer, detail=none (~15 s per million);
 * - `records_terms`: its vocabulary (one row per distinct word, from fts5vocab) under a trigram index,
 *   which is cheap here because words are short (~8 s per million records).
 * A term's longest ASCII letter/digit run lies inside one word of any record containing the term, so
 * the rows holding a vocabulary word that contains that run (a trigram LIKE on the vocabulary) are a
 * superset of the matches; the exact test in compile.ts decides. Rows stored after the build (seq
 * above `upto`) are simply scanned, so inserts pay nothing; optimize() again folds them in.
 */
export class SqliteTextIndex {
  private state: { upto: number } | null | undefined;

  constructor(private readonly db: Database) {}

  /** The highest record seq the index covers, or null when there is no index. */
  coveredUpTo(): number | null {
    if (this.state === undefined) {
      const value = this.db.prepare("SELECT value FROM store_meta WHERE key = 'text_index_upto'").pluck().get() as
        string | undefined;
      this.state = value === undefined ? null : { upto: Number(value) };
    }
    return this.state?.upto ?? null;
  }

  /** Vocabulary words that may hold `term`, or null when the index cannot narrow it (then: scan). */
  words(term: string): string[] | null {
    if (this.coveredUpTo() === null) return null;
    const runs = term.toLowerCase().match(/[a-z0-9]+/g) ?? [];
    const run = runs.reduce((a, b) => (b.length > a.length ? b : a), '');
    if (run.length < MIN_RUN) return null;
    const words = this.db
      .prepare('SELECT term FROM records_terms WHERE term LIKE ? LIMIT ?')
      .pluck()
      .all(`%${run}%`, MAX_WORDS + 1) as string[];
    return words.length > MAX_WORDS ? null : words;
  }

  /** Builds (or rebuilds) the index over every stored record. */
  build(): void {
    this.db.transaction(() => {
      this.dropTables();
      this.db.exec(`
        CREATE VIRTUAL TABLE records_words USING fts5(raw, content='records', content_rowid='seq', detail='none', tokenize='unicode61 remove_diacritics 0');
        INSERT INTO records_words (records_words) VALUES ('rebuild');
        CREATE VIRTUAL TABLE temp.records_words_vocab USING fts5vocab(main, records_words, 'row');
        CREATE VIRTUAL TABLE records_terms USING fts5(term, tokenize='trigram');
        INSERT INTO records_terms (term) SELECT term FROM records_words_vocab;
        DROP TABLE temp.records_words_vocab;`);
      const upto = (this.db.prepare('SELECT max(seq) FROM records').pluck().get() as number | null) ?? 0;
      this.db
        .prepare(
          "INSERT INTO store_meta (key, value) VALUES ('text_index_upto', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .run(String(upto));
    })();
    this.state = undefined;
  }

  /**
   * Takes records about to be deleted (by seq) out of the word index. records_words is an external-content
   * FTS5 table: it must be told the old text of each row it indexed, or its postings would point at rows
   * that are gone (or, after the seq floor, at nothing). Call inside the deleting transaction, before the
   * delete. The vocabulary (records_terms) may keep words no record holds any more: it only narrows a
   * search to candidates, which the exact test then decides.
   */
  forget(seqs: readonly number[]): void {
    const upto = this.coveredUpTo();
    if (upto === null || seqs.length === 0) return;
    const remove = this.db.prepare(
      "INSERT INTO records_words (records_words, rowid, raw) SELECT 'delete', seq, raw FROM records WHERE seq = ?",
    );
    for (const seq of seqs) if (seq <= upto) remove.run(seq);
  }

  /** Removes the index; searches stay correct, scanning instead. */
  drop(): void {
    this.db.transaction(() => {
      this.dropTables();
      this.db.exec("DELETE FROM store_meta WHERE key = 'text_index_upto'");
    })();
    this.state = undefined;
  }

  private dropTables(): void {
    this.db.exec('DROP TABLE IF EXISTS records_words; DROP TABLE IF EXISTS records_terms;');
  }
}
