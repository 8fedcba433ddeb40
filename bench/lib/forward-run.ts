/**
 * One measured forwarding run, in a process of its own so its peak RSS is the forwarder's alone: opens
 * the bench's SQLite store, forwards every record to one sink (`forward --once` semantics) and prints
 * `{seconds, cpuSeconds, peakRss, delivered}` as JSON. With `inproc`, the receivers run in this same process (the
 * old set-up, measured beside the other for the ratio).
 */
import { readFileSync } from 'node:fs';
import { startSiemReceivers } from '../../emulator/siem/server.js';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { elasticDriver } from '../../src/sinks/elastic/sender.js';
import { runSink } from '../../src/sinks/forwarder.js';
import { nodeHttpSender } from '../../src/sinks/http.js';
import { backoffPolicy } from '../../src/sinks/retry.js';
import { splunkHecDriver } from '../../src/sinks/splunk-hec/sender.js';
import { sinkRow } from '../../src/sinks/testing/records.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

interface RunArgs {
  db: string;
  kind: 'splunk' | 'elastic';
  name: string;
  url: string;
  caPem: string;
  /** Start receivers in this process (keeping ids only) instead of using `url`. */
  inproc: string | null;
  batch: number;
  readLimit: number;
}

const args = JSON.parse(process.argv[2]!) as RunArgs;
let peak = 0;
let peakAnon = 0;
/**
 * RSS counts the store file's pages the SQLite map touched (mmap_size, sqlite/index.ts): they grow with
 * what was read and are the kernel's to drop. RssAnon is the process's own memory, the figure that must
 * stay bounded however many records pass.
 */
const anon = (): number => {
  const m = /RssAnon:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
};
const sample = (): void => {
  peak = Math.max(peak, process.memoryUsage().rss);
  peakAnon = Math.max(peakAnon, anon());
};
const timer = setInterval(sample, 20);
const rx = args.inproc
  ? await startSiemReceivers({ stateDir: args.inproc, hecToken: 't', elasticApiKey: 'k', keep: 'ids' })
  : null;
const store = openSqliteStore(args.db);
const row = sinkRow({ name: args.name, kind: args.kind, url: rx?.url ?? args.url, options: { batch: args.batch } });
const ctx = {
  row,
  secret: args.kind === 'splunk' ? 't' : 'k',
  caPem: rx?.caPem ?? args.caPem,
  clock: systemClock,
  logger: silentLogger,
  http: nodeHttpSender,
};
const driver = args.kind === 'splunk' ? splunkHecDriver(ctx) : elasticDriver(ctx);
const started = performance.now();
const cpu0 = process.cpuUsage();
const result = await runSink(
  {
    store,
    clock: systemClock,
    logger: silentLogger,
    policy: backoffPolicy({ maxAttempts: 5 }),
    owner: `bench:${process.pid}:00000000`,
    signal: new AbortController().signal,
    once: true,
    readLimit: args.readLimit,
  },
  row,
  driver,
);
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu0);
const cpuSeconds = (used.user + used.system) / 1e6;
sample();
clearInterval(timer);
await driver.close();
await store.close();
await rx?.close();
if (result.state !== 'caught-up') throw new Error(`${args.kind}: ${JSON.stringify(result)}`);
process.stdout.write(
  JSON.stringify({ seconds, cpuSeconds, peakRss: peak, peakAnon, delivered: result.delivered }) + '\n',
);
