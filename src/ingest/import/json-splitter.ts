import { embeddedRecordStart } from './embedded-record.js';
import { brokenOff, cutOffInside, where, type RecordPlace } from './json-reasons.js';
import { MAX_RECORD_CHARS, TOO_LARGE, tooLargeHead } from './record-size.js';
import type { RawItem } from './types.js';

/**
 * A streaming splitter of JSON text into records, in constant memory whatever the file size (only the
 * record being read is held). Hand-written rather than a library because it must return each record's
 * original text untouched (it becomes `raw`) and its line number (for rejects), and needs no more than
 * bracket and string tracking:
 * - a top-level array (a Management Activity API content blob, a saved JSON array): each element;
 *   several arrays one after another are read in turn;
 * - top-level objects one after another (pretty-printed records): each object;
 * - a Graph records page `{"value": [...], "@odata.nextLink": …}`: each element of `value`.
 * Whether each piece is valid JSON is decided later, by JSON.parse, record by record, with one exception: a record
 * whose closing `}` is missing (a line deleted by hand, a script that wrote it half) would hold every record after
 * it in one broken piece. A `{` in an object anywhere but after a `:` (where a key, a `,` or the `}` was due) is
 * taken as the next record's start, a `]` while the record's own object is open as the array's end: the broken
 * record ends before it and is rejected alone (json-reasons.ts brokenOff). Valid JSON never has either. The check costs a
 * character compare per `{` in an object, a look back over white space when that is not the `:`, and nothing per
 * byte: a 200,000-record array split as fast as before (measured, docs/adr/0023-bad-input.md).
 * A record broken inside an array of its own or inside a string never closes, and runs on to the end of the file or
 * past MAX_RECORD_CHARS: only then is its text searched for a record that starts inside it (embedded-record.ts); the
 * broken record ends there and reading goes on from that record.
 */
export class JsonSplitter {
  private depth = 0;
  /** Container kinds, outermost first: '{' or '['. */
  private readonly stack: string[] = [];
  private inString = false;
  private escaped = false;
  private line = 1;
  /** The record being read: its pieces from earlier chunks, start offset in this chunk, kind, line. */
  private pieces: string[] = [];
  private start = -1;
  private kind = '';
  private startLine = 0;
  /** Characters of the record being read so far; past MAX_RECORD_CHARS only its start is kept (`tooLarge`). */
  private held = 0;
  private tooLarge = false;
  private inPage = false;
  /** Depth-1 string of a top-level object, to recognise the Graph page's "value" key. */
  private key = '';
  private keyStart = -1;
  private lastKey = '';
  /** Next backslash in the current chunk (searched once, not once per string). */
  private slash = -1;
  /** The last character before the current chunk that is not white space (a `{` at its start looks back to it). */
  private lastMark = 0;
  /** Characters pushed before the current chunk, where the current line starts, and the record's start column. */
  private offset = 0;
  private lineStart = 0;
  private startColumn = 1;
  /** The text pushed last (a chunk, or what a restart read again) and its offset: resplit reads on from it. */
  private source = '';
  private sourceOffset = 0;
  private ended = false;
  /**
   * A Graph page's record, held until the `,` or `]` after it shows that it did not take the page's end: a record that
   * lost its `]}` after an element of an array of its own is closed by the page's `]}`, valid JSON holding the records
   * after it (settlePending).
   */
  private pending: RawItem | null = null;
  /** Lines where a Graph page cut short ran into the next file's text (nextFileInEnvelope). */
  readonly joins: number[] = [];

