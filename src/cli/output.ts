import { Option } from 'commander';
import { AppError } from '../core/errors.js';
import { csvLine, UTF8_BOM } from '../search/csv.js';
import { tableChunks, type TableColumn } from '../search/table.js';
import { countOf } from '../core/words.js';
import { terminalText } from '../core/terminal.js';

/** Counts in words live in core (the collector, sinks and posture say them too); the CLI's commands take them from here. */
export { countOf, pluralOf } from '../core/words.js';

/**
 * How the CLI prints: every listing command takes `--format table|json|jsonl|csv` (DESIGN.md CLI
 * contract) and prints through here, with the same CSV rules as search results (search/csv.ts).
 */
export const LISTING_FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;
export type ListingFormat = (typeof LISTING_FORMATS)[number];

/** What each format is for, said in the hint of a bad `--format`. */
const FORMAT_USES: Record<string, string> = {
  table: 'table (for people)',
  jsonl: 'jsonl (one object per line)',
  csv: 'csv (opens safely in Excel)',
};

/** `table, json, jsonl or csv`: how help texts and hints list a command's formats. */
function orList(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/**
 * The `--format` option of a command, described one way everywhere. It is not given commander's
 * `.choices()`: commander would answer a bad value in its own words, before the action runs; the action
 * calls parseFormat with the same formats instead, so every command answers alike (exit 2, with a hint).
 */
export function formatOption(formats: readonly string[] = LISTING_FORMATS, what = 'output format'): Option {
  return new Option('--format <format>', `${what}: ${orList(formats)}`).default(formats[0]);
}

/** The `--format` a command was given, one of the formats it takes (the first when none was given). */
export function parseFormat<F extends string = ListingFormat>(
  text: string | undefined,
  formats: readonly F[] = LISTING_FORMATS as readonly string[] as readonly F[],
): F {
  if (text === undefined) return formats[0] as F;
  const value = text.trim().toLowerCase();
  if ((formats as readonly string[]).includes(value)) return value as F;
  throw new AppError('USAGE', `--format ${text} is not one of ${formats.join(', ')}`, {
    hint: `Use --format ${orList(formats.map((f) => FORMAT_USES[f] ?? f))}`,
  });
}

/**
 * A small table for a command's summary (collect, import, coverage gaps): every row in memory, columns as wide as
 * their widest cell, two spaces apart, the columns `right` names aligned right. Each cell is made safe for the
 * terminal: a file name, a tenant name or a service's error text may hold an escape sequence.
 */
export function alignedTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  right: (column: number) => boolean = () => false,
): string {
  const cells = [head, ...rows].map((row) => head.map((_, i) => terminalText(row[i] ?? '')));
  const widths = head.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => (right(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return cells.map((row) => line(row) + '\n').join('');
}

export interface ListingColumn extends TableColumn {
  /** Header in csv (default: the key). */
  csv?: string;
}

type Rows = AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>;

/**
 * Prints a listing. json is `{"count": N, "<name>": [...]}` (name defaults to "rows"); jsonl one
 * object per line; csv with a BOM and header; table aligned with a footer counting the rows (or `count`
 * when the caller knows a larger total). Returns the number of rows printed.
 */
export async function writeListing(
  format: ListingFormat,
  columns: readonly ListingColumn[],
  rows: Rows,
  out: NodeJS.WritableStream,
  options: { count?: number; name?: string; noun?: string } = {},
): Promise<number> {
  return writeChunks(listingChunks(format, columns, rows, options), out);
}

export async function* listingChunks(
  format: ListingFormat,
  columns: readonly ListingColumn[],
  rows: Rows,
  options: { count?: number; name?: string; noun?: string } = {},
): AsyncGenerator<string, number> {
  const pick = (row: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(columns.map((c) => [c.key, row[c.key] ?? null]));
  let n = 0;
  if (format === 'table') {
    const noun = options.noun ?? 'row';
    return yield* tableChunks(columns, rows, {
      footer: (shown) => {
        const total = options.count ?? shown;
        const label = countOf(total, noun);
        return shown === total ? label : `${shown.toLocaleString('en-US')} shown of ${label}`;
      },
    });
  }
  if (format === 'json') return yield* jsonChunks(rows, pick, options);
  if (format === 'csv') yield UTF8_BOM + csvLine(columns.map((c) => c.csv ?? c.key));
  for await (const row of rows) {
    yield format === 'csv' ? csvLine(columns.map((c) => row[c.key])) : JSON.stringify(pick(row)) + '\n';
    n++;
  }
  return n;
}

/**
 * Beside an empty listing in table format, a note on stderr saying what would fill it (stdout keeps the listing
 * itself, a header and "0 sinks", so a pipe still gets a listing): a bare "0 sinks" left a newcomer guessing.
 * json, jsonl and csv print only the empty listing: their stdout is data and an empty one is an answer.
 */
export function noteIfEmpty(err: NodeJS.WritableStream, format: ListingFormat, rows: number, note: string): void {
  if (format === 'table' && rows === 0) err.write(`tenantwatch: note: ${note}\n`);
}

/**
 * `{"count": N, "<name>": [...]}`, the count first as in search output. When the caller gives the
 * count, rows stream; otherwise they are gathered first (listings are small: tenants, windows, report rows).
 */
async function* jsonChunks(
  rows: Rows,
  pick: (row: Record<string, unknown>) => Record<string, unknown>,
  options: { count?: number; name?: string },
): AsyncGenerator<string, number> {
  const name = JSON.stringify(options.name ?? 'rows');
  let n = 0;
  if (options.count !== undefined) {
    yield `{"count":${options.count},${name}:[`;
    for await (const row of rows) yield (n++ === 0 ? '\n' : ',\n') + JSON.stringify(pick(row));
    yield n === 0 ? ']}\n' : '\n]}\n';
    return n;
  }
  const items: string[] = [];
  for await (const row of rows) items.push(JSON.stringify(pick(row)));
  yield `{"count":${items.length},${name}:[${items.length ? '\n' + items.join(',\n') + '\n' : ''}]}\n`;
  return items.length;
}

/**
 * Writes text chunks to a stream in blocks of about 64 KB, waiting for 'drain' when the stream is
 * full, so a slow pipe (`| less`, a network share) never makes memory grow. Returns the generator's
 * result. On a write error the generator is closed (and with it the store's cursor) before rethrowing.
 */
export async function writeChunks(chunks: AsyncGenerator<string, number>, out: NodeJS.WritableStream): Promise<number> {
  let block = '';
  try {
    for (;;) {
      const next = await chunks.next();
      if (next.done) {
        if (block) await write(out, block);
        return next.value;
      }
      block += next.value;
      if (block.length >= 65_536) {
        await write(out, block);
        block = '';
      }
    }
  } catch (e) {
    // A closed pipe (`| head`) or a failed write: close the generator so the store stops reading.
    await chunks.return(0).catch(() => undefined);
    throw e;
  }
}

/**
 * One block written, resolved once the stream takes more. Errors (a closed pipe) arrive as the stream's
 * 'error' event; no per-write callback is passed: a callback per block kept every block written reachable
 * (a search of 450,000 records ran out of a 200 MB heap; output.test.ts).
 */
function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: unknown): void => {
      out.off('drain', done);
      reject(e instanceof Error ? e : new Error(String(e)));
    };
    const done = (): void => {
      out.off('error', onError);
      resolve();
    };
    out.once('error', onError);
    if (out.write(text)) done();
    else out.once('drain', done);
  });
}
