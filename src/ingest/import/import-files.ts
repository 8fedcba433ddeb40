import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { AppError } from '../../core/errors.js';
import type { AuditRecord } from '../../core/record.js';
import { normalizeRecord } from '../normalize.js';
import { readCsv } from './csv-reader.js';
import { BinaryFileError, decodeText } from './decode.js';
import { detectFormat } from './detect.js';
import { readJson, readNdjson } from './readers.js';
import type { FileError, FileSummary, ImportOptions, ImportSummary, RawItem } from './types.js';

/**
 * Imports audit records from files (issue 2 §4). Each file is streamed (constant memory), its format
 * recognised from content, each record normalized and stored in batches through `sink`. A bad row is
 * written to `rejects` with file, line and reason and counted; it never stops the import. A file that
 * cannot be read at all (missing, binary, not an audit export) is reported in its summary and the next
 * file is read.
 */
const DEFAULT_BATCH = 5000;
const HEAD_CHARS = 4096;

export async function importFiles(paths: string[], options: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { files: [], read: 0, imported: 0, duplicates: 0, rejected: 0, failedFiles: 0 };
  for (const [index, path] of paths.entries()) {
    throwIfAborted(options.signal);
    const file = await importFile(path, index, paths.length, options);
    summary.files.push(file);
    summary.read += file.read;
    summary.imported += file.imported;
    summary.duplicates += file.duplicates;
    summary.rejected += file.rejected;
    if (file.error) summary.failedFiles++;
  }
  return summary;
}

async function importFile(path: string, index: number, files: number, options: ImportOptions): Promise<FileSummary> {
  const summary: FileSummary = { file: path, format: null, encoding: null, bytes: 0, read: 0, imported: 0, duplicates: 0, rejected: 0, error: null, note: null };
  const size = await fileSize(path, summary);
  if (size === null) return summary;
  summary.bytes = size;
  if (size === 0) {
    summary.note = 'the file is empty: nothing to import';
    return summary;
  }
  const bytes = createReadStream(path, { highWaterMark: 1 << 20 });
  let bytesRead = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const b of bytes as AsyncIterable<Buffer>) {
      bytesRead += b.length;
      yield b;
    }
  }
  try {
    const decoded = await decodeText(counted());
    summary.encoding = decoded.encoding;
    const { head, chunks } = await peek(decoded.chunks);
    const detected = detectFormat(head);
    if (!detected) {
      summary.error = notAnExport(path, head);
      return summary;
    }
    summary.format = detected.format;
    const items = detected.format === 'csv' ? readCsv(chunks, detected.skipLines) : detected.format === 'ndjson' ? readNdjson(chunks) : readJson(chunks);
    const progress = () => options.onProgress?.({ file: path, fileIndex: index, files, bytesRead, bytesTotal: size, records: summary.read, rejected: summary.rejected });
    await consume(items, path, summary, options, progress);
    if (summary.read === 0 && summary.note === null) summary.note = 'no records found in the file';
  } catch (e) {
    if (e instanceof BinaryFileError) summary.error = binary(path, e.offset);
    else if (isFsError(e)) summary.error = unreadable(path, e);
    else throw e;
  } finally {
    bytes.destroy();
  }
  return summary;
}

/** Normalizes and stores, batch by batch; rejects go to the rejects writer as they come. */
async function consume(items: AsyncIterable<RawItem[]>, path: string, summary: FileSummary, options: ImportOptions, progress: () => void): Promise<void> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const ctx = { source: 'import' as const, ...(options.tenant ? { tenant: options.tenant } : {}) };
  let batch: AuditRecord[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await options.sink(batch);
    summary.imported += result.inserted;
    summary.duplicates += result.duplicates;
    batch = [];
    progress();
  };
  for await (const chunk of items) {
    for (const item of chunk) {
      summary.read++;
      const result = item.reject === undefined ? normalizeRecord(item.text, ctx) : { ok: false as const, reason: item.reject };
      if (result.ok) {
        batch.push(result.record);
        if (batch.length >= batchSize) await flush();
      } else {
        summary.rejected++;
        await options.rejects.write({ file: path, line: item.line, reason: result.reason, raw: item.text });
      }
    }
    if (options.signal?.aborted) {
      await flush();
      throwIfAborted(options.signal);
    }
  }
  await flush();
  progress();
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

async function fileSize(path: string, summary: FileSummary): Promise<number | null> {
  try {
    const info = await stat(path);
    if (info.isFile()) return info.size;
    summary.error = { code: 'FILE_UNREADABLE', message: `${path} is not a file`, hint: 'Give the path of an exported audit log file' };
  } catch (e) {
    summary.error = isFsError(e) && e.code === 'ENOENT'
      ? { code: 'FILE_NOT_FOUND', message: `${path} does not exist`, hint: 'Check the path and the current folder' }
      : unreadable(path, e);
  }
  return null;
}

function isFsError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

function unreadable(path: string, e: unknown): FileError {
  return { code: 'FILE_UNREADABLE', message: `${path} cannot be read (${(e as Error).message})`, hint: 'Check the file permissions' };
}

function binary(path: string, offset: number): FileError {
  return {
    code: 'FILE_FORMAT',
    message: `${path} is not a text file (binary content near character ${offset})`,
    hint: 'Import the audit log as exported (CSV, JSON or NDJSON); decompress .zip or .gz files first',
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

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('CANCELLED', 'Import stopped on request', { hint: 'Run the same import again: records already stored are skipped' });
}
