import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../runtime/worker.js';

/**
 * A WAL checkpointer on its own thread, for a bulk load (bulk.ts). In WAL every page is written twice:
 * into the log at commit, then into the database by a checkpoint, which SQLite runs inside COMMIT on
 * the committing connection once the log holds 1,000 pages, with a sync of each file. A load that
 * commits every second (so other processes' writers get their turn, issue 18.15) spent about a third
 * of its thread there (a quarter of a million records: 6.9 s of 22.6 s in COMMIT, 2.8 s with automatic
 * checkpoints off; docs/adr/0034-import-on-both-cores.md). The loading connection turns automatic
 * checkpoints off and this thread copies and syncs instead, alongside.
 *
 * A log can only start again from its beginning once every frame in it is copied and a new write
 * transaction begins: a loader that begins its next transaction at once never lets that happen, and
 * the log would grow by everything loaded. So past MAX_LOG_BYTES the loader waits for a drain before
 * its next transaction (drain()); the log stays about that size.
 */
export const MAX_LOG_BYTES = 256 << 20;

export type CheckpointRequest = 'kick' | 'drain' | 'stop';
export type CheckpointReply = { kind: 'state' | 'drained' | 'stopped'; log: number; done: number };

export class WalCheckpointer {
  private state = { log: 0, done: 0 };
  /**
   * The log size from which the loader waits for a drain: MAX_LOG_BYTES, or past a drain that could not
   * finish (another process's reader still needs older frames) that size plus MAX_LOG_BYTES, so a
   * long-lived reader costs the load one wait per MAX_LOG_BYTES, not one per transaction.
   */
  private drainFrom: number;
  /**
   * Bytes of records the loader wrote since the last drain (wrote()): the log grows by at least as much, so
   * past the log's size the loader drains even when this thread, starved on a loaded machine, has not
   * reported the log's growth yet (its reports alone let the log reach five times its size).
   */
  private writtenSinceDrain = 0;
  private failure: Error | null = null;
  private readonly waiting: { kind: CheckpointReply['kind']; resolve: () => void }[] = [];

  private constructor(
    private readonly worker: Worker,
    private readonly pageBytes: number,
    private readonly maxLogBytes: number,
  ) {
    this.drainFrom = maxLogBytes;
    worker.on('message', (reply: CheckpointReply) => {
      this.state = { log: reply.log, done: reply.done };
      if (reply.kind === 'drained')
        this.drainFrom = (reply.done >= reply.log ? 0 : reply.log * pageBytes) + this.maxLogBytes;
      for (let i = this.waiting.length - 1; i >= 0; i--)
        if (this.waiting[i]!.kind === reply.kind) this.waiting.splice(i, 1)[0]!.resolve();
    });
    worker.on('error', (e: Error) => this.fail(e));
    worker.on('exit', () => this.fail(new Error('the WAL checkpointer thread stopped')));
    // A load that never calls close() (a crash, a test) must not keep the process alive.
    worker.unref();
  }

  static start(
    path: string,
    options: { pageBytes: number; busyTimeoutMs: number; maxLogBytes?: number },
  ): WalCheckpointer {
    const worker = startModuleWorker(import.meta.url, './checkpoint-worker.js', {
      workerData: { path, busyTimeoutMs: options.busyTimeoutMs },
    });
    return new WalCheckpointer(worker, options.pageBytes, options.maxLogBytes ?? MAX_LOG_BYTES);
  }

  /** After a commit: copy what it wrote now rather than at the next poll. */
  kick(): void {
    if (!this.failure) this.worker.postMessage('kick' satisfies CheckpointRequest);
  }

  /** The loader wrote this many bytes of records (their raw text) into the log. */
  wrote(bytes: number): void {
    this.writtenSinceDrain += bytes;
  }

  /** Whether the loader should wait for a drain before its next transaction (the log is past its size). */
  get overgrown(): boolean {
    if (this.failure) return false;
    return this.state.log * this.pageBytes > this.drainFrom || this.writtenSinceDrain > this.maxLogBytes;
  }

  /** The last log size reported (frames in the log, frames copied). */
  get log(): { log: number; done: number } {
    return this.state;
  }

  /** Resolves once every committed frame is in the database (or the checkpointer gave up for now). */
  drain(): Promise<void> {
    this.writtenSinceDrain = 0;
    return this.request('drain', 'drained');
  }

  /** A last checkpoint, then the thread ends. */
  async stop(): Promise<void> {
    await this.request('stop', 'stopped');
    await this.worker.terminate();
  }

  private request(message: CheckpointRequest, reply: CheckpointReply['kind']): Promise<void> {
    if (this.failure) return Promise.resolve();
    // Referenced while someone waits for its answer: unreferenced, the process could end meanwhile.
    this.worker.ref();
    return new Promise<void>((resolve) => {
      this.waiting.push({ kind: reply, resolve });
      this.worker.postMessage(message);
    }).finally(() => {
      if (this.waiting.length === 0) this.worker.unref();
    });
  }

  /**
   * A checkpointer that failed costs only speed: the loader's own connection checkpoints again
   * (bulk.ts turns automatic checkpoints back on when it ends), so nothing waits for it forever.
   */
  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.splice(0)) w.resolve();
  }

  get failed(): Error | null {
    return this.failure;
  }
}
