/**
 * A retention sweep in a child process, for the SIGKILL test (test/retention-kill.test.ts): sweeps the store
 * at TW_CHILD's `db` URL at its frozen `now`, in batches of `batch` records, and prints "." after each
 * committed batch, so the parent can kill it mid-sweep (inside the next batch's transaction, or between two).
 */
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
    onBatch: (_tenant, span) => void (span.records > 0 && process.stdout.write('.')),
  });
  process.stdout.write('\nswept\n');
} finally {
  await store.close();
}
