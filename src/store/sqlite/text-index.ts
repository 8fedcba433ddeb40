import { availableParallelism } from 'node:os';
import type { Database, Statement } from 'better-sqlite3';
import { startModuleWorker } from '../../runtime/worker.js';
import {
  MAX_NEED_WORDS,
  stopWords,
  textWords,
  vocabularyPattern,
  wordMeets,
  wordNeeds,
  WordSet,
} from '../text-words.js';

/** A stored row as the index reads it: seq, raw, object id. */
export type TextRow = readonly [seq: number, raw: string, objectId: string | null];

/** The two substring-searched columns and the FTS5 table posting each one's words. */
const POSTINGS = { raw: 'text_raw', object_id: 'text_object' } as const;
/** Stop-word flags (store_meta text_index_stops): a word too common to post, per column. */
export const STOP_BIT = { raw: 1, object_id: 2 } as const;
export type TextColumn = keyof typeof POSTINGS;

/** The highest record seq the index covers (every row up to it is posted); absent: no index. */
const COVERED_KEY = 'text_index_seq';
/** The stop words chosen when the index was created, as JSON [word, flags] pairs. */
const STOPS_KEY = 'text_index_stops';
/** Rows posted per transaction while building: short enough that other writers never wait long (bulk.ts: 1 s). */
const BUILD_BATCH = 5_000;

/**
 * What one of the build's word threads is given (text-words-worker.ts): the seqs (after, until] cut in
 * ranges of `batch` seqs, the k-th range (after + k·batch, after + (k+1)·batch] being thread k mod `lanes`'s.
 */
export interface WordsRequest {
  path: string;
  after: number;
  until: number;
  batch: number;
  lanes: number;
  lane: number;
  /** Batches it may send before the first is acknowledged. */
  ahead: number;
  /** The stop words with their column bits (STOP_BIT). */
  stops: [string, number][];
}

/** One range of a word thread, its rows in seq order: [seq, raw's words, object id's words] ('' for none). */
export interface WordsBatch {
  range: number;
  rows: [number, string, string][];
}
/** Rows sampled (the newest) to choose the stop words; fewer than STOP_MIN_SAMPLE: no stop words. */
const STOP_SAMPLE = 20_000;
const STOP_MIN_SAMPLE = 1_000;
/** Object-id words are stop words only above this share of the sample (raw's: stopWords' 5%). */
const OBJECT_STOP_SHARE = 0.3;

/**
 * The substring indexes (docs/adr/0033-substring-indexes.md): the words of raw and of object ids
 * (store/text-words.ts) posted in two contentless FTS5 tables (`detail=none`: rowids only, about a
 * byte per word and record), their vocabulary in `text_vocab` under a trigram index for the words a
 * run is part of. Optional: built by records.optimize({ textIndex: true }), then kept as records
 * arrive (added(), called by the insert path in the same transaction) and as they are deleted (a
 * trigger). Rows above the covered seq (an index being built, or rows another writer stored while it
 * was) are scanned, so a search is correct whatever the index's state.
 */
export class SqliteTextIndex {
  /** From this many rows to post, a build cuts words on a thread of its own (starting one costs ~0.3 s); tests lower it. */
  static parallelFromRows = 50_000;
  /** Word threads at most (fewer on fewer cores). */
  static wordThreads = 2;
  private readonly coveredStatement: Statement;
  /** Whether any record lies between the covered seq and a new batch (then the batch waits for build()). */
  private readonly rowBetween: Statement;
  private stopCache: { json: string; words: Map<string, number>; sets: Record<TextColumn, WordSet> } | null = null;

  constructor(private readonly db: Database) {
    this.coveredStatement = db.prepare(`SELECT value FROM store_meta WHERE key = '${COVERED_KEY}'`).pluck();
    this.rowBetween = db.prepare('SELECT 1 FROM records WHERE seq > ? AND seq < ? LIMIT 1');
  }

  /** The highest record seq the index covers, or null when there is no index. Read afresh: another process may build or drop it. */
  coveredUpTo(): number | null {
    const value = this.coveredStatement.get() as string | undefined;
    return value === undefined ? null : Number(value);
  }

  /**
   * An FTS5 MATCH expression whose rows are a superset of the indexed rows where `column` contains any
   * of `terms`; '' when no indexed row can; null when the index cannot narrow them (then: scan).
   */
  matchExpression(column: TextColumn, terms: readonly string[]): string | null {
    const stop = this.stops().words;
    const alternatives: string[] = [];
    for (const term of terms) {
      const groups: string[] = [];
      let impossible = false;
      for (const need of wordNeeds(term)) {
        // A stop word is not posted for this column: a need it could meet cannot narrow.
        if ([...stop].some(([w, bits]) => (bits & STOP_BIT[column]) !== 0 && wordMeets(w, need))) continue;
        const words = this.vocabulary(vocabularyPattern(need))?.filter((w) => wordMeets(w, need));
        if (words === undefined) continue;
        if (words.length === 0) impossible = true;
        else groups.push(`(${words.map((w) => `"${w}"`).join(' OR ')})`);
      }
      if (impossible) continue;
      if (groups.length === 0) return null;
      alternatives.push(groups.join(' AND '));
    }
    return alternatives.map((a) => `(${a})`).join(' OR ');
  }

