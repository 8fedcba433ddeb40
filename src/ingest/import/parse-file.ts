import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { AuditRecord } from '../../core/record.js';
import type { RecordKeys } from '../../store/contract.js';
import { cutByPowerShell, normalizeRecord } from '../normalize.js';
import { depthCutValue } from '../powershell-cut.js';
import { readCsv } from './csv-reader.js';
import { BinaryFileError, decodeText } from './decode.js';
import { detectFormat } from './detect.js';
import { notValidJson } from './json-reasons.js';
import { jsonRecords, ndjsonResplitter, readNdjson } from './readers.js';
import type { FileError, ImportFormat, RawItem } from './types.js';

/**
 * The reading half of an import, one file: stream the bytes, recognise encoding and format from
 * content, split records, normalize each one, and hand back batches of records with the rows that
 * could not be read. It stores nothing, so it can run in a worker thread (parse-worker.ts) while the
 * importer's thread writes the previous batch; everything it yields survives structured cloning.
 */
export interface ParseOptions {
  /** Tenant key for every record; else each record's OrganizationId. */
  tenant?: string;
  /** Records per batch. */
  batchSize: number;
  /** The time of the import: a CreationTime far after it is refused (normalize.ts). */
  now?: number;
}

/**
 * The reason given for a record whose text held bytes that are not UTF-8. Rejected rather than
 * repaired: U+FFFD in place of the bytes would change evidence without a trace, and the original
 * bytes stay in the file at the line named (docs/adr/0023-bad-input.md).
 */
const NOT_UTF8 =
  'the record holds bytes that are not UTF-8 text (they would be stored as U+FFFD); re-export the file as UTF-8, or fix the bytes at this line and import it again';

/**
 * The note on a JSON file whose text ends with an array or object still open: an export stopped part way, or a
 * copy cut short. What was read before the cut is imported; the rest is not in the file.
 */
const CUT_OFF =
  'the file ends before its JSON is closed (a ] or } is missing): it was cut off, so records after the cut are not in it; the ones before were read. Export or copy it again to get the rest';

/**
 * The note on a JSON file in which a Graph page stops before its end and another file's text starts (a copy cut short,
 * then joined to the next: `cat a.json b.json`). The records on both sides were read; what the page lost after its
 * records is its @odata.nextLink, so the pages after it may be missing.
 */
function pagesCutOff(lines: readonly number[]): string {
  const where =
    lines.length === 1 ? `line ${lines[0]}` : `lines ${lines.slice(0, 5).join(', ')}${lines.length > 5 ? ', …' : ''}`;
  return `a Graph page is cut off before its end where another file's text starts (${where}): the records on both sides were read, but the page's @odata.nextLink is lost, so pages after it may be missing; export or copy that file again if they are`;
}

/** What is known about the file: sent first (size) and last (format, encoding, error, note). */
export interface FileFacts {
  kind: 'facts';
  format: ImportFormat | null;
  encoding: string | null;
  bytes: number;
  error: FileError | null;
  note: string | null;
}

export interface ParsedBatch {
  kind: 'batch';
  records: AuditRecord[];
  /** The line each record starts at, by position in `records` (a conflict's reject names it). */
  lines: number[];
  /** What the store derives from each record, when the parse worker computed it (packed-records.ts). */
  keys?: RecordKeys[];
  /** Rows that could not be imported, in file order, since the previous batch. */
  rejects: { line: number; reason: string; raw: string }[];
  /** Records found in this batch (records + rejects). */
  read: number;
  /** Of `records`, those holding values ConvertTo-Json cut at its depth limit (powershell-cut.ts). */
  cutByPowerShell: number;
  /** Bytes of the file read so far (progress). */
  bytesRead: number;
}

export type FileEvent = FileFacts | ParsedBatch;

const HEAD_CHARS = 4096;