  /** Feeds a chunk; returns the records completed in it. */
  push(chunk: string): RawItem[] {
    const out: RawItem[] = [];
    const n = chunk.length;
    this.slash = -1;
    this.source = chunk;
    this.sourceOffset = this.offset;
    for (let i = 0; i < n; i++) {
      if (this.inString) {
        i = this.skipString(chunk, i);
        if (this.inString) break;
        this.stringClosed(chunk, i, out);
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (c === 10) {
        this.line++;
        this.lineStart = this.offset + i + 1;
      }
      // U+FEFF: the byte order mark of the next file when exports saved with one were joined (`cat a.json b.json`).
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff) {
        if (this.start >= 0 && this.isScalar()) this.finish(chunk, i, out, false);
        continue;
      }
      if (this.start < 0) {
        if (
          this.depth === this.elementDepth() &&
          c !== 44 &&
          c !== 93 &&
          c !== 125 &&
          !(c === 91 && this.depth === 0)
        ) {
          // A page's next element: after a `,` its previous record is whole; else (the next file, the page's trailer
          // read as elements) that record may hold the page's end.
          if (this.pending !== null && this.settlePending(out, this.markBefore(chunk, i) !== 44)) {
            i--;
            continue;
          }
          this.begin(chunk, i);
        } else if (this.depth === 1 && !this.inPage && this.stack[0] === '{') {
          // Only in a Graph page's envelope, after its records: a few characters a page.
          const from = this.nextFileInEnvelope(chunk, i, c);
          if (from >= 0) {
            i = from - 1;
            continue;
          }
        }
      }
      this.structural(chunk, i, c, out);
    }
    if (this.start >= 0) {
      if (this.pending !== null) this.settlePending(out, false);
      if (!this.tooLarge && this.held + n - this.start > MAX_RECORD_CHARS && this.kind === '{') {
        // Too large to hold: a record that never closed (embedded-record.ts) gives back the records after its break.
        const text = this.pieces.join('') + chunk.slice(this.start);
        const next = embeddedRecordStart(text);
        if (next > 0) return [...out, ...this.endBefore(text, next), ...this.restartAt(text, next, this.offset + n)];
      }
      this.hold(chunk.slice(this.start));
      this.start = 0;
    }
    this.lastMark = this.markBefore(chunk, n);
    if (this.keyStart >= 0) {
      // Only a key's start matters ("value", "@odata."): a 300 MB string value of a top-level object is not kept.
      if (this.key.length < KEY_CHARS) this.key += chunk.slice(this.keyStart, this.keyStart + KEY_CHARS);
      this.keyStart = 0;
    }
    this.offset += n;
    return out;
  }

  /**
   * Whether the text so far leaves an array, object or string open: after end(), the file was cut off, between
   * two records (nothing else says so) or inside one (that one is also rejected).
   */
  get cutOff(): boolean {
    return this.depth > 0 || this.inString;
  }

  /**
   * End of input: a record still open means the file was cut off inside it, or that it broke off and the records after
   * it were read as part of it (then they are read again from where the first of them starts).
   */
  end(): RawItem[] {
    this.ended = true;
    if (this.pending !== null) {
      const out: RawItem[] = [];
      this.settlePending(out, this.inPage);
      return [...out, ...this.end()];
    }
    if (this.start < 0) return [];
    const text = this.pieces.join('');
    this.pieces = [];
    this.start = -1;
    const place = { line: this.startLine, column: this.startColumn };
    if (this.tooLarge) return [{ ...place, text, reject: TOO_LARGE }];
    if (this.isScalar() && !this.inString) return [{ ...place, text }];
    const next = this.kind === '{' ? embeddedRecordStart(text) : -1;
    if (next > 0) return [...this.endBefore(text, next), ...this.restartAt(text, next, this.offset), ...this.end()];
    return [{ ...place, text, reject: cutOffInside(text, { in: 'text', ...place }) }];
  }