  /** The FTS5 table posting a column's words. */
  postings(column: TextColumn): string {
    return POSTINGS[column];
  }

  /**
   * The insert path's one call (sqlite/records.ts insertAll), inside its write transaction: posts the
   * new rows when the index covers every row before them, so it stays whole as records arrive. While
   * it does not (being built), the rows stay above the covered seq and are scanned until optimize()
   * catches up.
   */
  added(rows: readonly TextRow[]): void {
    if (rows.length === 0) return;
    const upto = this.coveredUpTo();
    if (upto === null) return;
    const gap = this.rowBetween.get(upto, rows[0]![0]);
    if (gap !== undefined) return;
    this.post(rows);
    this.setCovered(rows[rows.length - 1]![0]);
  }

  /**
   * Creates the index when missing (choosing stop words from the newest rows), then posts every row
   * above the covered seq, a batch per transaction, so other writers go on meanwhile.
   */
  async build(): Promise<void> {
    if (this.coveredUpTo() === null) this.create();
    const from = this.coveredUpTo() ?? 0;
    const behind = this.db.prepare('SELECT count(*) FROM (SELECT 1 FROM records WHERE seq > ? LIMIT ?)').pluck();
    const parallelFrom = SqliteTextIndex.parallelFromRows;
    if (!this.db.memory && (behind.get(from, parallelFrom) as number) >= parallelFrom) await this.buildInParallel(from);
    // Here (or after the threads: the rows stored meanwhile) one batch per transaction.
    const read = this.db
      .prepare('SELECT seq, raw, object_id FROM records WHERE seq > ? ORDER BY seq LIMIT ?')
      .raw(true);
    const batch = this.db.transaction((): boolean => {
      const rows = read.all(this.coveredUpTo() ?? 0, BUILD_BATCH) as TextRow[];
      if (rows.length === 0) return false;
      this.post(rows);
      this.setCovered(rows[rows.length - 1]![0]);
      return true;
    });
    while (batch.immediate());
  }

  /**
   * A large build: word threads (one per core) read the rows and cut their words (most of the build's time),
   * each its share of the seq ranges; this thread posts the ranges in order, one per transaction as before,
   * so the covered seq only grows. Rows the insert path posted meanwhile (it does once the index covers
   * everything before them) are at or below the covered seq by then: skipped here.
   */
  private async buildInParallel(from: number): Promise<void> {
    const until = (this.db.prepare('SELECT max(seq) FROM records').pluck().get() as number | null) ?? from;
    const ranges = Math.ceil((until - from) / BUILD_BATCH);
    if (ranges <= 0) return;
    const lanes = Math.max(1, Math.min(SqliteTextIndex.wordThreads, availableParallelism(), ranges));
    const stops = [...this.stops().words];
    const workers = Array.from({ length: lanes }, (_, lane) => {
      const request: WordsRequest = {
        path: this.db.name,
        after: from,
        until,
        batch: BUILD_BATCH,
        lanes,
        lane,
        ahead: 2,
        stops,
      };
      return startModuleWorker(import.meta.url, './text-words-worker.js', { workerData: request });
    });
    const post = this.db.transaction((rows: WordsBatch['rows']): void => {
      const covered = this.coveredUpTo() ?? 0;
      const fresh = rows.filter(([seq]) => seq > covered);
      if (fresh.length === 0) return;
      this.postWords(fresh);
      this.setCovered(fresh[fresh.length - 1]![0]);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const waiting = new Map<number, WordsBatch['rows']>();
        let next = 0;
        for (const worker of workers) {
          worker.on('message', (batch: WordsBatch) => {
            waiting.set(batch.range, batch.rows);
            try {
              for (let rows = waiting.get(next); rows !== undefined; rows = waiting.get(next)) {
                waiting.delete(next);
                post.immediate(rows);
                workers[next % lanes]!.postMessage('more');
                if (++next === ranges) return resolve();
              }
            } catch (e) {
              reject(e instanceof Error ? e : new Error(String(e)));
            }
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (next < ranges) reject(new Error(`a word thread of the substring index stopped (exit ${code})`));
          });
        }
      });
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }

  /** Removes the index; searches stay correct, scanning instead. */
  drop(): void {
    this.db.transaction(() => {
      this.dropTables();
      this.db.prepare(`DELETE FROM store_meta WHERE key IN ('${COVERED_KEY}', '${STOPS_KEY}')`).run();
    })();
    this.stopCache = null;
  }

