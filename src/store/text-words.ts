/**
 * The words of the substring indexes (docs/adr/0033-substring-indexes.md), written once for every store:
 * how a stored text is cut into the words an index posts, and which words a search term needs.
 *
 * Substring searches keep JavaScript's semantics, `text.toLowerCase().includes(term.toLowerCase())`
 * (ADR 0003). A **word** is a maximal run of ASCII letters and digits in `text.toLowerCase()`. If a
 * text contains the term, every maximal run R of [a-z0-9] in the lower-cased term lies inside one word
 * of the text, and where the term has a boundary (its start or end is not a letter or digit) the word
 * has it too. So, for each run of the term:
 * - between two boundaries of the term, the text has R as a whole word (`exact`);
 * - at the term's start only: a word ending in R (`suffix`); at its end only: a word starting with R
 *   (`prefix`); a term that is one run: a word containing R (`contains`).
 * Records lacking a word a run needs cannot match: the index narrows to a superset, and the exact test
 * decides. Words are posted only when they can be asked for cheaply and selectively: three characters or
 * more with a letter from g to z (hexadecimal runs are GUID and hash pieces, unique per record, most of the
 * old index's size), and not a **stop word** (a word in many records, chosen from a sample when the index is
 * built). A run that could lie in a word that is not posted gives no condition; a term with no condition at
 * all is scanned.
 */

/**
 * The words a text posts, each once, in order of first appearance, leaving out `unposted` (stop words).
 * A loop over the text's bytes rather than a regular expression: most words of a record are stop words (JSON
 * keys), and hashing them as they are read, instead of cutting out a string each, is most of the index's build
 * time. Measured on the bench's records (CPU per record): a regular expression 59 µs; a character loop hashing
 * each word a second time 22–29 µs; hashing as it reads 12.7 µs; this one (one test per byte while skipping
 * non-words, 256-entry tables, the bytes written into a reused buffer, stop words compared natively) 7.5 µs
 * with the words joined as the index posts them (text-words.test.ts checks it against the plain definition).
 */
export function textWords(text: string | null, unposted: WordSet = NO_WORDS, hashes?: number[]): string[] {
  if (text === null) return [];
  // ASCII text is read as bytes (a third faster than charCodeAt); other text as the UTF-16 units of its lower
  // case, where only ASCII letters and digits make words (the others are written as 0, not in a word).
  const ascii = isAscii(text);
  const s = ascii ? text : text.toLowerCase();
  const n = s.length;
  const bytes = n <= SCRATCH.length ? SCRATCH : Buffer.allocUnsafe(n);
  if (ascii) bytes.write(s, 0, 'latin1');
  else
    for (let k = 0; k < n; k++) {
      const c = s.charCodeAt(k);
      bytes[k] = c < 128 ? c : 0;
    }
  return wordsOfBytes(bytes, 0, n, unposted, hashes, s);
}

/**
 * textWords of an ASCII text held as bytes [start, end) of a buffer (a record's raw text as PostgreSQL's COPY sends
 * it to the substring index's build), without making a string of it: only the posted words become strings.
 */
export function asciiWords(
  bytes: Buffer,
  start: number,
  end: number,
  unposted: WordSet = NO_WORDS,
  hashes?: number[],
): string[] {
  return wordsOfBytes(bytes, start, end, unposted, hashes, null);
}

/** The loop of textWords over bytes [from, end); `s`, when given, is the text whose units the bytes are. */
function wordsOfBytes(
  bytes: Buffer,
  from: number,
  end: number,
  unposted: WordSet,
  hashes: number[] | undefined,
  s: string | null,
): string[] {
  const words: string[] = [];
  let i = from;
  while (i < end) {
    let c = bytes[i]!;
    if (KIND[c] === 0) {
      i++;
      continue;
    }
    const start = i;
    let hash = FNV_OFFSET;
    let kinds = 0;
    do {
      hash = Math.imul(hash ^ LOWER[c]!, FNV_PRIME);
      kinds |= KIND[c]!;
      c = ++i < end ? bytes[i]! : 0;
    } while (KIND[c] !== 0);
    if ((kinds & POSTABLE) !== 0 && i - start >= MIN_WORD) keep(words, hashes, bytes, s, start, i, hash, unposted);
  }
  return words;
}

/**
 * Adds s[start, end) lower-cased to `words` (and its wordHash to `hashes`, when given) unless it is unposted or
 * there already.
 */
function keep(
  words: string[],
  hashes: number[] | undefined,
  bytes: Buffer,
  s: string | null,
  start: number,
  end: number,
  hash: number,
  unposted: WordSet,
): void {
  if (s === null ? unposted.holdsBytes(hash, bytes, start, end) : unposted.holdsHashed(hash, s, start, end)) return;
  const word = (s === null ? bytes.toString('latin1', start, end) : s.slice(start, end)).toLowerCase();
  if (words.includes(word)) return;
  words.push(word);
  hashes?.push(hash | 0);
}

/**
 * A word's 32-bit FNV-1a hash as a signed integer (PostgreSQL's `integer`), as textWords computes it while it
 * reads: PostgreSQL's index posts these instead of the words (ADR 0036). Two words may share one; a search then
 * only reads more candidates.
 */
export function wordHash(word: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), FNV_PRIME);
  return hash | 0;
}

/** The bytes textWords reads (a longer text gets a buffer of its own). */
const SCRATCH = Buffer.allocUnsafe(64 * 1024);