  /**
   * The failure path for a record JSON.parse refused (parse-file.ts): when a record starts inside it, such as the next
   * file's first record after a file cut inside a string (whose quotes then all pair the wrong way, so the brackets
   * the splitter tracked after the cut meant nothing), the record is ended there and rejected with what broke it, and
   * everything from that record on is read again: the items returned replace those after `item` that this splitter
   * gave with it. Null when no record starts inside it, or when `item`'s text is not found in what was pushed last.
   * Where it ends there is looked for here (endIn), not noted on every record: good files pay nothing for this.
   */
  resplit(item: RawItem): RawItem[] | null {
    if (item.reject !== undefined || item.text.charCodeAt(0) !== 123) return null;
    const from = endIn(this.source, item.text);
    if (from < 0) return null;
    const text = item.text + this.source.slice(from);
    const next = embeddedRecordStart(text, item.text.length, !this.ended);
    if (next <= 0) return null;
    this.startLine = item.line;
    this.startColumn = item.column ?? 1;
    // A page record held after `item` is read again with what follows it.
    this.pending = null;
    const ended = this.ended;
    const endOffset = this.sourceOffset + this.source.length;
    const broken = this.endBefore(text, next);
    // What the splitter made of the text after the cut may have closed the Graph page the records were read from.
    if (this.stack.length < this.elementDepth()) this.inPage = false;
    return [...broken, ...this.restartAt(text, next, endOffset), ...(ended ? this.end() : [])];
  }

  private elementDepth(): number {
    if (this.stack[0] === '[') return 1;
    return this.inPage ? 2 : 0;
  }

  private isScalar(): boolean {
    return this.kind !== '{' && this.kind !== '[' && this.kind !== '"';
  }

  private begin(chunk: string, i: number): void {
    this.start = i;
    this.pieces = [];
    this.held = 0;
    this.tooLarge = false;
    this.kind = chunk[i]!;
    this.startLine = this.line;
    this.startColumn = this.offset + i - this.lineStart + 1;
  }

  private structural(chunk: string, i: number, c: number, out: RawItem[]): void {
    if (c === 34) {
      this.inString = true;
      this.escaped = false;
      if (this.depth === 1 && this.stack[0] === '{' && !this.inPage) {
        this.key = '';
        this.keyStart = i + 1;
      }
      return;
    }
    if (c === 123 || c === 91) {
      if (c === 123 && this.start >= 0 && this.stack[this.depth - 1] === '{') {
        // Most objects in an object follow their `:` directly: settled without calling anything.
        const before = i > 0 ? chunk.charCodeAt(i - 1) : this.lastMark;
        if (before !== 58) this.openInObject(chunk, i, out);
      }
      if (c === 91 && this.depth === 1 && this.stack[0] === '{' && !this.inPage && this.lastKey === 'value') {
        // A Graph records page: its elements are the records, the envelope is not one.
        this.inPage = true;
        this.start = -1;
        this.pieces = [];
      }
      this.stack.push(chunk[i]!);
      this.depth++;
      return;
    }
    if (c === 125 || c === 93) {
      if (this.start >= 0 && this.isScalar() && this.depth === this.elementDepth()) this.finish(chunk, i, out, false);
      if (c === 93 && this.start >= 0 && this.stack[this.depth - 1] === '{' && this.closesRecordArray())
        this.endBroken(chunk, i, out, `the ] at line ${this.line} closes the array the record is in`);
      if (this.depth === 0) return;
      this.stack.pop();
      this.depth--;
      if (this.inPage && this.depth === 1) {
        this.inPage = false;
        if (this.pending !== null) this.settlePending(out, false);
      }
      if (this.start >= 0 && this.depth === this.elementDepth() && !this.isScalar()) this.finish(chunk, i, out, true);
      return;
    }
    if (c === 44 && this.start >= 0 && this.isScalar() && this.depth === this.elementDepth())
      this.finish(chunk, i, out, false);
  }

  /** A `{` in an object: a value after its `:`, else (a key or a `,` was due) the next record's start. */
  private openInObject(chunk: string, i: number, out: RawItem[]): void {
    if (this.markBefore(chunk, i) === 58) return;
    this.endBroken(chunk, i, out, `a { at line ${this.line} stands where a key, a , or a } was due`);
    this.begin(chunk, i);
  }

