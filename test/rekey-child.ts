/**
 * The merge of `optimize --rekey` in a child process, for the SIGKILL test (test/rekey-kill.test.ts): merges the
 * store at TW_CHILD's `db` URL in transactions of `batch` candidates, prints "." after each committed one and waits
 * for a byte on stdin, so the parent can kill it mid-merge (inside the next transaction, or between two) without
 * racing it.
 */
import { readSync } from 'node:fs';
import { openStore } from '../src/store/open.js';

const input = JSON.parse(process.env.TW_CHILD ?? '{}') as { db: string; batch: number };
const store = await openStore(input.db);
try {
  const result = await store.records.rekey!({
    groupBatch: input.batch,
    onBatch: () => {
      process.stdout.write('.');
      // The parent's go-ahead (one byte on stdin) before the next transaction: at most one more runs after it.
      readSync(0, Buffer.alloc(1), 0, 1, null);
    },
  });
  process.stdout.write(`\nmerged ${JSON.stringify(result)}\n`);
} finally {
  await store.close();
}
