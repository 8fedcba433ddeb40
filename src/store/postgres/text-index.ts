/**
 * The substring index of PostgreSQL (docs/adr/0036-postgres-substring-index.md), the counterpart of SQLite's
 * (sqlite/text-index.ts, ADR 0033) with the same words (store/text-words.ts): per record, the words of raw and
 * of object_id that narrow (no hexadecimal runs, no stop words), kept in `record_words` as arrays of their
 * 32-bit hashes (wordHash) under GIN indexes, and every posted word once in the vocabulary `text_vocab` (word,
 * hash) under a pg_trgm index. A need of a term (wordNeeds) is the hashes of the vocabulary's words that meet it
 * (the word itself, or a LIKE: 'run%' a word's start, '%run' its end, '%run%' inside one), and a record is a
 * candidate when its array shares one of them. Two words sharing a hash only widen the candidates: the exact
 * test on raw still decides (ADR 0003).
 *
 * Optional: optimize({ textIndex: true }) creates it (store_meta `text_index`: stop words, whether it is
 * ready) and posts every stored row; from the moment it exists every writer posts its own rows in its own
 * transaction (insertWith → added). Searches use it only once it is ready, i.e. when every row is posted:
 * - writers read the index's state after they took the tail's writer lock (so after their insert), and hold a
 *   KEY SHARE lock on it to commit: a drop waits for them, so no writer posts words after a drop;
 * - the build first waits for every writer that was running when the index was created (WRITERS_ENDED):
 *   those may not have seen it. Every later writer posts. It then posts every row below the tail's horizon, in
 *   (xid, seq) order, a batch per transaction, its progress in store_meta `text_index_walked` (a build stopped
 *   half way resumes); rows above the horizon belong to writers that post them.
 * A search looks up the hashes of the words meeting its terms first (lookUp), then reads the state and those
 * words again after its query, and runs again if the index was dropped or re-created, or a word meeting a term
 * was first stored, meanwhile (records.ts withText): a drop never leaves a search without rows, and a new word
 * never hides the record that brought it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { TimeRange } from '../../core/time.js';
import type { SearchQuery } from '../../core/search-query.js';
import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { isAscii } from 'node:buffer';
import { to as copyTo } from 'pg-copy-streams';
import type { Pool, PoolClient } from 'pg';
import { startModuleWorker } from '../../runtime/worker.js';
import { AppError } from '../../core/errors.js';
import {
  asciiWords,
  MAX_NEED_WORDS,
  wordHash,
  stopWords,
  textWords,
  vocabularyPattern,
  wordMeets,
  wordNeeds,
  WordSet,
  type WordNeed,
} from '../text-words.js';
import { monthsOf, monthSuffix, wordsPartition, type Month } from './partitions.js';
import { quoteIdent } from './schema.js';
import { WRITERS_ENDED } from './tail.js';
import { inTransaction } from './transaction.js';

const META_KEY = 'text_index';
const WALKED_KEY = 'text_index_walked';
/** Stop-word flags per column, as SQLite keeps them (a word too common to post). */
const STOP_BIT = { raw: 1, object_id: 2 } as const;
type TextColumn = keyof typeof STOP_BIT;
const WORDS_COLUMN = { raw: 'raw_words', object_id: 'object_words' } as const;
/** The GIN index over each column of record_words (a month's is named after it: record_words_raw_y2026m11). */
const WORDS_INDEX = { raw: 'record_words_raw', object_id: 'record_words_object' } as const;
/** Rows sampled (the newest) to choose the stop words; fewer than STOP_MIN_SAMPLE: no stop words. */
const STOP_SAMPLE = 20_000;
const STOP_MIN_SAMPLE = 1_000;
/** Object-id words are stop words only above this share of the sample (raw's: stopWords' 5%), as in SQLite. */
const OBJECT_STOP_SHARE = 0.3;
/** Word threads of a build (text-words-worker.ts), at most one per core. */
const CUT_THREADS = 2;
/** Rows posted per transaction while building. */
const BUILD_BATCH = 5_000;
/** The advisory lock one build holds (build()): the class after tail.ts's writers', the key the schema's hash. */
const BUILD_LOCK = `29816, hashtext(current_schema())`;
/** How often a build waiting for another one asks for the lock again. */
const BUILD_LOCK_RETRY_MS = 250;

interface Meta {
  gen: string;
  ready: boolean;
  stops: [string, number][];
}

/** A row as the index reads it. */
export interface WordsRow {
  creationTime: number | string;
  seq: number | string;
  raw: string;
  objectId: string | null;
}

