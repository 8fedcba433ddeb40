/**
 * Forwarding bench (issue 15): end to end from the SQLite store's tail to the HEC and bulk receivers of
 * emulator/siem over HTTPS on 127.0.0.1 (gzip on, no faults), one sink at a time: records per second per
 * sink and the process's peak RSS. The receivers run in this same process (they parse and keep every
 * event), so the figures are a floor for the forwarder alone.
 *   npm run bench -- forward        (or: node --import tsx bench/forward.bench.ts [records], default 100,000)
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSiemReceivers } from '../emulator/siem/server.js';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import { elasticDriver } from '../src/sinks/elastic/sender.js';
import { runSink } from '../src/sinks/forwarder.js';
import { nodeHttpSender } from '../src/sinks/http.js';
import { backoffPolicy } from '../src/sinks/retry.js';
import { splunkHecDriver } from '../src/sinks/splunk-hec/sender.js';
import { storedRecord, sinkRow } from '../src/sinks/testing/records.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';

const total = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'tw-bench-forward-'));
let peak = 0;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
try {
  mkdirSync(join(dir, 'db'));
  const store = openSqliteStore(join(dir, 'db', 'store.sqlite'));
  for (let i = 0; i < total; i += 10_000)
    await store.records.insert(Array.from({ length: Math.min(10_000, total - i) }, () => storedRecord()));
  process.stderr.write(`stored ${total} records\n`);
  const rx = await startSiemReceivers({ stateDir: join(dir, 'rx'), hecToken: 't', elasticApiKey: 'k' });
  const rows: string[] = [];
  for (const kind of ['splunk', 'elastic'] as const) {
    const row = sinkRow({ name: kind, kind, url: rx.url, options: { batch: 1000 } });
    const ctx = {
      row,
      secret: kind === 'splunk' ? 't' : 'k',
      caPem: rx.caPem,
      clock: systemClock,
      logger: silentLogger,
      http: nodeHttpSender,
    };
    const driver = kind === 'splunk' ? splunkHecDriver(ctx) : elasticDriver(ctx);
    peak = 0;
    const started = performance.now();
    const result = await runSink(
      {
        store,
        clock: systemClock,
        logger: silentLogger,
        policy: backoffPolicy(),
        owner: `bench:${process.pid}:00000000`,
        signal: new AbortController().signal,
        once: true,
        readLimit: 5_000,
      },
      row,
      driver,
    );
    const seconds = (performance.now() - started) / 1000;
    await driver.close();
    if (result.state !== 'caught-up') throw new Error(`${kind}: ${JSON.stringify(result)}`);
    rows.push(
      `| ${kind === 'splunk' ? 'Splunk HEC' : 'Elastic bulk'} | ${total.toLocaleString('en-US')} | ${seconds.toFixed(2)} s | ${Math.round(total / seconds).toLocaleString('en-US')} | ${Math.round(peak / 1024 ** 2)} MB |`,
    );
    rx.hec.events.length = 0;
    rx.elastic.indices.clear();
    rx.elastic.creates.clear();
  }
  await rx.close();
  await store.close();
  process.stdout.write(
    [
      '## Forwarding (store tail → receiver)',
      '',
      `End to end from the SQLite store's tail to the faithful receivers of emulator/siem over HTTPS on 127.0.0.1, gzip on, batches of 1,000, no faults; receivers in the same process. Peak RSS of the whole process while that sink ran.`,
      '',
      '| sink | records | time | records/s | peak RSS |',
      '|---|---:|---:|---:|---:|',
      ...rows,
      '',
    ].join('\n'),
  );
} finally {
  clearInterval(sample);
  rmSync(dir, { recursive: true, force: true });
}