export async function* parseFile(path: string, options: ParseOptions): AsyncGenerator<FileEvent> {
  const facts: FileFacts = { kind: 'facts', format: null, encoding: null, bytes: 0, error: null, note: null };
  const size = await fileSize(path, facts);
  if (size === null) {
    yield facts;
    return;
  }
  facts.bytes = size;
  yield { ...facts };
  if (size === 0) {
    facts.note = 'the file is empty: nothing to import';
    yield facts;
    return;
  }
  const bytes = createReadStream(path, { highWaterMark: 1 << 20 });
  let bytesRead = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const b of bytes as AsyncIterable<Buffer>) {
      bytesRead += b.length;
      yield b;
    }
  }
  let found = 0;
  let cutOff = false;
  try {
    const decoded = await decodeText(gunzipped(counted()));
    facts.encoding = decoded.encoding;
    const { head, chunks } = await peek(decoded.chunks);
    if (head.trim() === '') {
      // peek reads on while the head is white space, so this is the whole file: as empty as an empty one
      // (it was "not an audit log export … (it starts with \"\")").
      facts.note =
        head === ''
          ? 'the file holds no text: nothing to import' // a byte order mark alone, or a gzip of nothing
          : 'the file holds only blank lines: nothing to import';
      yield facts;
      return;
    }
    const detected = detectFormat(head);
    if (!detected) {
      facts.error = notAnExport(path, head);
      yield facts;
      return;
    }
    facts.format = detected.format;
    let joins: readonly number[] = [];
    const json =
      detected.format === 'json'
        ? jsonRecords(
            chunks,
            () => (cutOff = true),
            (lines) => (joins = lines),
          )
        : null;
    const items = json
      ? json.items
      : detected.format === 'csv'
        ? readCsv(chunks, detected.skipLines)
        : readNdjson(chunks);
    const resplit = json
      ? { of: json.resplit, rest: true }
      : detected.format === 'ndjson'
        ? { of: ndjsonResplitter((lines) => (joins = [...joins, ...lines])), rest: false }
        : undefined;
    const read = batches(items, detected.format, options, () => bytesRead, decoded.invalid, resplit);
    for await (const batch of read) {
      found += batch.read;
      yield batch;
    }
    if (joins.length) facts.note = pagesCutOff(joins) + (cutOff ? `; and ${CUT_OFF}` : '');
    else if (cutOff) facts.note = CUT_OFF;
    else if (found === 0) facts.note = 'no records found in the file';
  } catch (e) {
    if (e instanceof BinaryFileError) facts.error = binary(path, e.offset);
    else if (isZlibError(e)) facts.error = damagedGzip(path, e, found);
    else if (isFsError(e)) facts.error = unreadable(path, e);
    else throw e;
  } finally {
    bytes.destroy();
  }
  yield facts;
}

/**
 * The file's bytes, decompressed when they are gzip (the first two bytes say so, whatever the name): archives of
 * exports and collectors' blobs are often kept as .json.gz or .csv.gz. Streamed, so memory holds a chunk of each
 * side however large the file inflates; progress still counts the bytes read from the disk.
 */
async function* gunzipped(bytes: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const iterator = bytes[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  async function* all(): AsyncGenerator<Buffer> {
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  if (first.value[0] !== 0x1f || first.value[1] !== 0x8b) return yield* all();
  const source = Readable.from(all());
  const inflate = createGunzip();
  source.on('error', (e) => inflate.destroy(e));
  source.pipe(inflate);
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) yield chunk;
  } finally {
    source.destroy();
  }
}

function isZlibError(e: unknown): e is NodeJS.ErrnoException {
  return isFsError(e) && typeof e.code === 'string' && e.code.startsWith('Z_');
}

function damagedGzip(path: string, e: Error, found: number): FileError {
  return {
    code: 'FILE_FORMAT',
    message: `${path} is gzip data that is damaged or cut short (${e.message})${found ? `; the ${found.toLocaleString('en-US')} records before the damage were read` : ''}`,
    hint: 'Copy or download the file again; `gzip -t FILE` tests it',
  };
}

/**
 * Normalizes items into batches of `batchSize` records; rejects travel with the batch they fell in. `resplit.of` is
 * asked about a record JSON.parse refused: when a record starts inside it, what it gives replaces that record, and with
 * `rest` the items after it in its array too (readers.ts jsonRecords, ndjsonResplitter).
 */