/** The index as it stands: its stop words and whether it answers searches. */
export class TextIndexState {
  readonly ready: boolean;
  readonly gen: string;
  private readonly stops: [string, number][];
  private readonly sets: Record<TextColumn, WordSet>;

  constructor(readonly json: string) {
    const meta = JSON.parse(json) as Meta;
    this.ready = meta.ready;
    this.gen = meta.gen;
    this.stops = meta.stops;
    const set = (column: TextColumn): WordSet =>
      new WordSet(this.stops.filter(([, bits]) => (bits & STOP_BIT[column]) !== 0).map(([w]) => w));
    this.sets = { raw: set('raw'), object_id: set('object_id') };
  }

  /** A need that a stop word (not posted) could meet cannot narrow this column. */
  stopMeets(column: TextColumn, need: WordNeed): boolean {
    return this.stops.some(([w, bits]) => (bits & STOP_BIT[column]) !== 0 && wordMeets(w, need));
  }

  /**
   * The words a column's text posts: their hashes as an array literal ('{h1,h2}', record_words' column), each
   * word added to `vocabulary`; null when it posts none.
   */
  words(column: TextColumn, text: string | null, vocabulary: NewWords): string | null {
    const hashes: number[] = [];
    return posted(textWords(text, this.sets[column], hashes), hashes, vocabulary);
  }

  /**
   * words() of a field as COPY's text format sent it, bytes [start, end) of a batch: `\N` is null; ASCII without
   * a backslash (nearly every raw text) is cut from the bytes themselves; anything else is read as text first.
   */
  copiedWords(column: TextColumn, bytes: Buffer, start: number, end: number, vocabulary: NewWords): string | null {
    if (end - start === 2 && bytes[start] === BACKSLASH && bytes[start + 1] === 0x4e) return null;
    const field = bytes.subarray(start, end);
    if (field.indexOf(BACKSLASH) !== -1 || !isAscii(field)) return this.words(column, copiedText(field), vocabulary);
    const hashes: number[] = [];
    return posted(asciiWords(bytes, start, end, this.sets[column], hashes), hashes, vocabulary);
  }
}

/**
 * The longest word the vocabulary keeps. Its key is the word, and a btree entry holds at most about 2,700 bytes: a
 * record with a longer run of letters and digits (a pasted blob in an ObjectId) failed every insert once the index
 * existed. A longer word is posted as LONG_WORD instead, which every need's lookup includes (WordLookup.hashes):
 * such records are always candidates, and the exact test on raw decides, as for any candidate.
 */
export const MAX_VOCABULARY_WORD = 1_000;
/** What a record posts for each word longer than MAX_VOCABULARY_WORD (a word of [a-z0-9] never has a `~`). */
export const LONG_WORD_HASH = wordHash('~long word~');

/** Cut words as record_words takes them: their hashes as an array literal (null: none), each added to `vocabulary`. */
function posted(words: readonly string[], hashes: readonly number[], vocabulary: NewWords): string | null {
  if (words.length === 0) return null;
  let long = false;
  const out: number[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i]!.length > MAX_VOCABULARY_WORD) {
      if (!long) out.push(LONG_WORD_HASH);
      long = true;
      continue;
    }
    vocabulary.add(words[i]!, hashes[i]!);
    out.push(hashes[i]!);
  }
  return `{${out.join(',')}}`;
}

const BACKSLASH = 0x5c;
/** COPY's escapes in text format (\b \f \n \r \t \v, and \\ for a backslash): the byte each stands for. */
const COPY_ESCAPES: Record<number, number> = { 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9, 0x76: 11 };

/** A field of COPY's text format as the text it stands for. */
function copiedText(field: Buffer): string {
  if (field.indexOf(BACKSLASH) === -1) return field.toString('utf8');
  const out = Buffer.allocUnsafe(field.length);
  let n = 0;
  for (let i = 0; i < field.length; i++) {
    const c = field[i]!;
    if (c !== BACKSLASH || i + 1 === field.length) out[n++] = c;
    else {
      const next = field[++i]!;
      out[n++] = COPY_ESCAPES[next] ?? next;
    }
  }
  return out.toString('utf8', 0, n);
}

/** The words cut since the last take() that were not taken before, with their hashes: the vocabulary's additions. */
export class NewWords {
  private readonly known = new Set<string>();
  private fresh: [word: string, hash: number][] = [];

  add(word: string, hash: number): void {
    if (this.known.has(word)) return;
    this.known.add(word);
    this.fresh.push([word, hash]);
  }

