import { stat } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { AppError } from '../../core/errors.js';
import { parseFile, type FileEvent, type ParseOptions } from './parse-file.js';
import { parseInWorker } from './parse-in-worker.js';
import type { FileSummary, ImportOptions, ImportSummary } from './types.js';

/**
 * Imports audit records from files (issue 2 §4). Each file is streamed (constant memory), its format
 * recognised from content, each record normalized (parse-file.ts, in a worker thread with
 * `parallel`) and stored in batches through `sink`. A bad row is written to `rejects` with file, line
 * and reason and counted; it never stops the import. A file that cannot be read at all (missing,
 * binary, not an audit export) is reported in its summary and the next file is read.
 */
const DEFAULT_BATCH = 5000;
/**
 * `parallel: 'auto'` starts a worker for files from this size on, and only while a second core is
 * free (1-minute load average at most cores − 1): the worker costs ~7 µs of CPU per record (cloning)
 * and starting it tenths of a second, so on a busy machine it made imports slower (measured,
 * docs/ARCHITECTURE.md "Import speed measured"); with a free core, parsing overlaps the store's write.
 */
const PARALLEL_MIN_BYTES = 16 << 20;

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

/** Stores each batch as it comes, writes its rejects, reports progress; stops after a batch when aborted. */
async function importFile(path: string, index: number, files: number, options: ImportOptions): Promise<FileSummary> {
  const summary: FileSummary = { file: path, format: null, encoding: null, bytes: 0, read: 0, imported: 0, duplicates: 0, rejected: 0, error: null, note: null };
  const parse: ParseOptions = { batchSize: options.batchSize ?? DEFAULT_BATCH, ...(options.tenant ? { tenant: options.tenant } : {}) };
  const events: AsyncGenerator<FileEvent> = (await inWorker(path, options.parallel)) ? parseInWorker(path, parse) : parseFile(path, parse);
  for await (const event of events) {
    if (event.kind === 'facts') {
      Object.assign(summary, { format: event.format, encoding: event.encoding, bytes: event.bytes, error: event.error, note: event.note });
      continue;
    }
    summary.read += event.read;
    for (const reject of event.rejects) {
      summary.rejected++;
      await options.rejects.write({ file: path, ...reject });
    }
    if (event.records.length) {
      const result = await options.sink(event.records);
      summary.imported += result.inserted;
      summary.duplicates += result.duplicates;
    }
    options.onProgress?.({ file: path, fileIndex: index, files, bytesRead: event.bytesRead, bytesTotal: summary.bytes, records: summary.read, rejected: summary.rejected });
    throwIfAborted(options.signal);
  }
  return summary;
}

async function inWorker(path: string, parallel: ImportOptions['parallel']): Promise<boolean> {
  if (parallel !== 'auto') return parallel === true;
  const cores = availableParallelism();
  if (cores < 2 || loadavg()[0]! > cores - 1) return false;
  const size = await stat(path).then((info) => info.size, () => 0);
  return size >= PARALLEL_MIN_BYTES;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('CANCELLED', 'Import stopped on request', { hint: 'Run the same import again: records already stored are skipped' });
}
