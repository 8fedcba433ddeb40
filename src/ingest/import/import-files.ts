import { stat } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { AppError } from '../../core/errors.js';
import { checkTenantLabel } from '../../core/tenant-label.js';
import { parseFile, type FileEvent, type ParseOptions, type ParsedBatch } from './parse-file.js';
import { parseInWorker } from './parse-in-worker.js';
import type { InsertResult } from '../../store/contract.js';
import type { FileSummary, ImportOptions, ImportSummary } from './types.js';

/**
 * Imports audit records from files (issue 2 §4). Each file is streamed (constant memory), its format
 * recognised from content, each record normalized (parse-file.ts, in a worker thread with
 * `parallel`) and stored in batches through `sink`. A bad row is written to `rejects` with file, line
 * and reason and counted; it never stops the import. A file that cannot be read at all (missing,
 * binary, not an audit export) is reported in its summary and the next file is read.
 */
/**
 * Records per batch. Small batches keep a batch's strings short-lived: with 5,000 (5 MB of raw text)
 * the worker and the store's thread spent a second per million records copying survivors in the young
 * generation, and the whole load ran 10–20% slower than with 1,000 (measured, docs/adr/0001-streaming-importer.md).
 */
const DEFAULT_BATCH = 1000;
/**
 * `parallel: 'auto'` starts a worker for files from this size on, and only when a second core is
 * free right now (sampled over FREE_CORE_SAMPLE_MS): the worker costs CPU for cloning and tenths of a
 * second to start, so on a busy machine it made imports slower (measured, docs/adr/0001-streaming-importer.md
 * "Import speed measured"); with a free core, parsing overlaps the store's write. The sample is taken,
 * not the load average: the 1-minute average still counts the CPU an earlier step of this very process used.
 */
const PARALLEL_MIN_BYTES = 16 << 20;
/**
 * From this size on the worker is started whenever the machine has a second core, without a sample: such
 * an import runs for a minute or more, far longer than whatever made the machine busy for 200 ms, and two
 * threads get twice one thread's share of a machine that stays busy. A 10 GB import that sampled a busy
 * moment ran without its worker for 17 minutes where the previous one took 12.7 (docs/adr/0034).
 */
const UNSAMPLED_FROM_BYTES = 256 << 20;
const FREE_CORE_SAMPLE_MS = 200;
/** Idle cores (out of all) needed for the worker: this thread's core and most of another. */
const FREE_CORES_NEEDED = 1.5;

/** The reason written to the rejects file beside a record in conflict (ADR 0030). */
export const CONFLICT =
  'conflict: a record with this Id is already stored with other content; the stored record is kept, this one is kept aside in the record_conflicts table';

export async function importFiles(paths: string[], options: ImportOptions): Promise<ImportSummary> {
  // A label search could not reach again (blank, a comma, a control character) is refused before any file is read.
  if (options.tenant !== undefined) checkTenantLabel(options.tenant);
  const summary: ImportSummary = {
    files: [],
    read: 0,
    imported: 0,
    duplicates: 0,
    conflicts: 0,
    rejected: 0,
    cutByPowerShell: 0,
    failedFiles: 0,
  };
  for (const [index, path] of paths.entries()) {
    throwIfAborted(options.signal);
    const file = await importFile(path, index, paths.length, options);
    summary.files.push(file);
    summary.read += file.read;
    summary.imported += file.imported;
    summary.duplicates += file.duplicates;
    summary.conflicts += file.conflicts;
    summary.rejected += file.rejected;
    summary.cutByPowerShell += file.cutByPowerShell;
    if (file.error) summary.failedFiles++;
  }
  return summary;
}

/**
 * Stores each batch as it comes, writes its rejects, reports progress; stops after a batch when aborted. With
 * `sinkConcurrency` above 1 the next batches go to the sink before the last one's result is back; each batch's
 * result, rejects and progress are still taken in file order.
 */
