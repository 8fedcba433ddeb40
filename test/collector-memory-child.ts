/**
 * The collector's blob path in a child process (test/collector-memory.test.ts): fetch one large blob
 * from TW_URL, stream-parse, normalize and write it to a SQLite file, then print the peak RSS — measured
 * apart from the test runner and the server that makes the blob.
 */
import { collectBlob } from '../src/collector/blob-task.js';
import { FairScheduler, TenantBudget } from '../src/collector/budget.js';
import { resolveOptions } from '../src/collector/collect.js';
import { emptyStats, type RunContext, type TenantRun } from '../src/collector/context.js';
import { ManualClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import { createHttpClient } from '../src/net/http.js';
import { RetryPolicy } from '../src/net/retry.js';
import { apiRetryClass } from '../src/microsoft/management-errors.js';
import { ManagementActivityClient } from '../src/microsoft/management-activity.js';
import { endpointsFor } from '../src/microsoft/types.js';
import { openStore } from '../src/store/open.js';

const { url, caPem, db, tenantId, contentId } = JSON.parse(process.env.TW_CHILD ?? '{}') as {
  url: string;
  caPem: string;
  db: string;
  tenantId: string;
  contentId: string;
};
const clock = new ManualClock(Date.UTC(2026, 2, 10), true);
const store = await openStore(`sqlite:${db}`);
// The SQLite store gives its page cache up to 256 MB on purpose (fast random index inserts on big
// databases; store/sqlite/index.ts). That cache follows the database size, not the blob size, so it is
// capped here to measure what this test is about: the collector's memory on one huge blob. For the
// same reason the file is not memory-mapped here: mapped pages of the database (store/sqlite/index.ts,
// MMAP_BYTES) are file cache that follows the database size and counts in RSS while touched.
const sqlite = (store as unknown as { db: { pragma(sql: string): unknown } }).db;
sqlite.pragma('cache_size = -16384');
sqlite.pragma('mmap_size = 0');
const conn = {
  tenantId,
  endpoints: endpointsFor('commercial', url),
  tokens: { token: async () => 'test-token' },
  http: createHttpClient({ ca: caPem }),
  publisherId: null,
};
const ctx: RunContext = {
  store,
  clock,
  logger: silentLogger,
  retry: new RetryPolicy(apiRetryClass),
  scheduler: new FairScheduler(1),
  signal: new AbortController().signal,
  owner: 'memory-test',
  options: resolveOptions({ tenants: [], store, clock, logger: silentLogger, signal: new AbortController().signal }),
};
const run: TenantRun = {
  tenantId,
  name: 'big',
  client: new ManagementActivityClient(conn),
  budget: new TenantBudget(clock, 100_000),
  stats: emptyStats(tenantId, 'big'),
};
let peak = { rss: 0, heap: 0, ext: 0, ab: 0 };
const sample = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > peak.rss)
    peak = { rss: m.rss >> 20, heap: m.heapUsed >> 20, ext: m.external >> 20, ab: m.arrayBuffers >> 20 };
}, 50);
const baselineMb = process.memoryUsage().rss / 2 ** 20;
const contentUri = `${url}/api/v1.0/${tenantId}/activity/feed/audit/${contentId}`;
const outcome = await collectBlob(ctx, run, 'Audit.SharePoint', clock.now(), {
  contentType: 'Audit.SharePoint',
  contentId,
  contentUri,
  contentCreated: clock.now(),
  contentExpiration: null,
});
const blob = (await store.ledger.listBlobs({ tenant: tenantId }))[0];
clearInterval(sample);
await store.close();
process.stdout.write(
  JSON.stringify({
    outcome,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    baselineMb,
    sampled: peak,
    records: run.stats.records,
    newRecords: run.stats.newRecords,
    blob,
  }) + '\n',
);
