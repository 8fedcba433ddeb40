import { nestedDeeperThan } from '../../core/json.js';
import { embeddedRecordStart } from './embedded-record.js';
import { JsonSplitter } from './json-splitter.js';
import { MAX_RECORD_CHARS, TOO_LARGE, tooLargeHead } from './record-size.js';
import type { RawItem } from './types.js';

/**
 * NDJSON: one record per line (CRLF tolerated, blank lines skipped). A line holding a Graph records
 * page (`{"value": [...]}`, `{ "@odata.context": …`) gives its elements. Lines are split on the decoded text, so memory holds
 * one chunk and at most one partial line. A line longer than `max` characters that opens an array or an object (a
 * saved array of records, a Graph page, on one line) is read as it streams through a JSON splitter, which holds one
 * record at a time: its records are read, and only one too large is refused; any other line that long is skipped.
 */
export async function* readNdjson(chunks: AsyncIterable<string>, max = MAX_RECORD_CHARS): AsyncGenerator<RawItem[]> {
  let rest = '';
  let line = 0;
  /** The start of a line longer than `max`, while the rest of it is skipped unread. */
  let skipped: string | null = null;
  /** The splitter reading a line longer than `max` that opens an array or object. */
  let long: JsonSplitter | null = null;
  for await (const chunk of chunks) {
    const items: RawItem[] = [];
    let text = rest + chunk;
    if (skipped !== null || long !== null) {
      const nl = chunk.indexOf('\n');
      if (long) pushSplit(items, long.push(nl < 0 ? chunk : chunk.slice(0, nl)), line + 1);
      if (nl < 0) {
        if (items.length) yield items;
        continue;
      }
      line++;
      if (long) pushSplit(items, long.end(), line);
      else items.push({ line, text: skipped!, reject: TOO_LARGE });
      skipped = null;
      long = null;
      text = chunk.slice(nl + 1);
    }
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      line++;
      pushLine(items, text.slice(from, nl), line, false, max);
      from = nl + 1;
    }
    rest = text.slice(from);
    if (rest.length > max) {
      if (opensValue(rest)) {
        long = new JsonSplitter();
        pushSplit(items, long.push(rest), line + 1);
      } else skipped = tooLargeHead(rest);
      rest = '';
    }
    if (items.length) yield items;
  }
  const items: RawItem[] = [];
  if (long !== null) pushSplit(items, long.end(), ++line);
  else if (skipped !== null) items.push({ line: ++line, text: skipped, reject: TOO_LARGE });
  else if (rest) pushLine(items, rest, ++line, true, max);
  if (items.length) yield items;
}

/** Whether a line starts (after a byte order mark and white space) with `[` or `{`. */
function opensValue(text: string): boolean {
  const first = /[^\s\ufeff]/.exec(text.slice(0, 1024));
  return first !== null && (first[0] === '[' || first[0] === '{');
}

/** Items a splitter found on one NDJSON line (its line 1), placed on that line of the file. */
function pushSplit(items: RawItem[], found: RawItem[], line: number): void {
  for (const item of found) {
    item.line = line;
    pushItem(items, item);
  }
}

function pushLine(items: RawItem[], raw: string, line: number, last = false, max = MAX_RECORD_CHARS): void {
  let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  // The byte order mark of a file joined after this one's first (`cat a.ndjson b.ndjson`): not part of the record.
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom) text = text.slice(1);
  if (text.length > max) {
    if (opensValue(text)) {
      const splitter = new JsonSplitter();
      pushSplit(items, [...splitter.push(raw), ...splitter.end()], line);
    } else items.push({ line, text: tooLargeHead(text), reject: TOO_LARGE });
    return;
  }
  if (text.trim() === '') return;
  const item: RawItem = { line, text };
  if (bom) item.column = 2;
  if (last) item.lastLine = true;
  // A line is one row: split into its elements only when it is a whole array of records (a saved array on one line);
  // a broken or other array stays one reject, as every other broken line is.
  if (text.charCodeAt(0) === 91 && !arrayOfObjects(text)) items.push(item);
  else pushItem(items, item);
}

/** Whether the text is a JSON array whose elements are all objects (parsed only for a line that starts with `[`). */
function arrayOfObjects(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return (
      Array.isArray(value) &&
      value.length > 0 &&
      value.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e))
    );
  } catch {
    return false;
  }
}

/**
 * An item, or when it is a whole Graph records page (an NDJSON line, an element of an array of pages) its records,
 * or when it is an array (an NDJSON line holding a saved array, an array joined into an array) its elements.
 */