async function importFile(path: string, index: number, files: number, options: ImportOptions): Promise<FileSummary> {
  const summary: FileSummary = {
    file: path,
    format: null,
    encoding: null,
    bytes: 0,
    read: 0,
    imported: 0,
    duplicates: 0,
    conflicts: 0,
    rejected: 0,
    cutByPowerShell: 0,
    error: null,
    note: null,
    worker: false,
  };
  const parse: ParseOptions = {
    batchSize: options.batchSize ?? DEFAULT_BATCH,
    ...(options.tenant ? { tenant: options.tenant } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  };
  const concurrency = Math.max(1, options.sinkConcurrency ?? 1);
  /** Batches handed to the sink whose results are not taken yet, oldest first. */
  const storing: { batch: ParsedBatch; stored: Promise<InsertResult | null> }[] = [];
  const settle = async (): Promise<void> => {
    const { batch, stored } = storing.shift()!;
    summary.read += batch.read;
    summary.cutByPowerShell += batch.cutByPowerShell;
    for (const reject of batch.rejects) {
      summary.rejected++;
      await options.rejects.write({ file: path, ...reject });
    }
    const result = await stored;
    if (result) {
      summary.imported += result.inserted;
      summary.duplicates += result.duplicates;
      for (const i of result.conflicts ?? []) {
        summary.conflicts++;
        await options.rejects.write({
          file: path,
          line: batch.lines[i]!,
          reason: CONFLICT,
          raw: batch.records[i]!.raw,
        });
      }
    }
    options.onProgress?.({
      file: path,
      fileIndex: index,
      files,
      bytesRead: batch.bytesRead,
      bytesTotal: summary.bytes,
      records: summary.read,
      rejected: summary.rejected,
    });
    throwIfAborted(options.signal);
  };
  summary.worker = await inWorker(path, options.parallel);
  const events: AsyncGenerator<FileEvent> = summary.worker ? parseInWorker(path, parse) : parseFile(path, parse);
  try {
    for await (const event of events) {
      if (event.kind === 'facts') {
        Object.assign(summary, {
          format: event.format,
          encoding: event.encoding,
          bytes: event.bytes,
          error: event.error,
          note: event.note,
        });
        continue;
      }
      const stored = event.records.length ? options.sink(event.records, event.keys) : Promise.resolve(null);
      // Taken (and any failure thrown) when this batch's turn comes, in file order.
      stored.catch(() => undefined);
      storing.push({ batch: event, stored });
      while (storing.length >= concurrency) await settle();
    }
    while (storing.length) await settle();
  } finally {
    // Stopped early (a failure, an abort): the batches still being stored end before the import does.
    await Promise.allSettled(storing.map((s) => s.stored));
  }
  return summary;
}

async function inWorker(path: string, parallel: ImportOptions['parallel']): Promise<boolean> {
  if (parallel !== 'auto') return parallel === true;
  const size = await stat(path).then(
    (info) => info.size,
    () => 0,
  );
  return chooseWorker(size, availableParallelism(), () => idleCores(FREE_CORE_SAMPLE_MS));
}

/** `parallel: 'auto'`'s choice for a file of `size` bytes on `cores` cores; `idle` samples the idle cores. */
export async function chooseWorker(size: number, cores: number, idle: () => Promise<number>): Promise<boolean> {
  if (cores < 2 || size < PARALLEL_MIN_BYTES) return false;
  return size >= UNSAMPLED_FROM_BYTES || (await idle()) >= FREE_CORES_NEEDED;
}

/** How many cores' worth of CPU time went idle during the next `ms` (this process waits meanwhile). */
async function idleCores(ms: number): Promise<number> {
  const total = (sample: ReturnType<typeof cpus>) =>
    sample.reduce((sum, c) => sum + c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle, 0);
  const idle = (sample: ReturnType<typeof cpus>) => sample.reduce((sum, c) => sum + c.times.idle, 0);
  const before = cpus();
  await delay(ms);
  const after = cpus();
  const elapsed = total(after) - total(before);
  return elapsed > 0 ? ((idle(after) - idle(before)) / elapsed) * after.length : 0;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new AppError('CANCELLED', 'Import stopped on request', {
      hint: 'Run the same import again: records already stored are skipped',
    });
}