  private create(): void {
    this.db.transaction(() => {
      this.dropTables();
      const sample = this.db
        .prepare('SELECT raw, object_id FROM records ORDER BY seq DESC LIMIT ?')
        .raw(true)
        .all(STOP_SAMPLE) as [string, string | null][];
      const enough = sample.length >= STOP_MIN_SAMPLE;
      const stops = {
        raw: enough ? stopWords(sample.map((r) => r[0])) : new Set<string>(),
        // Object ids have few words, so posting more of them costs little and narrows more (a site and a file name).
        object_id: enough
          ? stopWords(
              sample.map((r) => r[1]),
              OBJECT_STOP_SHARE,
            )
          : new Set<string>(),
      };
      this.db.exec(`
        CREATE VIRTUAL TABLE text_raw USING fts5(words, content='', contentless_delete=1, detail=none, tokenize='ascii');
        CREATE VIRTUAL TABLE text_object USING fts5(words, content='', contentless_delete=1, detail=none, tokenize='ascii');
        CREATE TABLE text_vocab (id INTEGER PRIMARY KEY, word TEXT NOT NULL UNIQUE);
        CREATE VIRTUAL TABLE text_vocab_grams USING fts5(word, content='text_vocab', content_rowid='id', tokenize='trigram', detail=none);
        CREATE TRIGGER text_forget AFTER DELETE ON records BEGIN
          DELETE FROM text_raw WHERE rowid = OLD.seq;
          DELETE FROM text_object WHERE rowid = OLD.seq;
        END;`);
      const stop = new Map<string, number>();
      for (const column of ['raw', 'object_id'] as const)
        for (const w of stops[column]) stop.set(w, (stop.get(w) ?? 0) | STOP_BIT[column]);
      this.setMeta(STOPS_KEY, JSON.stringify([...stop]));
      this.setMeta(COVERED_KEY, '0');
    })();
    this.stopCache = null;
  }

  /** Posts rows' words (stop words left out) and adds the words new to the vocabulary. */
  private post(rows: readonly TextRow[]): void {
    const { sets } = this.stops();
    this.postWords(
      rows.map(([seq, raw, objectId]) => [
        seq,
        textWords(raw, sets.raw).join(' '),
        textWords(objectId, sets.object_id).join(' '),
      ]),
    );
  }

  /** Posts rows' words, cut already (space-separated, '' for none), and adds the new ones to the vocabulary. */
  private postWords(rows: WordsBatch['rows']): void {
    const postRaw = this.db.prepare('INSERT INTO text_raw (rowid, words) VALUES (?, ?)');
    const postObject = this.db.prepare('INSERT INTO text_object (rowid, words) VALUES (?, ?)');
    const seen = new Set<string>();
    for (const [seq, raw, objectId] of rows) {
      for (const [words, statement] of [
        [raw, postRaw],
        [objectId, postObject],
      ] as const) {
        if (words === '') continue;
        statement.run(seq, words);
        for (const w of words.split(' ')) seen.add(w);
      }
    }
    const insert = this.db.prepare('INSERT OR IGNORE INTO text_vocab (word) VALUES (?)');
    const gram = this.db.prepare('INSERT INTO text_vocab_grams (rowid, word) VALUES (?, ?)');
    for (const w of seen) {
      const result = insert.run(w);
      if (result.changes === 1) gram.run(result.lastInsertRowid, w);
    }
  }

  /**
   * Posted words matching a LIKE pattern (the trigram index finds them), or null when there are too many.
   */
  private vocabulary(pattern: string): string[] | null {
    const sql = pattern.includes('%')
      ? 'SELECT word FROM text_vocab WHERE id IN (SELECT rowid FROM text_vocab_grams WHERE word LIKE ?) LIMIT ?'
      : 'SELECT word FROM text_vocab WHERE word = ? LIMIT ?';
    const words = this.db
      .prepare(sql)
      .pluck()
      .all(pattern, MAX_NEED_WORDS + 1) as string[];
    return words.length > MAX_NEED_WORDS ? null : words;
  }

  /** The stop words chosen at creation with their column flags (re-read when another process re-created the index). */
  private stops(): NonNullable<SqliteTextIndex['stopCache']> {
    const json =
      (this.db.prepare(`SELECT value FROM store_meta WHERE key = '${STOPS_KEY}'`).pluck().get() as
        string | undefined) ?? '[]';
    if (this.stopCache?.json !== json) {
      const words = new Map(JSON.parse(json) as [string, number][]);
      const set = (column: TextColumn): WordSet =>
        new WordSet([...words].filter(([, bits]) => (bits & STOP_BIT[column]) !== 0).map(([w]) => w));
      this.stopCache = { json, words, sets: { raw: set('raw'), object_id: set('object_id') } };
    }
    return this.stopCache;
  }

  private setCovered(seq: number): void {
    this.setMeta(COVERED_KEY, String(seq));
  }

  private setMeta(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  private dropTables(): void {
    this.db.exec(`DROP TRIGGER IF EXISTS text_forget; DROP TABLE IF EXISTS text_raw; DROP TABLE IF EXISTS text_object;
      DROP TABLE IF EXISTS text_vocab_grams; DROP TABLE IF EXISTS text_vocab;`);
  }
}