  /**
   * Ends the record being read, whose text is `text`, before the record found at `next` inside it (embedded-record.ts),
   * and rejects it with what broke it; nothing when it was only the start of a Graph page (an array of pages cut off
   * inside its last one): no record is lost there.
   */
  private endBefore(text: string, next: number): RawItem[] {
    const place: RecordPlace = { in: 'text', line: this.startLine, column: this.startColumn };
    const at = where(text, next, place).replace(/^at /, '');
    const broken = withoutSeparator(text.slice(0, next));
    if (PAGE_ENVELOPE.test(broken) && !CREATION_KEY.test(broken)) {
      // Two pages' starts: the first was cut short before its records and the next file joined after it.
      const second = broken.slice(1).search(PAGE_START);
      if (second >= 0) this.joins.push(this.startLine + lineBreaks(broken, second + 1));
      return [];
    }
    if (broken.length > MAX_RECORD_CHARS)
      return [{ line: this.startLine, column: this.startColumn, text: tooLargeHead(broken), reject: TOO_LARGE }];
    const reason = brokenOff(broken, place, `a record starts at ${at} before it is closed`);
    return [{ line: this.startLine, column: this.startColumn, text: broken, reject: reason }];
  }

  /** Reads `text` from `next` on as the next records, between records at the depth records are elements of. */
  private restartAt(text: string, next: number, endOffset: number): RawItem[] {
    let lines = 0;
    let lineStart = -1;
    for (let nl = text.indexOf('\n'); nl >= 0 && nl < next; nl = text.indexOf('\n', nl + 1)) {
      lines++;
      lineStart = nl + 1;
    }
    const column = lineStart < 0 ? this.startColumn + next : next - lineStart + 1;
    this.line = this.startLine + lines;
    this.pieces = [];
    this.start = -1;
    this.held = 0;
    this.tooLarge = false;
    this.inString = false;
    this.escaped = false;
    this.keyStart = -1;
    this.key = '';
    if (this.stack[0] !== '[' && PAGE_OPENS.test(text.slice(Math.max(0, next - 64), next))) {
      // The record is a Graph page's first (the page's start was read into the broken text): read on in that page.
      this.stack.length = 0;
      this.stack.push('{', '[');
      this.inPage = true;
    } else this.stack.length = this.elementDepth();
    this.depth = this.stack.length;
    const rest = text.slice(next);
    this.offset = endOffset - rest.length;
    this.lineStart = this.offset - (column - 1);
    return this.push(rest);
  }

  /**
   * A character outside a string in a Graph page's envelope after its records (`],"@odata.nextLink":"…"}`): a `{` where a
   * key was due, or as the value of an @odata key (never an object), is the next file's start, joined after a page cut
   * short; a character no JSON value there starts or continues with (`@`, a letter of a URL) means the cut was inside a
   * string and the quotes after it pair the wrong way, and the next file starts at the last `{"` before it. The page is
   * then ended (nothing of it is lost: its records were read), the cut noted (`joins`), and reading goes on from that
   * `{` at the top level. Returns where to read on from, else -1.
   */
  private nextFileInEnvelope(chunk: string, i: number, c: number): number {
    let q = i;
    if (c === 123) {
      if (this.markBefore(chunk, i) === 58 && !this.lastKey.startsWith('@odata.')) return -1;
    } else {
      if (ENVELOPE_VALUE_CHARS.includes(chunk[i]!)) return -1;
      q = objectStartBefore(chunk, i);
      if (q < 0) return -1;
    }
    // Lines: the line breaks before q that a string the cut left open hid are counted; those from q on are read again.
    const lineStart = Math.max(0, this.lineStart - this.offset);
    for (let nl = chunk.indexOf('\n', lineStart); nl >= 0 && nl < q; nl = chunk.indexOf('\n', nl + 1)) {
      this.line++;
      this.lineStart = this.offset + nl + 1;
    }
    if (lineStart > q) {
      for (let nl = chunk.indexOf('\n', q); nl >= 0 && nl < lineStart; nl = chunk.indexOf('\n', nl + 1)) this.line--;
      this.lineStart = this.offset + chunk.lastIndexOf('\n', q - 1) + 1;
    }
    this.joins.push(this.line);
    this.stack.length = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.keyStart = -1;
    this.key = '';
    this.lastKey = '';
    return q;
  }

