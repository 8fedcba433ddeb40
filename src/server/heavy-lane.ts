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
 */
export interface HeavyLaneOptions {
  /** Heavy queries running at once: 1 for SQLite (one thread), 2 for PostgreSQL (the pool keeps the rest). */
  concurrency: number;
  /** Heavy queries waiting at most; one more is refused with RATE_LIMITED. */
  maxQueued: number;
}

export class HeavyLane {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: HeavyLaneOptions) {}

  /** Runs `work` when its turn comes. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const done = await this.enter();
    try {
      return await work();
    } finally {
      done();
    }
  }

  /**
   * Takes a turn and answers its end (to call once; later calls do nothing), for work that outlives one
   * promise: a streamed search page or export reads the store while its bytes are written, so it holds its
   * turn until the response has ended or its client has gone (holdTurnFor in stream.ts).
   */
  async enter(): Promise<() => void> {
    await this.turn();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.release();
    };
  }

  /** Heavy queries running and waiting now (for tests and the status route). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private async turn(): Promise<void> {
    if (this.running < this.options.concurrency && this.waiting.length === 0) {
      this.running++;
      // Even a free lane yields once: 40 requests read in one go would otherwise all start here.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return;
    }
    if (this.waiting.length >= this.options.maxQueued) {
      throw new AppError('RATE_LIMITED', `${this.waiting.length} heavy searches are already waiting`, {
        hint: 'Try again in a moment, or narrow the search (a user, an operation, a shorter period) so it is not a free-text scan',
      });
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
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