  take(): [word: string, hash: number][] {
    const taken = this.fresh;
    this.fresh = [];
    return taken;
  }
}

/**
 * The index's state and, for each need of one search, the hashes of the vocabulary's words that meet it
 * (PostgresTextIndex.lookUp). Looked up before the search rather than inside it: a subquery's hashes are unknown
 * when PostgreSQL plans the statement, and at ten million records it took a rare word's 152 candidates for
 * 28,000 and counted them by reading every record of the period (17.7 s); given as a value, the hashes are
 * planned with the arrays' statistics.
 */
export class WordLookup {
  constructor(
    readonly state: TextIndexState,
    /** Per need, its words' hashes; null: more than MAX_NEED_WORDS words meet it. */
    private readonly found: ReadonlyMap<string, readonly number[] | null>,
  ) {}

  /**
   * The hashes of the words meeting a need, and LONG_WORD_HASH; null when too many words meet it for it to narrow
   * (MAX_NEED_WORDS, as in SQLite).
   */
  hashes(need: WordNeed): readonly number[] | null {
    const found = this.found.get(needKey(need));
    // A record with a word too long for the vocabulary may hold it: always a candidate (MAX_VOCABULARY_WORD).
    if (found === undefined) return [LONG_WORD_HASH];
    return found === null ? null : [...found, LONG_WORD_HASH];
  }

  /** Whether another lookup of the same search found the same words. */
  same(other: WordLookup): boolean {
    if (other.found.size !== this.found.size) return false;
    for (const [key, hashes] of this.found) {
      const theirs = other.found.get(key);
      if (theirs === undefined || !sameHashes(hashes, theirs)) return false;
    }
    return true;
  }
}

