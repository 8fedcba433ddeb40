import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { tempDir } from '../../test/support/paths.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import { exchangeAdmin } from '../reports/testing/builders.js';
import { sinkRow } from '../sinks/testing/records.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { CliContext } from './context.js';
import { startForwarding } from './sinks.js';

/**
 * `tenantwatch forward` without `--once` forwards as serve and collect --follow do: the sinks as they are at each
 * look, not as they were at its start. It kept the list it started with: a sink removed while it ran was sent to on,
 * and one added (or added again after a removal) was never forwarded until the process was restarted.
 */
const NOW = Date.UTC(2026, 9, 2);
const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []);

/** Lets the forwarders run until `done()` holds (I/O turns only; the clock moves only when told). */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 20_000 && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), `timed out waiting for: ${what}`);
}

test('forwarding until stopped picks up the named sinks added later, and only those', async () => {
  const dir = tempDir();
  const store = openSqliteStore(':memory:');
  const clock = new ManualClock(NOW);
  const stop = new AbortController();
  const ctx: CliContext = {
    locations: { dataDir: dir.dir, dbUrl: 'sqlite::memory:', secretKeyFile: join(dir.dir, 'k') },
    clock,
    logger: silentLogger,
    out: new PassThrough(),
    err: new PassThrough(),
    store: async () => store,
    signal: stop.signal,
    close: async () => undefined,
  };
  const fileOf = (name: string) => join(dir.dir, `${name}.ndjson`);
  const add = (name: string) => store.sinks.upsert(sinkRow({ name, kind: 'file', url: `file://${fileOf(name)}` }));
  try {
    await store.records.insert([
      exchangeAdmin('Set-Mailbox', { Identity: 'ann' }),
      exchangeAdmin('Set-Mailbox', { Identity: 'bob' }),
    ]);
    await add('first');
    const forwarding = startForwarding(ctx, store, { only: ['first', 'later'] });
    await until(() => lines(fileOf('first')).length === 2, 'the first sink gets the stored records');
    await add('later'); // sink add while forward runs
    await add('other'); // not one of its --sink names
    clock.advance(60_000); // the next look at the sinks
    await until(() => lines(fileOf('later')).length === 2, 'the sink added later gets the records');
    await forwarding.stop();
    assert.deepEqual(lines(fileOf('other')), [], 'a sink it was not asked to forward to gets nothing');
  } finally {
    stop.abort();
    await store.close();
    dir.cleanup();
  }
});
