import { visible } from './json-reasons.js';
import { MAX_RECORD_CHARS, tooLargeHead } from './record-size.js';

/**
 * Splits CSV text into records (RFC 4180: a line break inside a quoted cell belongs to the cell) and
 * each record into cells, keeping the exact line every record starts on.
 *
 * Hand-written instead of csv-parse, which the importer used first, for two reasons measured here:
 * csv-parse costs 60–90 µs per 1 KB Purview row (ten times the rest of an import), and when a quote is
 * never closed it swallows the rows after it without giving their text back (its skip event carries
 * only the text up to the error). Here a record whose quoting is broken and that spans several lines
 * gives back its first line as the broken row, and the lines after it are read again as rows of their
 * own, so one bad quote costs one row (issue 2 §4: a bad row never stops an import, nothing is lost
 * silently). A record held open longer than MAX_SPAN_LINES / MAX_SPAN_CHARS is treated the same way,
 * which also bounds memory whatever the file.
 */
export interface CsvRecord {
  /** 1-based line of the decoded file the record starts on. */
  line: number;
  /** The record's text as written, without its final line break. */
  text: string;
  /** Its cells, or why they could not be read. */
  cells: string[] | null;
  error: string | null;
  /** A line longer than MAX_RECORD_CHARS: skipped unread, `text` is the record's start (record-size.ts). */
  tooLarge?: true;
}

/** Purview AuditData cells are single-line JSON; pretty-printed ones run to a few hundred lines. */
export const MAX_SPAN_LINES = 5_000;
export const MAX_SPAN_CHARS = 8 << 20;

interface PhysicalLine {
  line: number;
  /** With its line break ('\n' or '\r\n'), so a multi-line cell keeps its own. */
  text: string;
  /** Odd when the line holds an odd number of quote characters. */
  quotes: number;
}

export class CsvRecordSplitter {
  private pending: PhysicalLine[] = [];
  private pendingChars = 0;
  private open = false;
  private rest = '';
  private line = 0;
  /** The start of a line longer than MAX_RECORD_CHARS, while the rest of it is skipped unread. */
  private skipped: string | null = null;

  constructor(
    private readonly delimiter = ',',
    private skipLines = 0,
  ) {}

  /** Feeds decoded text; returns the records completed in it. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let text = this.rest + chunk;
    if (this.skipped !== null) {
      const nl = chunk.indexOf('\n');
      if (nl < 0) return out;
      this.tooLarge(out);
      text = chunk.slice(nl + 1);
    }
    let from = 0;
    for (let nl = text.indexOf('\n', from); nl >= 0; nl = text.indexOf('\n', from)) {
      this.physical(text.slice(from, nl + 1), out);
      from = nl + 1;
    }
    this.rest = text.slice(from);
    if (this.rest.length > MAX_RECORD_CHARS) {
      this.skipped = tooLargeHead(this.rest);
      this.rest = '';
    }
    return out;
  }

  /**
   * A line too long to hold (a cell of hundreds of MB held the whole line, then the record, several times
   * over): it ends the record it is in, which is rejected unread, and reading goes on at the next line.
   */
  private tooLarge(out: CsvRecord[]): void {
    this.line++;
    if (this.skipLines > 0) {
      this.skipLines--;
      this.skipped = null;
      return;
    }
    const head = this.pending.length ? tooLargeHead(stripBreak(this.pending[0]!.text)) : this.skipped!;
    out.push({ line: this.pending[0]?.line ?? this.line, text: head, cells: null, error: null, tooLarge: true });
    this.skipped = null;
    this.reset();
  }