async function* batches(
  items: AsyncIterable<RawItem[]>,
  format: ImportFormat,
  options: ParseOptions,
  bytesRead: () => number,
  invalid: { lines: number },
  resplit?: { of: (item: RawItem) => RawItem[] | null; rest: boolean },
): AsyncGenerator<ParsedBatch> {
  const ctx = {
    source: 'import' as const,
    ...(options.tenant ? { tenant: options.tenant } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  };
  const empty = (): ParsedBatch => ({
    kind: 'batch',
    records: [],
    lines: [],
    rejects: [],
    read: 0,
    cutByPowerShell: 0,
    bytesRead: 0,
  });
  let batch = empty();
  try {
    for await (const chunk of items) {
      let list = chunk;
      for (let k = 0; k < list.length; k++) {
        const item = list[k]!;
        batch.read++;
        const result =
          item.reject !== undefined
            ? { ok: false as const, reason: item.reject }
            : invalid.lines > 0 && item.text.includes('\uFFFD')
              ? (invalid.lines--, { ok: false as const, reason: NOT_UTF8 })
              : normalizeRecord(item.text, ctx);
        const again = !result.ok && 'notJson' in result && resplit ? resplit.of(item) : null;
        if (again) {
          batch.read--;
          list = resplit!.rest ? again : [...again, ...list.slice(k + 1)];
          k = -1;
          continue;
        }
        if (result.ok) {
          batch.records.push(result.record);
          batch.lines.push(item.line);
          if (depthCutValue(result.record.raw) !== null) batch.cutByPowerShell++;
        } else
          batch.rejects.push({
            line: item.line,
            reason: 'notJson' in result ? notJsonReason(item, format, result.reason) : result.reason,
            raw: item.text,
          });
        if (batch.records.length >= options.batchSize || batch.rejects.length >= options.batchSize) {
          yield { ...batch, bytesRead: bytesRead() };
          batch = empty();
        }
      }
    }
  } catch (e) {
    // The bytes stopped part way (gzip cut short, a read error): the records read before it are kept, then it is told.
    if (batch.read) yield { ...batch, bytesRead: bytesRead() };
    throw e;
  }
  yield { ...batch, bytesRead: bytesRead() };
}

/**
 * Why JSON.parse refused a record, said where in the file, in plain words, with what to do (json-problem.ts); only on
 * this failure path. A text PowerShell wrote in place of an object keeps normalize's reason, which says so.
 */
function notJsonReason(item: RawItem, format: ImportFormat, fallback: string): string {
  if (cutByPowerShell(item.text)) return fallback;
  const place = {
    in: format === 'csv' ? ('cell' as const) : format === 'ndjson' ? ('line' as const) : ('text' as const),
    line: item.line,
    column: item.column ?? 1,
    ...(item.lastLine ? { lastLine: true } : {}),
  };
  return notValidJson(item.text, place) ?? fallback;
}

async function peek(chunks: AsyncGenerator<string>): Promise<{ head: string; chunks: AsyncGenerator<string> }> {
  const seen: string[] = [];
  let head = '';
  while (head.trimStart().length < HEAD_CHARS) {
    const next = await chunks.next();
    if (next.done) break;
    seen.push(next.value);
    head += next.value;
  }
  async function* all(): AsyncGenerator<string> {
    yield* seen;
    yield* chunks;
  }
  return { head, chunks: all() };
}

async function fileSize(path: string, facts: FileFacts): Promise<number | null> {
  try {
    const info = await stat(path);
    if (info.isFile()) return info.size;
    facts.error = {
      code: 'FILE_UNREADABLE',
      message: `${path} is not a file`,
      hint: 'Give the path of an exported audit log file',
    };
  } catch (e) {
    facts.error =
      isFsError(e) && e.code === 'ENOENT'
        ? { code: 'FILE_NOT_FOUND', message: `${path} does not exist`, hint: 'Check the path and the current folder' }
        : unreadable(path, e);
  }
  return null;
}

function isFsError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

function unreadable(path: string, e: unknown): FileError {
  return {
    code: 'FILE_UNREADABLE',
    message: `${path} cannot be read (${(e as Error).message})`,
    hint: 'Check the file permissions',
  };
}

function binary(path: string, offset: number): FileError {
  return {
    code: 'FILE_FORMAT',
    message: `${path} is not a text file (binary content near character ${offset})`,
    hint: 'Import the audit log as exported (CSV, JSON or NDJSON, or any of them gzipped); unpack .zip, .7z, .bz2 or .xz files first',
  };
}

function notAnExport(path: string, head: string): FileError {
  const first = head.trimStart().split(/\r?\n/, 1)[0]!.slice(0, 60);
  return {
    code: 'FILE_FORMAT',
    message: `${path} is not an audit log export tenantwatch recognises (it starts with ${JSON.stringify(first)})`,
    hint: 'Use a Purview or Export-Csv CSV with an AuditData column, a JSON array of records, NDJSON, a Management API content blob or a Graph records page',
  };
}
