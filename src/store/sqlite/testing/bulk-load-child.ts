/**
 * A child process for sqlite/bulk-concurrency.test.ts: bulk-loads records into the SQLite file given as
 * argv[2] for argv[3] milliseconds, says "loading" after its first batch, "done N" at the end.
 */
import { openSqliteStore } from '../index.js';
import { record } from '../../testing/fixtures.js';

const [path, ms] = [process.argv[2]!, Number(process.argv[3])];
const store = openSqliteStore(path);
await store.migrate();
const writer = store.records.bulk!();
const until = performance.now() + ms;
let n = 0;
while (performance.now() < until) {
  const batch = Array.from({ length: 1_000 }, () => record({ tenant: 'bulk' }));
  n += (await writer.insert(batch)).inserted;
  if (n === 1_000) process.stdout.write('loading\n');
}
await writer.close();
await store.close();
process.stdout.write(`done ${n}\n`);
