import { hex, jsonProblem, type JsonProblem } from './json-problem.js';

/**
 * The reasons a record whose JSON is broken is rejected with: where in the file (line and column, or the character of a
 * CSV cell), what is wrong there (json-problem.ts), the text around it, and what to do. Built only for a reject.
 */
/** Where a record's text sits in its file, to turn an offset in the text into a line and column of the file. */
export interface RecordPlace {
  /** 'line': an NDJSON line; 'text': a record of a JSON file, from `line`/`column` on; 'cell': a CSV AuditData cell. */
  in: 'line' | 'text' | 'cell';
  line: number;
  /** 1-based column (UTF-16 units) of the text's first character on its line. */
  column: number;
  /** An NDJSON line that is the file's last, with no line break after it. */
  lastLine?: boolean;
}

/** Characters of the text shown on each side of the fault: enough to find it, never a whole record or secret. */
const EXCERPT_CHARS = 24;

/**
 * The reason a record JSON.parse refused is rejected with: where (line and column of the file, or character of a CSV
 * cell), what is wrong there in plain words, the text around it, and what to do. Null when no fault is found.
 */
export function notValidJson(text: string, place: RecordPlace): string | null {
  const fault = jsonProblem(text);
  if (!fault) return null;
  return `not valid JSON ${where(text, fault.offset, place)}: ${fault.problem} (${excerpt(text, fault.offset)}); ${whatToDo(fault, place)}`;
}

/** "at line L, column C" of the file (columns count characters), or the character of a CSV cell. */
export function where(text: string, offset: number, place: RecordPlace): string {
  if (place.in === 'cell') return `in the AuditData cell, at its character ${characters(text, 0, offset) + 1}`;
  let line = place.line;
  let lineStart = 0;
  for (let nl = text.indexOf('\n'); nl >= 0 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  const before = lineStart === 0 ? place.column - 1 : 0;
  return `at line ${line}, column ${before + characters(text, lineStart, offset) + 1}`;
}

/** Characters (code points: an emoji is one) from `from` to `to`. */
function characters(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === from || text.charCodeAt(i - 1) < 0xd800 || text.charCodeAt(i - 1) > 0xdbff)
      n++;
  }
  return n;
}

/** The text around the fault, `<HERE>` at it; invisible and control characters written as \u escapes. */
export function excerpt(text: string, offset: number): string {
  let from = Math.max(0, offset - EXCERPT_CHARS);
  let to = Math.min(text.length, offset + EXCERPT_CHARS);
  if (from > 0 && isLowSurrogate(text.charCodeAt(from))) from--;
  if (to < text.length && isLowSurrogate(text.charCodeAt(to))) to++;
  const head = `${from > 0 ? '…' : ''}${visible(text.slice(from, offset))}`;
  const tail = offset >= text.length ? '' : `${visible(text.slice(offset, to))}${to < text.length ? '…' : ''}`;
  return `near ${head}<HERE>${tail}`;
}

/** Text with its control and invisible characters (a byte order mark, a no-break space) written as \u escapes. */
export function visible(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u00a0]/gu, (ch) => `\\u${hex(ch.charCodeAt(0))}`);
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

const AGAIN = 'import the file again (records already stored are skipped)';

function whatToDo(fault: JsonProblem, place: RecordPlace): string {
  if (fault.cutShort && place.lastLine)
    return `this is the file's last line and no line break follows it, so the file was probably cut off here: export or copy it again, or complete the record, and ${AGAIN}`;
  if (fault.cutShort && place.in === 'line')
    return `the rest of the record is not on this line (the line was cut short, or a line break inside the record split it); fix the line and ${AGAIN}`;
  if (fault.cutShort && place.in === 'cell')
    return `the cell holds only the start of its record; export the audit log again and ${AGAIN}`;
  return `fix the record there and ${AGAIN}`;
}

/**
 * The reason a record that runs into the next one (or into the array's end) is rejected; `at` says what it ran into.
 * When all it lacks is its closing brackets, they are named; else where it breaks off and how.
 */
export function brokenOff(text: string, place: RecordPlace, at: string): string {
  const fault = jsonProblem(text);
  const then = `${at}, so the record was ended there and what follows was read as the next records`;
  if (!fault || (fault.cutShort && fault.missing && !fault.missing.includes('"'))) {
    const missing = fault?.missing ?? '}';
    const seems = missing.includes(' and ') ? 'seem' : 'seems';
    return `the record's closing ${missing} ${seems} to be missing: ${then}; add the ${missing} and ${AGAIN}`;
  }
  return `the record breaks off ${where(text, fault.offset, place)}: ${fault.problem} (${excerpt(text, fault.offset)}); ${then}; fix the record and ${AGAIN}`;
}

/** The reason a record the file ends inside is rejected with: where its text stops (or breaks off), and what to do. */
export function cutOffInside(text: string, place: RecordPlace): string {
  const fault = jsonProblem(text);
  if (!fault) return 'the file ends inside this record: the file was cut off; export or copy it again to get the rest';
  const at = `${where(text, fault.offset, place)}: ${fault.problem} (${excerpt(text, fault.offset)})`;
  if (!fault.cutShort)
    return `the file ends inside this record, which breaks off ${at}; what follows it could not be read as records. Fix the record and ${AGAIN}`;
  const missing = fault.missing ?? '}';
  return `the file ends inside this record, ${at}. The file was cut off there, or lost the record's closing ${missing}; the records before it were read. Export or copy the file again to get the rest, or if nothing else is missing, add the ${missing} and ${AGAIN}`;
}
