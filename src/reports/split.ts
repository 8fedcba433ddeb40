import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { SearchQuery } from '../core/search-query.js';
import { startModuleWorker } from '../runtime/worker.js';
import { AppError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Store } from '../store/contract.js';
import type { SplitTask, SplitRequest, SplitReply } from './split-tasks.js';

/**
 * Below this many matching records a read is not split: a worker's start, its own connection and the
 * merge cost more than they save.
 */
export const SPLIT_MIN_RECORDS = 50_000;
/** The share of the records the worker reads: this thread also merges its part and builds the rows (0.4 and 0.5 measured alike; 0.65 slower). */
const WORKER_SHARE = 0.45;

export interface SplitDeps {
  store: Pick<Store, 'records'>;
  signal?: AbortSignal;
  logger?: Logger;
}

/** How a report reads a part of its period: here (`local`), in the worker (`task`), or the worker's part here. */
export interface SplitParts<L, R> {
  task: SplitTask;
  local: (part: SearchQuery) => Promise<L>;
  /** The worker's part read in this thread, when the worker fails: the answer stays whole, only slower. */
  here: (part: SearchQuery) => Promise<R>;
}

export interface SplitOptions {
  /**
   * The URL that opens this same database from another thread (store/open.ts reopenableUrl), given by
   * whoever opened the store; absent or null, the read stays in this thread (PostgreSQL's reads already
   * run in its server; a private in-memory SQLite store cannot be opened twice).
   */
  location?: string | null;
  /** Split from this many matches on (tests lower it). */
  minRecords?: number;
  /** Cores this process may use (default: availableParallelism()); one means no split. */
  cores?: number;
}

/**
 * Reads a report's records in two parts at once when that pays: the older part of the period in a worker
 * thread, through its own connection to the same SQLite file (SplitOptions.location), while this thread reads
 * the newer part with `local`; the caller merges `remote` into `local`. Reading a large period is this
 * process's own work in SQLite (building a JavaScript value per column per row, then grouping), and the
 * machines this runs on have at least two cores (the scattered sign-ins stress case: about 1 s in one
 * thread, 0.78 s in two). One part only — `remote` null — for a store that cannot be opened again
 * (in memory, PostgreSQL), on one core, or below SPLIT_MIN_RECORDS matches. If the worker fails (cannot
 * start, cannot open the file, stops), its part is read here with `here` and the failure logged.
 * The split falls on a UTC day boundary chosen from the store's count by day, so each part is one
 * contiguous stretch of [start, end) and every record is in exactly one.
 */
export async function splitRead<L, R>(
  deps: SplitDeps,
  query: SearchQuery,
  parts: SplitParts<L, R>,
  options: SplitOptions = {},
): Promise<{ local: L; remote: R | null }> {
  const location = options.location ?? null;
  const at =
    location === null
      ? null
      : await splitPoint(deps, query, options.minRecords ?? SPLIT_MIN_RECORDS, options.cores ?? availableParallelism());
  if (at === null || location === null) return { local: await parts.local(query), remote: null };
  const older = { ...query, range: { start: query.range.start, end: at } };
  const remote = runInWorker({ task: parts.task, location, query: older }) as Promise<R>;
  // Nothing is left unhandled if this thread's part fails first.
  remote.catch(() => undefined);
  const mine = await parts.local({ ...query, range: { start: at, end: query.range.end } });
  try {
    return { local: mine, remote: await remote };
  } catch (error) {
    deps.logger?.warn(
      { err: error, task: parts.task },
      'the report worker thread failed; its part of the period is read here',
    );
    return { local: mine, remote: await parts.here(older) };
  }
}

/** The request in the shared worker, started when needed; a worker that cannot start is a failed request. */
function runInWorker(request: Omit<SplitRequest, 'id'>): Promise<unknown> {
  try {
    return sharedWorker().run(request);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Where to split, or null when the read stays whole (one core, or too few matches). */
async function splitPoint(
  deps: SplitDeps,
  query: SearchQuery,
  minRecords: number,
  cores: number,
): Promise<number | null> {
  if (cores < 2) return null;
  const days = await deps.store.records.countBy(query, 'day');
  const total = days.reduce((n, d) => n + d.count, 0);
  if (total < minRecords) return null;
  let seen = 0;
  for (const day of days) {
    if (seen >= total * WORKER_SHARE) {
      const start = Number(day.key);
      return start > query.range.start && start < query.range.end ? start : null;
    }
    seen += day.count;
  }
  return null;
}

/**
 * One worker thread for the process, started on first use and left to idle (unref'd while nothing is
 * asked of it, so it never keeps the process alive). It keeps a connection per store it was asked about.
 * If it fails, its requests fail with it and the next one starts a new worker.
 */
class SplitWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  constructor(onGone: () => void) {
    this.worker = startModuleWorker(import.meta.url, './split-worker.js');
    this.worker.on('message', (reply: SplitReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (!waiting) return;
      if ('error' in reply) waiting.reject(replyError(reply.error));
      else waiting.resolve(reply.result);
    });
    const fail = (error: Error): void => {
      onGone();
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the report worker thread stopped (exit ${code})`)));
    // Idle, it never keeps the process alive (after the listeners: adding one refs the port again).
    this.worker.unref();
  }

  run(request: Omit<SplitRequest, 'id'>): Promise<unknown> {
    const id = ++this.nextId;
    // Held while a part is out, or the process could end waiting for it.
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id } satisfies SplitRequest);
    });
  }
}

/** The worker's error as this thread's: an AppError keeps its code and hint, so the CLI says what to do. */
function replyError(error: { message: string; code?: string; hint?: string }): Error {
  if (!error.code) return new Error(error.message);
  return new AppError(error.code as ErrorCode, error.message, error.hint ? { hint: error.hint } : {});
}

let shared: SplitWorker | null = null;

function sharedWorker(): SplitWorker {
  shared ??= new SplitWorker(() => (shared = null));
  return shared;
}