  /**
   * Hands on the held page record. When `suspect` (what follows it is no `,` or `]`: the page's end went missing) and a
   * record starts inside it, it took the page's `]}`: it is ended there and rejected with what it lacks, the rest of
   * its text is read again as the page's records and end, and the splitter goes on from where that leaves it. Returns
   * whether it did so (the state changed).
   */
  private settlePending(out: RawItem[], suspect: boolean): boolean {
    const item = this.pending!;
    this.pending = null;
    const next = suspect ? embeddedRecordStart(item.text) : -1;
    if (next <= 0) {
      out.push(item);
      return false;
    }
    const [line, column] = [this.startLine, this.startColumn];
    this.startLine = item.line;
    this.startColumn = item.column ?? 1;
    const broken = this.endBefore(item.text, next);
    [this.startLine, this.startColumn] = [line, column];
    // Not a record but a whole page inside the page: the next file's, joined after this page was cut short.
    if (!broken.length) this.joins.push(item.line);
    out.push(...broken);
    const page = new JsonSplitter();
    page.stack.push('{', '[');
    page.depth = 2;
    page.inPage = true;
    const before = item.text.slice(0, next);
    const lines = lineBreaks(before, next);
    const firstColumn = lines ? next - before.lastIndexOf('\n') : (item.column ?? 1) + next;
    for (const found of [...page.push(item.text.slice(next)), ...(page.pending ? [page.pending] : [])]) {
      if (found.line === 1) found.column = firstColumn + (found.column ?? 1) - 1;
      found.line = item.line + lines + found.line - 1;
      out.push(found);
    }
    this.stack.length = 0;
    this.stack.push(...page.stack);
    this.depth = page.depth;
    this.inPage = page.inPage;
    return true;
  }

  /** Whether the innermost open array is the one the records are elements of (no array opened inside the record). */
  private closesRecordArray(): boolean {
    const array = this.stack.lastIndexOf('[');
    return array >= 0 && array < this.elementDepth();
  }

  /** The last character before i that is not white space, looking into earlier chunks when needed. */
  private markBefore(chunk: string, i: number): number {
    for (let j = i - 1; j >= 0; j--) {
      const c = chunk.charCodeAt(j);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return c;
    }
    return this.lastMark;
  }

  /**
   * Ends the record being read before i as missing its closing brace, and leaves its open objects and arrays: the
   * reader is back between records. Its text loses the white space and `,` that separated it from the next one.
   */
  private endBroken(chunk: string, i: number, out: RawItem[], at: string): void {
    this.hold(chunk.slice(this.start, i));
    const text = withoutSeparator(this.pieces.join(''));
    const place: RecordPlace = { in: 'text', line: this.startLine, column: this.startColumn };
    out.push({
      line: this.startLine,
      column: this.startColumn,
      text,
      reject: this.tooLarge ? TOO_LARGE : brokenOff(text, place, at),
    });
    this.pieces = [];
    this.start = -1;
    this.stack.length = this.elementDepth();
    this.depth = this.stack.length;
  }

  /** Moves past the string's closing quote, or to the end of the chunk when it continues. */
  private skipString(chunk: string, i: number): number {
    let j = i;
    if (this.escaped) {
      this.escaped = false;
      j++;
    }
    for (;;) {
      const quote = chunk.indexOf('"', j);
      if (this.slash !== Infinity && this.slash < j) {
        const found = chunk.indexOf('\\', j);
        this.slash = found < 0 ? Infinity : found;
      }
      const slash = this.slash === Infinity ? -1 : this.slash;
      if (slash >= 0 && (quote < 0 || slash < quote)) {
        if (slash + 1 >= chunk.length) {
          this.escaped = true;
          return chunk.length;
        }
        j = slash + 2;
        continue;
      }
      if (quote < 0) return chunk.length;
      this.inString = false;
      return quote;
    }
  }