/** The same words' hashes, or both too many to narrow (null). */
function sameHashes(a: readonly number[] | null, b: readonly number[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((h, i) => h === b[i]);
}

function needKey(need: WordNeed): string {
  return `${need.kind} ${need.run}`;
}

/** The needs of a column's term that the index can answer (those a stop word could meet are left out). */
function answerable(state: TextIndexState, column: TextColumn, term: string): WordNeed[] {
  return wordNeeds(term).filter((need) => !state.stopMeets(column, need));
}

/**
 * The records' keys (creation_time, seq) the words of `column` let through: a superset of those whose
 * `column` contains any of `terms` in the period; null when some term has no need the index can answer.
 * A record must hold one of the words meeting each need of a term (the arrays' GIN index answers `&&`).
 */
export function wordsCandidates(
  lookup: WordLookup,
  column: TextColumn,
  terms: readonly string[],
  range: TimeRange,
  bind: (value: string | number) => string,
): string | null {
  const needs: WordNeed[][] = [];
  for (const term of terms) {
    // A need too many words meet narrows nothing (and would bind thousands of hashes): left out.
    const kept = answerable(lookup.state, column, term).filter((need) => lookup.hashes(need) !== null);
    if (kept.length === 0) return null;
    needs.push(kept);
  }
  // Bound only now: a placeholder bound for a term before one that cannot narrow would be left unused.
  const meets = (need: WordNeed): string =>
    `${WORDS_COLUMN[column]} && ${bind(`{${lookup.hashes(need)!.join(',')}}`)}::integer[]`;
  const alternatives = needs.map((ofTerm) => ofTerm.map(meets).join(' AND '));
  // The period too: the words' key starts with creation_time, so only the period's candidates are read (at ten
  // million records over 90 days, a month's object search read all 20,103 candidates' rows without it).
  const period = `creation_time >= ${bind(range.start)} AND creation_time < ${bind(range.end)}`;
  return `SELECT creation_time, seq FROM record_words WHERE ${period} AND (${alternatives
    .map((a) => `(${a})`)
    .join(' OR ')})`;
}

export class PostgresTextIndex {
  /** From this batch of a build on, the words are cut by a thread of its own (starting one costs ~0.3 s); tests lower it. */
  static threadFromBatch = 10;
  private cache: TextIndexState | null = null;

  constructor(
    private readonly pool: Pool,
    /** The tail's horizon (tail.ts): below it no record can appear any more. */
    private readonly horizon: () => Promise<string>,
  ) {}

  /** The index as it stands, read afresh (another process may build or drop it); null when there is none. */
  async state(client: Pick<PoolClient, 'query'> = this.pool, lock = false): Promise<TextIndexState | null> {
    const { rows } = await client.query<{ value: string }>(
      `SELECT value FROM store_meta WHERE key = $1${lock ? ' FOR KEY SHARE' : ''}`,
      [META_KEY],
    );
    const json = rows[0]?.value;
    if (json === undefined) return null;
    if (this.cache?.json !== json) this.cache = new TextIndexState(json);
    return this.cache;
  }

  /**
   * The hashes of the vocabulary's words meeting each need of the query's object and free-text terms, in one
   * statement (a LIKE or an equality per need, each answered by the vocabulary's indexes).
   */
  async lookUp(state: TextIndexState, query: SearchQuery): Promise<WordLookup> {
    const needs = new Map<string, WordNeed>();
    for (const [column, terms] of [
      ['object_id', query.objects],
      ['raw', query.freeText],
    ] as const)
      for (const term of terms ?? [])
        for (const need of answerable(state, column, term)) needs.set(needKey(need), need);
    const found = new Map<string, number[] | null>();
    if (needs.size === 0) return new WordLookup(state, found);
    const hashesOf = new Map<string, number[]>();
    const list = [...needs.values()];
    // One more word than a need may have: a need that finds it is too common to narrow (MAX_NEED_WORDS).
    const { rows } = await this.pool.query<{ n: number; hash: number }>(
      list
        .map(
          (need, i) =>
            `(SELECT ${i} AS n, hash FROM text_vocab WHERE word ${need.kind === 'exact' ? '=' : 'LIKE'} $${i + 1} LIMIT ${MAX_NEED_WORDS + 1})`,
        )
        .join(' UNION ALL '),
      list.map(vocabularyPattern),
    );
    for (const { n, hash } of rows) {
      const key = needKey(list[n]!);
      const hashes = hashesOf.get(key);
      if (hashes) hashes.push(hash);
      else hashesOf.set(key, [hash]);
    }
    for (const [key, hashes] of hashesOf)
      found.set(key, hashes.length > MAX_NEED_WORDS ? null : hashes.sort((a, b) => a - b));
    return new WordLookup(state, found);
  }

  /**
   * The insert path's one call (records.ts insertWith), in its transaction after its rows went in: posts their
   * words while an index exists (ready or being built).
   */
  async added(client: PoolClient, rows: () => readonly WordsRow[]): Promise<void> {
    const state = await this.state(client, true);
    if (state) await insertWords(client, cutWords(state, rows()));
  }

  /**
   * Creates the index when missing, then posts every row not posted yet; returns whether it is ready. One build
   * at a time per store: a second (`optimize --text-index` run twice, or by two processes) waits for the first
   * and then finds the index ready, instead of both creating the same trigram indexes (one failed) or one
   * dropping the month index the other was building as a leftover of a stopped build. The lock is a session's,
   * held on a connection of its own that is closed at the end, which releases it (as a process that dies does).
   * It is asked for again every BUILD_LOCK_RETRY_MS rather than waited for in one statement: CREATE INDEX
   * CONCURRENTLY waits for every statement running when it started, and the waiting one would never end (it
   * waits for the build).
   */
  async build(): Promise<boolean> {
    const holder = await this.pool.connect();
    try {
      const tryLock = `SELECT pg_try_advisory_lock(${BUILD_LOCK}) AS held`;
      while (!(await holder.query<{ held: boolean }>(tryLock)).rows[0]!.held) await delay(BUILD_LOCK_RETRY_MS);
      return await this.buildAlone();
    } finally {
      holder.release(true); // closing the connection releases the lock
    }
  }

  private async buildAlone(): Promise<boolean> {
    if ((await this.state()) === null) await this.create();
    const state = await this.state();
    if (state === null) return false;
    if (state.ready) return true;
    let walked = await this.meta(WALKED_KEY);
    if (walked === undefined) {
      // Writers that were running when the index was created may not have seen it: wait them out.
      await inTransaction(this.pool, (client) => client.query(WRITERS_ENDED));
      walked = '0:0';
      await this.pool.query('INSERT INTO store_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
        WALKED_KEY,
        walked,
      ]);
    }
    const horizon = await this.horizon();
    if (!(await this.walk(state, walked, horizon))) return false;
    if ((await this.state())?.gen !== state.gen) return false;
    await this.wordIndexes();
    await this.pool.query('ANALYZE record_words, text_vocab');
    const ready: Meta = { ...(JSON.parse(state.json) as Meta), ready: true };
    await this.pool.query('UPDATE store_meta SET value = $3 WHERE key = $1 AND value = $2', [
      META_KEY,
      state.json,
      JSON.stringify(ready),
    ]);
    return (await this.state())?.ready === true;
  }

  /**
   * The GIN indexes of the words' hashes, built once the words are posted (building them over the posted rows is
   * cheaper than keeping them through every batch). record_words is partitioned by month (partitions.ts), and a
   * partitioned index cannot be built CONCURRENTLY: each is made ON ONLY record_words (an invalid shell that
   * takes a moment's lock), then each month's index is built CONCURRENTLY, so writers go on posting, and
   * attached; the last one attached makes the shell valid. A month created meanwhile gets its (empty) index from
   * ATTACH PARTITION; one dropped meanwhile is skipped; an index a stopped build left invalid is built again.
   */
  private async wordIndexes(): Promise<void> {
    await this.vocabularyIndex();
    for (let round = 0; ; round++) {
      const months: { name: string; partition: string; using: string }[] = [];
      let pending = false;
      for (const column of ['raw', 'object_id'] as const) {
        const name = WORDS_INDEX[column];
        const using = `USING gin (${WORDS_COLUMN[column]})`;
        const valid = await indexValid(this.pool, name);
        if (valid) continue;
        pending = true;
        if (valid === null) await this.pool.query(`CREATE INDEX IF NOT EXISTS ${name} ON ONLY record_words ${using}`);
        const { rows } = await this.pool.query<{ partition: string }>(
          `SELECT c.relname AS partition FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
            WHERE h.inhparent = 'record_words'::regclass AND NOT EXISTS (
              SELECT 1 FROM pg_index i JOIN pg_inherits ih ON ih.inhrelid = i.indexrelid
               WHERE i.indrelid = c.oid AND ih.inhparent = to_regclass($1))`,
          [name],
        );
        months.push(...rows.map(({ partition }) => ({ name, partition, using })));
      }
      if (!pending) return;
      if (months.length === 0 && round > 0)
        throw new Error("the substring index's word indexes stay invalid with every month's index attached");
      // Two months at a time, one per core (a GIN build uses one): concurrent builds on different tables do not
      // wait for each other (PostgreSQL 14 and later, for indexes on plain columns), while two on one table
      // deadlock (each waits for the other's transaction while holding the lock the other needs).
      const child = (m: (typeof months)[number]): string => `${m.name}_${monthSuffix(m.partition)}`;
      const byPartition = new Map<string, typeof months>();
      for (const m of months) byPartition.set(m.partition, [...(byPartition.get(m.partition) ?? []), m]);
      await eachAtMost(2, [...byPartition.values()], async (ofMonth) => {
        for (const m of ofMonth)
          await unlessMonthDropped(async () => {
            const built = await indexValid(this.pool, child(m));
            if (built === false) await this.pool.query(`DROP INDEX ${child(m)}`);
            if (built !== true)
              await this.pool.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${child(m)} ON ${m.partition} ${m.using}`);
          });
      });
      for (const m of months)
        await unlessMonthDropped(() => this.pool.query(`ALTER INDEX ${m.name} ATTACH PARTITION ${child(m)}`));
    }
  }

  /**
   * The vocabulary's trigram index (a need's words are found by LIKE), built after the walk like the others (kept
   * through the walk's inserts it cost a second per million records) and CONCURRENTLY, as writers add words.
   */
  private async vocabularyIndex(): Promise<void> {
    const valid = await indexValid(this.pool, 'text_vocab_grams');
    if (valid) return;
    if (valid === false) await this.pool.query('DROP INDEX text_vocab_grams');
    const trigrams = await trigramSchema(this.pool);
    await this.pool.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS text_vocab_grams ON text_vocab USING gin (word ${trigrams}.gin_trgm_ops)`,
    );
  }

  /**
   * Posts every row after `from` below the horizon, a batch per transaction, and keeps the position reached in
   * store_meta; false when the index was dropped or re-created meanwhile. The three steps of a batch overlap:
   * the next batch is read (PostgreSQL, on a connection of its own) while the words of this one and the next are
   * cut (from the threadFromBatch-th batch on, by the word threads, a batch each: cut here, they would hold up the
   * round trips of the other two) and the one before is posted (PostgreSQL again).
   */
  private async walk(state: TextIndexState, from: string, horizon: string): Promise<boolean> {
    const reader = await this.pool.connect();
    const threads = Math.max(1, Math.min(CUT_THREADS, availableParallelism()));
    const cutter = new WordCutter(state, threads);
    let posting: Promise<boolean> = Promise.resolve(true);
    let reading = handled(readBatch(reader, from, horizon));
    /** Batches being cut, in order: as many as there are word threads. */
    const cutting: Promise<{ words: Words; at: string }>[] = [];
    let read = 0;
    let ended = false;
    try {
      for (;;) {
        while (!ended && cutting.length < threads) {
          const batch = await reading;
          if (batch.bytes.length === 0) {
            ended = true;
            break;
          }
          reading = handled(readBatch(reader, batch.at, horizon));
          const words =
            read++ >= PostgresTextIndex.threadFromBatch
              ? cutter.cut(batch.bytes)
              : Promise.resolve(cutCopied(state, batch.bytes, new NewWords()));
          cutting.push(handled(words.then((w) => ({ words: w, at: batch.at }))));
        }
        const next = cutting.shift();
        if (next === undefined) break;
        const { words, at } = await next;
        if (!(await posting)) return false;
        posting = handled(inTransaction(this.pool, (client) => this.postBatch(client, state, words, at)));
      }
      return await posting;
    } finally {
      // A read, cut or post still under way (the walk stopped early, or failed) ends before the connection goes back.
      await Promise.allSettled([reading, posting, ...cutting]);
      reader.release();
      await cutter.close();
    }
  }

  /**
   * Posts a batch's words, read and cut outside this transaction, and moves the walked position to the batch's
   * last row; false when the index was dropped or re-created meanwhile. A month retention dropped since the
   * batch was read has no partition of words any more: its rows are left out (their records are gone), and
   * holding record_words from the start keeps the other months from being dropped before the insert.
   */
  private async postBatch(client: PoolClient, state: TextIndexState, words: Words, at: string): Promise<boolean> {
    const now = await this.state(client, true);
    if (now?.gen !== state.gen) return false;
    await client.query('LOCK TABLE record_words IN ROW EXCLUSIVE MODE');
    const months = monthsOf(words.creationTimes.map(Number));
    const { rows } = await client.query<{ name: string }>(
      'SELECT m AS name FROM unnest($1::text[]) AS m WHERE to_regclass(m) IS NULL',
      [months.map(wordsPartition)],
    );
    const gone = rows.map((r) => months.find((m) => wordsPartition(m) === r.name)!);
    await insertWords(client, gone.length ? withoutMonths(words, gone) : words);
    await client.query('UPDATE store_meta SET value = $2 WHERE key = $1', [WALKED_KEY, at]);
    return true;
  }

  /**
   * The index's tables and stop words. The first process to write the state creates it; one that finds it
   * written goes on building the same index.
   */
  private async create(): Promise<void> {
    await trigramSchema(this.pool); // before anything is written: a store that cannot have it says so now
    const { rows } = await this.pool.query<{ raw: string; object_id: string | null }>(
      'SELECT raw, object_id FROM records ORDER BY xid DESC, seq DESC LIMIT $1',
      [STOP_SAMPLE],
    );
    const enough = rows.length >= STOP_MIN_SAMPLE;
    const stop = new Map<string, number>();
    const choose = (column: TextColumn, words: Set<string>): void => {
      for (const w of words) stop.set(w, (stop.get(w) ?? 0) | STOP_BIT[column]);
    };
    if (enough) {
      choose('raw', stopWords(rows.map((r) => r.raw)));
      choose(
        'object_id',
        stopWords(
          rows.map((r) => r.object_id),
          OBJECT_STOP_SHARE,
        ),
      );
    }
    const meta: Meta = {
      gen: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`,
      ready: false,
      stops: [...stop],
    };
    await inTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query(
        'INSERT INTO store_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
        [META_KEY, JSON.stringify(meta)],
      );
      if (rowCount === 0) return;
      await client.query(`TRUNCATE record_words, text_vocab; DELETE FROM store_meta WHERE key = '${WALKED_KEY}';
        DROP INDEX IF EXISTS record_words_raw, record_words_object, text_vocab_grams;`);
    });
  }

  /** Removes the index: searches scan again. Waits for writers posting (they hold the state). */
  async drop(): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM store_meta WHERE key IN ($1, $2)', [META_KEY, WALKED_KEY]);
      await client.query('TRUNCATE record_words, text_vocab');
    });
  }

  private async meta(key: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM store_meta WHERE key = $1', [key]);
    return rows[0]?.value;
  }
}

/**
 * Rows' words as record_words takes them, as columns (rows posting none are left out): each row's hashes of raw's
 * and of the object id's words as array literals ('{h1,h2}'; null: none), and the posted words the vocabulary may
 * not have yet, with their hashes.
 */
export interface Words {
  creationTimes: (number | string)[];
  seqs: (number | string)[];
  raw: (string | null)[];
  object: (string | null)[];
  vocabulary: [word: string, hash: number][];
}

function noWords(): Words {
  return { creationTimes: [], seqs: [], raw: [], object: [], vocabulary: [] };
}

/** Adds a row's words, unless it posts none. */
function addRow(
  words: Words,
  creationTime: number | string,
  seq: number | string,
  raw: string | null,
  object: string | null,
): void {
  if (raw === null && object === null) return;
  words.creationTimes.push(creationTime);
  words.seqs.push(seq);
  words.raw.push(raw);
  words.object.push(object);
}

/** These words without the rows of some months (the vocabulary stays: a word more only widens a need). */
function withoutMonths(words: Words, months: readonly Month[]): Words {
  const kept: Words = { ...noWords(), vocabulary: words.vocabulary };
  words.creationTimes.forEach((t, i) => {
    if (!months.some((m) => Number(t) >= m.lo && Number(t) < m.hi))
      addRow(kept, t, words.seqs[i]!, words.raw[i]!, words.object[i]!);
  });
  return kept;
}

/** What the build's word thread (text-words-worker.ts) is sent: a batch as COPY sent it (its buffer moved, not copied). */
export interface CutRequest {
  id: number;
  bytes: Uint8Array;
}

/**
 * Its answer: the batch's words (cutCopied), the vocabulary holding those the thread has not sent before (each
 * batch's are posted, in order, before the next one's).
 */
export interface CutReply extends Words {
  id: number;
}

/**
 * Cuts a batch as readBatch copied it (a row a line: position, creation_time, seq, object_id, raw, tab-separated),
 * leaving out rows without words; the words not in `vocabulary` before are taken from it.
 */
export function cutCopied(state: TextIndexState, bytes: Buffer, vocabulary: NewWords): Words {
  const out = noWords();
  for (let line = 0; line < bytes.length;) {
    const time = bytes.indexOf(9, line) + 1;
    const seq = bytes.indexOf(9, time) + 1;
    const object = bytes.indexOf(9, seq) + 1;
    const raw = bytes.indexOf(9, object) + 1;
    const end = bytes.indexOf(10, raw);
    const objectWords = state.copiedWords('object_id', bytes, object, raw - 1, vocabulary);
    const rawWords = state.copiedWords('raw', bytes, raw, end, vocabulary);
    addRow(
      out,
      bytes.toString('latin1', time, seq - 1),
      bytes.toString('latin1', seq, object - 1),
      rawWords,
      objectWords,
    );
    line = end + 1;
  }
  out.vocabulary = vocabulary.take();
  return out;
}

/**
 * The build's word threads (at most CUT_THREADS, one per core), started at the first batches they are given; batch
 * k goes to thread k mod CUT_THREADS.
 */
class WordCutter {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (reply: CutReply) => void; reject: (e: Error) => void }>();
  private next = 0;

  constructor(
    private readonly state: TextIndexState,
    private readonly threads: number,
  ) {}

  /** Cuts a copied batch on a word thread; its buffer moves there (`bytes` is unusable afterwards). */
  async cut(bytes: Buffer): Promise<Words> {
    const id = this.next++;
    // A small Buffer may be a slice of Node's shared pool, which must not move: those are copied.
    const own = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length ? bytes : Uint8Array.from(bytes);
    return await new Promise<CutReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: CutRequest = { id, bytes: own };
      this.worker(id % this.threads).postMessage(request, [own.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private worker(k: number): Worker {
    if (this.workers[k]) return this.workers[k];
    const worker = startModuleWorker(import.meta.url, './text-words-worker.js', { workerData: this.state.json });
    const fail = (error: Error): void => {
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
    };
    worker.on('message', (reply: CutReply) => {
      this.waiting.get(reply.id)?.resolve(reply);
      this.waiting.delete(reply.id);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the substring index's word thread stopped (exit ${code})`)));
    return (this.workers[k] = worker);
  }
}

function cutWords(state: TextIndexState, rows: readonly WordsRow[]): Words {
  const vocabulary = new NewWords();
  const words = noWords();
  for (const r of rows)
    addRow(
      words,
      r.creationTime,
      r.seq,
      state.words('raw', r.raw, vocabulary),
      state.words('object_id', r.objectId, vocabulary),
    );
  words.vocabulary = vocabulary.take();
  return words;
}

/**
 * Posts rows' words, and their words into the vocabulary, in one statement. A row already posted (by its writer,
 * while a build walks) is left as it is: every row of record_words was cut with the stop words of the index as it
 * stands, since create and drop empty the table in the transaction that changes the state and writers post while
 * they hold that state. The new words go in sorted, as every writer's do: two writers adding the same words wait
 * for each other in one order, never in a cycle.
 */
async function insertWords(client: PoolClient, words: Words): Promise<void> {
  if (words.seqs.length === 0 && words.vocabulary.length === 0) return;
  const vocabulary = [...words.vocabulary].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  await client.query(
    `WITH vocabulary AS (
       INSERT INTO text_vocab (word, hash) SELECT * FROM unnest($5::text[], $6::integer[]) ON CONFLICT (word) DO NOTHING)
     INSERT INTO record_words (creation_time, seq, raw_words, object_words)
     SELECT t, s, r::integer[], o::integer[] FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS u (t, s, r, o)
     ON CONFLICT (creation_time, seq) DO NOTHING`,
    [
      words.creationTimes,
      words.seqs,
      words.raw,
      words.object,
      vocabulary.map(([word]) => word),
      vocabulary.map(([, hash]) => hash),
    ],
  );
}

/**
 * The next BUILD_BATCH stored rows after the position `from` ('xid:seq') below the horizon, as COPY sends them in
 * its text format (readBatch's columns, a row a line), and the last one's position. COPY rather than a query: the
 * rows' raw text (a kilobyte each) is never made a string here, nor copied to the word thread (the buffer moves),
 * which cost this thread more than the word threads' cutting. COPY takes no parameters: the positions are numbers
 * this store wrote, checked to be digits.
 */
async function readBatch(client: PoolClient, from: string, horizon: string): Promise<{ bytes: Buffer; at: string }> {
  const [xid, seq] = from.split(':');
  for (const value of [xid, seq, horizon])
    if (!/^\d+$/.test(value ?? ''))
      throw new Error(`the substring index's walk reached an unreadable position: ${from}`);
  const stream = client.query(
    copyTo(`COPY (SELECT xid::text || ':' || seq::text, creation_time, seq, object_id, raw FROM records
      WHERE (xid, seq) > ('${xid}'::xid8, ${seq}) AND xid < '${horizon}'::xid8 ORDER BY xid, seq LIMIT ${BUILD_BATCH})
      TO STDOUT`),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  if (bytes.length === 0) return { bytes, at: from };
  const last = bytes.lastIndexOf(10, bytes.length - 2) + 1;
  return { bytes, at: bytes.toString('latin1', last, bytes.indexOf(9, last)) };
}

/** PostgreSQL's undefined_table: a month's partition dropped between the listing and the statement. */
const UNDEFINED_TABLE = '42P01';

/**
 * The promise itself, marked as handled: the walk awaits it later, and a failure meanwhile (while it awaits
 * another step) must reach that await, not end the process as an unhandled rejection.
 */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Runs a statement on a month's partition; retention may have dropped the month meanwhile: nothing to do there. */
async function unlessMonthDropped(statement: () => Promise<unknown>): Promise<void> {
  try {
    await statement();
  } catch (error) {
    if ((error as { code?: unknown }).code !== UNDEFINED_TABLE) throw error;
  }
}

/** Calls `each` for every item, at most `most` at a time; the first failure is thrown once all have ended. */
async function eachAtMost<T>(most: number, items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await each(items[next++]!);
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(most, items.length) }, lane));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Whether an index of this schema is valid; null when there is none of that name. */
async function indexValid(pool: Pool, name: string): Promise<boolean | null> {
  const { rows } = await pool.query<{ valid: boolean }>(
    'SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass($1)',
    [name],
  );
  return rows[0]?.valid ?? null;
}

/**
 * The schema of the pg_trgm extension (shipped with PostgreSQL, "trusted" since version 13: a user who may
 * create in the database may install it), installed into `public` when missing so that dropping a store's
 * schema never takes it from another.
 */
async function trigramSchema(pool: Pool): Promise<string> {
  const find = async (): Promise<string | undefined> =>
    (
      await pool.query<{ nspname: string }>(
        `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`,
      )
    ).rows[0]?.nspname;
  const found = await find();
  if (found) return quoteIdent(found);
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
  } catch (error) {
    const now = await find(); // another process may have installed it at the same moment
    if (now) return quoteIdent(now);
    throw new AppError(
      'STORE_SCHEMA',
      `The substring index needs PostgreSQL's pg_trgm extension, which could not be installed: ${(error as Error).message}`,
      {
        hint: 'Ask a database administrator to run CREATE EXTENSION pg_trgm; in this database, then run optimize --text-index again (searches work meanwhile, without the index)',
        cause: error,
      },
    );
  }
  return quoteIdent((await find()) ?? 'public');
}