/** Shortest word posted (and run used): shorter ones are in too many records to narrow anything. */
export const MIN_WORD = 3;
const RUN = /[a-z0-9]+/g;
const NOT_HEX = /[g-z]/;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Per byte: 0 not in a word, 1 a digit or a letter a–f (any case), POSTABLE a letter g–z (0 beyond ASCII). */
const POSTABLE = 2;
const KIND = new Uint8Array(256);
/** Per ASCII code: its lower case. */
const LOWER = new Uint8Array(256);
for (let c = 0; c < 128; c++) {
  LOWER[c] = c >= 65 && c <= 90 ? c + 32 : c;
  const l = LOWER[c]!;
  if ((l >= 48 && l <= 57) || (l >= 97 && l <= 102)) KIND[c] = 1;
  else if (l >= 103 && l <= 122) KIND[c] = POSTABLE;
}

/** ASCII only (as many UTF-8 bytes as UTF-16 units): then case folds per character, as the loop does it. */
function isAscii(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}

/** Lower-case words found by an FNV hash of the text in place, so a stop word is never cut out of it. */
export class WordSet {
  private readonly byHash = new Map<number, string[]>();

  constructor(words: Iterable<string> = []) {
    for (const w of words) {
      let hash = FNV_OFFSET;
      for (let i = 0; i < w.length; i++) hash = Math.imul(hash ^ w.charCodeAt(i), FNV_PRIME);
      this.byHash.set(hash, [...(this.byHash.get(hash) ?? []), w]);
    }
  }

  /** Is s[start, end) (any case) one of the words? */
  holds(s: string, start: number, end: number): boolean {
    let hash = FNV_OFFSET;
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      hash = Math.imul(hash ^ (c >= 65 && c <= 90 ? c + 32 : c), FNV_PRIME);
    }
    return this.holdsHashed(hash, s, start, end);
  }

  /** holds(), given the FNV hash of s[start, end) lower-cased (textWords computes it as it reads). */
  holdsHashed(hash: number, s: string, start: number, end: number): boolean {
    const candidates = this.byHash.get(hash);
    if (candidates === undefined) return false;
    // Cutting the word out and comparing natively is faster than a character loop here (measured).
    for (const w of candidates) if (w.length === end - start && s.slice(start, end).toLowerCase() === w) return true;
    return false;
  }

  /** holdsHashed() of bytes[start, end) (ASCII), compared byte by byte: no string is made of them. */
  holdsBytes(hash: number, bytes: Buffer, start: number, end: number): boolean {
    const candidates = this.byHash.get(hash);
    if (candidates === undefined) return false;
    next: for (const w of candidates) {
      if (w.length !== end - start) continue;
      for (let k = 0; k < w.length; k++) if (LOWER[bytes[start + k]!] !== w.charCodeAt(k)) continue next;
      return true;
    }
    return false;
  }
}

const NO_WORDS = new WordSet();

export type WordNeed = { kind: 'exact' | 'prefix' | 'suffix' | 'contains'; run: string };

/**
 * What a term needs of a text's words (see the module comment), only the runs an index can answer: three
 * characters or more with a letter from g to z, so that every word holding the run is a posted word.
 * An empty list: the index cannot narrow this term.
 */
export function wordNeeds(term: string): WordNeed[] {
  const t = term.toLowerCase();
  const needs: WordNeed[] = [];
  for (const m of t.matchAll(RUN)) {
    const run = m[0];
    if (run.length < MIN_WORD || !NOT_HEX.test(run)) continue;
    const open = m.index === 0;
    const end = m.index + run.length === t.length;
    needs.push({ kind: open && end ? 'contains' : open ? 'suffix' : end ? 'prefix' : 'exact', run });
  }
  return needs;
}

/**
 * Beyond this many vocabulary words a need is too common to help either store's index: it is left out of the
 * search's narrowing (the term's other needs still narrow; with none left the term is scanned for), instead
 * of handing the engine thousands of words to match.
 */
export const MAX_NEED_WORDS = 2_000;

/** The LIKE pattern that finds a need's words in a vocabulary (runs are [a-z0-9]: nothing to escape). */
export function vocabularyPattern(need: WordNeed): string {
  switch (need.kind) {
    case 'exact':
      return need.run;
    case 'prefix':
      return `${need.run}%`;
    case 'suffix':
      return `%${need.run}`;
    case 'contains':
      return `%${need.run}%`;
  }
}

/** Does a word meet a need (the test a vocabulary lookup stands for)? */
export function wordMeets(word: string, need: WordNeed): boolean {
  switch (need.kind) {
    case 'exact':
      return word === need.run;
    case 'prefix':
      return word.startsWith(need.run);
    case 'suffix':
      return word.endsWith(need.run);
    case 'contains':
      return word.includes(need.run);
  }
}

/**
 * Stop words from a sample of texts: the words in more than `share` of them. Posting them would cost
 * most of the index (JSON keys are in every record) and narrow nothing a scan would not do as well.
 */
export function stopWords(sample: readonly (string | null)[], share = 0.05): Set<string> {
  const seen = new Map<string, number>();
  for (const text of sample) for (const w of textWords(text)) seen.set(w, (seen.get(w) ?? 0) + 1);
  const limit = Math.max(1, sample.length * share);
  return new Set([...seen].filter(([, n]) => n > limit).map(([w]) => w));
}