  private stringClosed(chunk: string, i: number, out: RawItem[]): void {
    if (this.keyStart >= 0) {
      this.lastKey = (this.key + chunk.slice(this.keyStart, Math.min(i, this.keyStart + KEY_CHARS))).slice(
        0,
        KEY_CHARS,
      );
      this.keyStart = -1;
      this.key = '';
    }
    if (this.start >= 0 && this.kind === '"' && this.depth === this.elementDepth()) this.finish(chunk, i, out, true);
  }

  private finish(chunk: string, i: number, out: RawItem[], inclusive: boolean): void {
    const end = inclusive ? i + 1 : i;
    this.hold(chunk.slice(this.start, end));
    const text = this.pieces.join('');
    const item: RawItem = this.tooLarge
      ? { line: this.startLine, column: this.startColumn, text, reject: TOO_LARGE }
      : { line: this.startLine, column: this.startColumn, text };
    if (this.inPage && !this.tooLarge && this.kind === '{') {
      if (this.pending !== null) this.settlePending(out, false);
      this.pending = item;
    } else out.push(item);
    this.pieces = [];
    this.start = -1;
  }

  /** Keeps a piece of the record being read, or only the record's start once it is too large. */
  private hold(piece: string): void {
    if (this.tooLarge) return;
    this.held += piece.length;
    this.pieces.push(piece);
    if (this.held > MAX_RECORD_CHARS) {
      this.tooLarge = true;
      this.pieces = [tooLargeHead(this.pieces.join(''))];
    }
  }
}

/** Characters of a top-level object's key kept to recognise it. */
const KEY_CHARS = 64;

/** What may stand outside a string in a page's envelope: white space, punctuation, numbers, true, false, null. */
const ENVELOPE_VALUE_CHARS = ',:"}]{[0123456789+-.eEtrufalsn';

/** The last `{` before i that a key follows (after white space), within 64 Ki characters; else -1. */
function objectStartBefore(chunk: string, i: number): number {
  for (let q = chunk.lastIndexOf('{', i); q >= 0 && q > i - 65536; q = chunk.lastIndexOf('{', q - 1)) {
    let after = q + 1;
    while (after < i && /\s/.test(chunk[after]!)) after++;
    if (chunk.charCodeAt(after) === 34) return q;
  }
  return -1;
}

/** The start of a Graph records page (readers.ts opens whole ones), and a record's creation time key. */
const PAGE_ENVELOPE = /^\{\s*"(?:value|@odata\.)/;
/** A Graph page's start anywhere in a text. */
const PAGE_START = /\{\s*"(?:value|@odata\.)/;
/** The text just before a Graph page's first record. */
const PAGE_OPENS = /"value"\s*:\s*\[\s*$/;
const CREATION_KEY = /"(?:creationtime|creationdate|createddatetime)"/i;

/** A broken record's text without the white space, `,` or `[` that led to what follows it. */
function withoutSeparator(text: string): string {
  let end = text.length;
  for (;;) {
    const c = text.charCodeAt(end - 1);
    if (c === 32 || c === 10 || c === 13 || c === 9 || c === 44 || c === 91) end--;
    else return text.slice(0, end);
  }
}

/**
 * Where `record` (an item the last push gave) ends in `source` (the text pushed last), or -1: where it stands whole in
 * it, else (it began in an earlier chunk) where the start of `source` is its end. An identical text earlier in the
 * same chunk would be taken for it; a broken record holding the next file's start has no twin.
 */
function endIn(source: string, record: string): number {
  const at = source.indexOf(record);
  if (at >= 0) return at + record.length;
  const last = record.charCodeAt(record.length - 1);
  for (let e = Math.min(record.length, source.length); e > 0; e--)
    if (source.charCodeAt(e - 1) === last && record.endsWith(source.slice(0, e))) return e;
  return -1;
}

function lineBreaks(text: string, to: number): number {
  let n = 0;
  for (let nl = text.indexOf('\n'); nl >= 0 && nl < to; nl = text.indexOf('\n', nl + 1)) n++;
  return n;
}
