import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../runtime/worker.js';
import { RecordUnpacker, type PackedRecords } from './packed-records.js';
import type { FileEvent, FileFacts, ParseOptions, ParsedBatch } from './parse-file.js';

/**
 * parseFile in a worker thread: the same events, while this thread is free to write the previous
 * batch to the store. Reading and normalizing (decode, split, JSON.parse, fields) and the SQLite
 * write each take about half of an import's time on one core, so overlapping them is the largest
 * single gain for big imports (docs/adr/0001-streaming-importer.md). Each event is acknowledged after the
 * consumer is done with it; the worker waits for that, so memory stays bounded.
 */
function startWorker(workerData: unknown): Worker {
  return startModuleWorker(import.meta.url, './parse-worker.js', { workerData });
}

/** What crosses the thread boundary: facts, batches with their records as columns, the end. */
export type WireEvent = FileFacts | (Omit<ParsedBatch, 'records'> & { records: PackedRecords }) | { kind: 'end' };

export async function* parseInWorker(path: string, options: ParseOptions): AsyncGenerator<FileEvent> {
  const worker = startWorker({ path, options });
  const queue: WireEvent[] = [];
  const unpacker = new RecordUnpacker();
  // Set by the worker's events; an object, so the checks below are not narrowed away.
  const state: { failure: Error | null; exited: boolean } = { failure: null, exited: false };
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  worker.on('message', (event: WireEvent) => {
    queue.push(event);
    notify();
  });
  worker.on('error', (e: Error) => {
    state.failure = e;
    notify();
  });
  worker.on('exit', () => {
    state.exited = true;
    notify();
  });
  try {
    for (;;) {
      const next = queue.shift();
      if (next) {
        if (next.kind === 'end') return;
        yield next.kind === 'batch' ? { ...next, ...unpacker.unpack(next.records) } : next;
        worker.postMessage('ack');
        continue;
      }
      if (state.failure) throw state.failure;
      if (state.exited) throw new Error(`the import worker for ${path} stopped before the end of the file`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    await worker.terminate();
  }
}