function pushItem(items: RawItem[], item: RawItem): void {
  if (item.reject === undefined && item.text.charCodeAt(0) === 91) {
    pushElements(items, item);
    return;
  }
  const page = item.reject === undefined ? graphPage(item.text) : null;
  if (page) for (const element of page) items.push({ line: item.line, text: JSON.stringify(element) });
  else items.push(item);
}

/**
 * NDJSON's failure path: a line JSON.parse refused that holds a record starting inside it (a Graph page or an array cut
 * short and the next file joined on the same line: `cat a.json b.json` of one-line pages) is read as JSON text, so
 * that its records are read and only its broken part is rejected (`onJoins`: the lines where a Graph page cut short ran
 * into the next file's text). Returns the items that replace the line, else null.
 */
export function ndjsonResplitter(onJoins?: (lines: readonly number[]) => void): (item: RawItem) => RawItem[] | null {
  /** Items this made: each is read once, so a piece it gives back is never split again. */
  const made = new WeakSet<RawItem>();
  return (item) => {
    const c = item.text.charCodeAt(0);
    if (item.reject !== undefined || made.has(item) || (c !== 123 && c !== 91)) return null;
    if (embeddedRecordStart(item.text) <= 0) return null;
    const items: RawItem[] = [];
    const joins = pushElements(items, { ...item, column: item.column ?? 1 });
    if (joins.length) onJoins?.(joins);
    for (const i of items) made.add(i);
    return items;
  };
}

/** The elements of an array item, each with its own line and column in the file (rarely taken: only on odd input). */
function pushElements(items: RawItem[], array: RawItem): readonly number[] {
  const splitter = new JsonSplitter();
  const column = array.column ?? 1;
  for (const element of [...splitter.push(array.text), ...splitter.end()]) {
    const line = element.line;
    element.line = array.line + line - 1;
    if (line === 1) element.column = column + (element.column ?? 1) - 1;
    pushItem(items, element);
  }
  const joins = splitter.joins.map((line) => array.line + line - 1);
  // A page left open at the end of the text: the next file's page was read as one of its records.
  return splitter.cutOff && !joins.length ? [array.line] : joins;
}

const PAGE_START = /^\s*\{\s*"(?:value|@odata\.)/;

function graphPage(text: string): unknown[] | null {
  // A record may nest 64 levels (normalize.ts), its page two more; deeper, the page is refused whole.
  if (!PAGE_START.test(text) || !text.includes('"value"') || nestedDeeperThan(text, 66)) return null;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const record = 'auditData' in parsed || 'createdDateTime' in parsed || 'CreationTime' in parsed;
    return Array.isArray(parsed.value) && !record ? parsed.value : null;
  } catch {
    return null;
  }
}

/**
 * JSON arrays, concatenated objects and Graph pages (also an array of pages: a script's list of responses saved
 * whole), through the streaming splitter; `onCutOff` is called at
 * the end when the text left an array or object open (the file was cut off).
 */
export async function* readJson(chunks: AsyncIterable<string>, onCutOff?: () => void): AsyncGenerator<RawItem[]> {
  yield* jsonRecords(chunks, onCutOff).items;
}

/**
 * readJson's items, `onJoins` with the lines where a Graph page cut short ran into the next file, and `resplit` for the failure path: given an item of the array last yielded that JSON.parse
 * refused, the items that replace it and the rest of that array when a record starts inside it (JsonSplitter.resplit),
 * else null.
 */
export function jsonRecords(
  chunks: AsyncIterable<string>,
  onCutOff?: () => void,
  onJoins?: (lines: readonly number[]) => void,
): { items: AsyncGenerator<RawItem[]>; resplit: (item: RawItem) => RawItem[] | null } {
  const splitter = new JsonSplitter();
  const pages = (split: RawItem[]): RawItem[] => {
    const items: RawItem[] = [];
    for (const item of split) pushItem(items, item);
    return items;
  };
  async function* items(): AsyncGenerator<RawItem[]> {
    for await (const chunk of chunks) {
      const found = pages(splitter.push(chunk));
      if (found.length) yield found;
    }
    const tail = pages(splitter.end());
    if (tail.length) yield tail;
    if (splitter.cutOff) onCutOff?.();
    if (splitter.joins.length) onJoins?.(splitter.joins);
  }
  return {
    items: items(),
    resplit: (item) => {
      const again = splitter.resplit(item);
      return again && pages(again);
    },
  };
}
