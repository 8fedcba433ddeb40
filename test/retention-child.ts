/**
 * A retention sweep in a child process, for the SIGKILL test (test/retention-kill.test.ts): sweeps the store
 * at TW_CHILD's `db` URL at its frozen `now`, in batches of `batch` records, and prints "." after each
 * committed batch and waits for a byte on stdin, so the parent can kill it mid-sweep (inside the next batch's
 * transaction, or between two) without racing it.
 */
import { readSync } from 'node:fs';
import { ManualClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import { sweepRetention } from '../src/retention/sweep.js';
import { openStore } from '../src/store/open.js';

const input = JSON.parse(process.env.TW_CHILD ?? '{}') as { db: string; now: number; batch: number };
const store = await openStore(input.db);
try {
  await sweepRetention(store, {
    clock: new ManualClock(input.now),
    logger: silentLogger,
    batch: input.batch,
    onBatch: (_tenant, span) => {
      if (span.records === 0) return;
      process.stdout.write('.');
      // Waits for the parent's go-ahead (one byte on stdin) before the next batch, so the parent's kill lands
      // mid-sweep however busy the machine is: at most one more batch runs after the go-ahead it gave last.
      readSync(0, Buffer.alloc(1), 0, 1, null);
    },
  });
  process.stdout.write('\nswept\n');
} finally {
  await store.close();
}
