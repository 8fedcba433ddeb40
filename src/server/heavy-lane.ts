import { AppError } from '../core/errors.js';
import type { SearchQuery } from '../core/search-query.js';
import type { Store } from '../store/contract.js';

/**
 * Heavy queries take turns so that light ones keep answering (issue 18.16: 40 concurrent free-text
 * counts made an unrelated request wait 10.6 s). better-sqlite3 runs a statement on the event loop's
 * thread, so 40 counts started together ran back to back before any other request was even read; on
 * PostgreSQL they held every pooled connection. Here at most `concurrency` heavy queries run at once,
 * the rest wait in a bounded queue (beyond it: RATE_LIMITED, "try again"), and each turn starts from a
 * macrotask (setImmediate), so requests that arrived meanwhile, light ones, run between two heavy ones.
 * A light request then waits for at most the heavy queries already running, not for all of them.
 * No turn is held while bytes wait on a client: a search page (bounded) is read whole in its turn (run) before
 * its first byte is written, and a streamed export reads its rows in turns (inTurns), so a slow client holds no
 * turn while it downloads.
 */
export interface HeavyLaneOptions {
  /** Heavy queries running at once: 1 for SQLite (one thread), 2 for PostgreSQL (the pool keeps the rest). */
  concurrency: number;
  /** Heavy queries waiting at most; one more is refused with RATE_LIMITED. */
  maxQueued: number;
  /** Rows an export reads in one turn (inTurns) before it gives the turn back; default 1,000. */
  rowsPerTurn?: number;
}

/** How a turn is asked for. */
export interface TurnOptions {
  /**
   * The later turn of work already let in (an export whose file has started): it waits in line like any other
   * but is never refused, since a full queue would cut a file that is half sent.
   */
  admitted?: boolean;
  /** Leaves the queue when it fires (the client went away): nothing is left to read for. */
  signal?: AbortSignal;
}

export class HeavyLane {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: HeavyLaneOptions) {}

  /** Runs `work` when its turn comes (never, when `options.signal` fires first: it leaves the queue then). */
  async run<T>(work: () => Promise<T>, options: TurnOptions = {}): Promise<T> {
    const done = await this.enter(options);
    try {
      return await work();
    } finally {
      done();
    }
  }

  /**
   * Takes a turn and answers its end (to call once; later calls do nothing), for work that outlives one
   * promise: an export takes its first turn before its response starts (a full queue is refused with a 429, not
   * a cut file) and inTurns ends it after the first rows, or holdTurnFor (stream.ts) when the response closes
   * before they are read. A search page needs none of that: it is bounded, and read whole in one run.
   */
  async enter(options: TurnOptions = {}): Promise<() => void> {
    await this.turn(options);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.release();
    };
  }

  /**
   * `rows` read in turns of at most rowsPerTurn rows, the turn given back before they are passed on: a streamed
   * export reads its next rows only when its client has taken the last ones (backpressure), so a slow or paused
   * client waits for its bytes with no turn held, and the heavy counts and pages queued meanwhile run. Each later
   * turn is taken in line as theirs are. The rows are exactly those of `rows`, in its order and each once: the
   * source keeps its own position between turns (the store's search continues from a keyset cursor and holds no
   * statement open between its pages). `first` ends a turn already taken, so that a full queue is refused before
   * the response starts; it is ended after the first rows (its other holder may end it again: a no-op).
   */
  async *inTurns<T>(rows: AsyncIterable<T>, first: () => void, signal?: AbortSignal): AsyncGenerator<T> {
    const source = rows[Symbol.asyncIterator]();
    const perTurn = this.options.rowsPerTurn ?? 1_000;
    let done = first;
    try {
      for (;;) {
        const batch: T[] = [];
        let last = false;
        try {
          while (batch.length < perTurn && !last) {
            const next = await source.next();
            if (next.done) last = true;
            else batch.push(next.value);
          }
        } finally {
          done();
        }
        yield* batch;
        if (last) return;
        done = await this.enter({ admitted: true, ...(signal ? { signal } : {}) });
      }
    } finally {
      // Ended early (the client left, a turn was cancelled): the source stops reading too.
      await source.return?.();
    }
  }

  /** Heavy queries running and waiting now (for tests and the status route). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private async turn({ admitted = false, signal }: TurnOptions): Promise<void> {
    if (signal?.aborted) throw gone();
    if (this.running < this.options.concurrency && this.waiting.length === 0) {
      this.running++;
      // Even a free lane yields once: 40 requests read in one go would otherwise all start here.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return;
    }
    if (!admitted && this.waiting.length >= this.options.maxQueued) {
      throw new AppError('RATE_LIMITED', `${this.waiting.length} heavy searches are already waiting`, {
        hint: 'Try again in a moment, or narrow the search (a user, an operation, a shorter period) so it is not a free-text scan',
      });
    }
    await new Promise<void>((resolve, reject) => {
      const leave = (): void => {
        const at = this.waiting.indexOf(start);
        if (at < 0) return; // handed the turn already (it starts after a setImmediate): start gives it back
        this.waiting.splice(at, 1);
        reject(gone());
      };
      const start = (): void => {
        signal?.removeEventListener('abort', leave);
        if (!signal?.aborted) return resolve();
        this.release();
        reject(gone());
      };
      signal?.addEventListener('abort', leave, { once: true });
      this.waiting.push(start);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (!next) {
      this.running--;
      return;
    }
    // The running count passes to the next in line; it starts after pending I/O (light requests) had its turn.
    setImmediate(next);
  }
}

/** What a turn asked for by a client that has gone answers (the client sees nothing of it). */
function gone(): AppError {
  return new AppError('CANCELLED', 'The heavy query was cancelled while it waited for its turn: its client left', {
    hint: 'Run it again to see every result',
  });
}

/** The lane for a store: its own thread (SQLite) runs one heavy query at a time; PostgreSQL two. */
export function heavyLaneFor(store: Pick<Store, 'kind'>): HeavyLane {
  return new HeavyLane({ concurrency: store.kind === 'sqlite' ? 1 : 2, maxQueued: 64 });
}

/**
 * A query is heavy when no index narrows it: free text, or a substring of the object, reads every
 * record of its period (ADR 0003). Users, operations, addresses and record types go through indexes.
 */
export function isHeavy(query: SearchQuery): boolean {
  return (query.freeText?.length ?? 0) > 0 || (query.objects?.length ?? 0) > 0;
}
