import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointReply, CheckpointRequest } from './checkpointer.js';

/**
 * Worker-thread entry of the bulk load's WAL checkpointer (checkpointer.ts): its own connection to the
 * file copies committed WAL frames into the database and syncs both files, on this thread's time, while
 * the loading connection keeps inserting. PASSIVE never takes a lock a writer or a reader waits for.
 */
const port = parentPort!;
const { path, busyTimeoutMs } = workerData as { path: string; busyTimeoutMs: number };
/** Between checkpoints when nobody asks: a commit kicks one at once, this is the safety net. */
const POLL_MS = 250;
/** A drain gives up after this many rounds (a reader of another process may hold old frames for long). */
const DRAIN_ROUNDS = 200;
const DRAIN_PAUSE_MS = 10;

const db = new Database(path, { fileMustExist: true });
db.pragma(`busy_timeout = ${busyTimeoutMs}`);
// NORMAL, as the store's own connections: the WAL is synced before its frames are copied, the database after.
db.pragma('synchronous = NORMAL');

const inbox: CheckpointRequest[] = [];
let wake: (() => void) | null = null;
port.on('message', (request: CheckpointRequest) => {
  inbox.push(request);
  const w = wake;
  wake = null;
  w?.();
});

function checkpoint(): { log: number; done: number } {
  const row = (db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[])[0]!;
  return { log: row.log, done: row.checkpointed };
}

function reply(message: CheckpointReply): void {
  port.postMessage(message);
}

const pause = (ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      wake = null;
      resolve();
    }, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });

for (;;) {
  const request = inbox.shift();
  if (request === 'stop') break;
  if (request === 'drain') {
    let state = checkpoint();
    for (let round = 0; state.done < state.log && round < DRAIN_ROUNDS; round++) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_PAUSE_MS));
      state = checkpoint();
    }
    reply({ kind: 'drained', ...state });
    continue;
  }
  reply({ kind: 'state', ...checkpoint() });
  if (inbox.length === 0) await pause(POLL_MS);
}
const last = checkpoint();
db.close();
reply({ kind: 'stopped', ...last });
port.close();