  /** End of input: the last line, and a record whose quote was never closed. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.skipped !== null) this.tooLarge(out);
    if (this.rest) this.physical(this.rest, out);
    this.rest = '';
    while (this.open) this.recover(out, 'the quote opened in this row is never closed');
    return out;
  }

  private physical(text: string, out: CsvRecord[]): void {
    this.line++;
    if (this.skipLines > 0) {
      this.skipLines--;
      return;
    }
    // The byte order mark of an export joined after the first (`cat a.csv b.csv`) starts its header row.
    const row = !this.open && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    this.add({ line: this.line, text: row, quotes: countQuotes(row) }, out);
  }

  private add(line: PhysicalLine, out: CsvRecord[]): void {
    if (!this.open && isBlank(line.text)) return;
    this.pending.push(line);
    this.pendingChars += line.text.length;
    if (line.quotes % 2 === 1) this.open = !this.open;
    if (!this.open) this.complete(out);
    else if (this.pending.length > MAX_SPAN_LINES || this.pendingChars > MAX_SPAN_CHARS) {
      const span =
        this.pendingChars > MAX_SPAN_CHARS
          ? `${Math.round(MAX_SPAN_CHARS / (1 << 20))} MB`
          : `${MAX_SPAN_LINES.toLocaleString('en-US')} lines`;
      this.recover(
        out,
        `the quote opened in this row is still open ${this.pending.length} lines later: a closing quote is missing, or ` +
          `one row runs over more than the ${span} a CSV row may span (export such a record as NDJSON or JSON instead)`,
      );
    }
  }

  private complete(out: CsvRecord[]): void {
    const text = stripBreak(
      this.pending.length === 1 ? this.pending[0]!.text : this.pending.map((l) => l.text).join(''),
    );
    const parsed = splitCells(text, this.delimiter);
    if (typeof parsed !== 'string' || this.pending.length === 1) {
      out.push({
        line: this.pending[0]!.line,
        text,
        cells: typeof parsed === 'string' ? null : parsed,
        error: typeof parsed === 'string' ? parsed : null,
      });
      this.reset();
      return;
    }
    // Several lines that do not split into cells: a quote in the first one ran on into the next ones.
    this.recover(out, 'a quote opened in this row is never closed where a cell can end');
  }

  /** The first pending line is the broken row; the lines after it are read again on their own. */
  private recover(out: CsvRecord[], why: string): void {
    const [first, ...again] = this.pending;
    this.reset();
    if (!first) return;
    const text = stripBreak(first.text);
    // The row alone may say more precisely what is wrong (a stray quote in an unquoted cell).
    const own = splitCells(text, this.delimiter);
    const reason = typeof own === 'string' && !own.includes('never closed') ? own : why;
    out.push({
      line: first.line,
      text,
      cells: null,
      error: `${reason}; the lines after it were read again as rows of their own`,
    });
    for (const line of again) this.add(line, out);
  }

  private reset(): void {
    this.pending = [];
    this.pendingChars = 0;
    this.open = false;
  }
}

/**
 * The cells of one record. A quoted cell ends at a quote followed by the delimiter or the end;
 * doubled quotes inside it are one quote. A quote inside an unquoted cell, or text after a closing
 * quote, is broken quoting: the reason says where.
 */
export function splitCells(text: string, delimiter = ','): string[] | string {
  const cells: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === 34) {
      let j = i + 1;
      let doubled = false;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) return `the quote opening cell ${cells.length + 1} is never closed`;
        if (text.charCodeAt(q + 1) === 34) {
          doubled = true;
          j = q + 2;
          continue;
        }
        const value = text.slice(i + 1, q);
        cells.push(doubled ? value.replaceAll('""', '"') : value);
        i = q + 1;
        break;
      }
      if (i < n && text[i] !== delimiter)
        return `cell ${cells.length} has ${shown(text.slice(i, i + 12))} after its closing quote (a quote inside a cell must be doubled)`;
    } else {
      const d = text.indexOf(delimiter, i);
      const end = d < 0 ? n : d;
      const value = text.slice(i, end);
      if (value.includes('"'))
        return value.startsWith('\ufeff"')
          ? `cell ${cells.length + 1} starts with a byte order mark (U+FEFF, invisible in most editors) before its quote: delete it`
          : `cell ${cells.length + 1} (${shown(value.slice(0, 24))}) holds a quote but is not quoted`;
      cells.push(value);
      i = end;
    }
    if (i >= n) return cells;
    i++;
    if (i === n) {
      cells.push('');
      return cells;
    }
  }
}

/** A piece of a row as a JSON string, invisible characters too written as escapes (json-reasons.ts visible). */
function shown(text: string): string {
  return visible(JSON.stringify(text));
}

function countQuotes(text: string): number {
  let count = 0;
  for (let q = text.indexOf('"'); q >= 0; q = text.indexOf('"', q + 1)) count++;
  return count;
}

function stripBreak(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}
