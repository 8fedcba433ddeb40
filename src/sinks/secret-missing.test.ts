/**
 * A sink whose secret variable is not set: the error names the sink (not "the tenant's secret") and what
 * to do, and a daemon says so once per sink, not again at every retry.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import type { AppError } from '../core/errors.js';
import { recordingLogger, silentLogger } from '../core/log.js';
import { runForwardDaemon } from './forward-daemon.js';
import { backoffPolicy } from './retry.js';
import { openDriver } from './registry.js';
import { MemoryForwardStore } from './testing/memory-store.js';
import { sinkRow, T0 } from './testing/records.js';

const splunk = (name: string) =>
  sinkRow({ name, kind: 'splunk', url: 'https://127.0.0.1:8088', secret: 'env:SPLK', options: {} });

test('a missing secret variable is named as the sink’s, with what to do', () => {
  const open = () =>
    openDriver(splunk('siem'), {
      clock: new ManualClock(T0),
      logger: silentLogger,
      secretKey: () => Buffer.alloc(32),
      env: {},
    });
  assert.throws(open, (e: AppError) => {
    assert.equal(e.code, 'SECRET_MISSING');
    assert.equal(e.message, 'The environment variable SPLK holding the secret of sink siem is not set');
    assert.match(e.hint ?? '', /^Set SPLK for every tenantwatch process that sends to it .*--seal$/);
    return true;
  });
});

test('the daemon warns once per sink that cannot open, naming it, however often it tries again', async () => {
  const store = new MemoryForwardStore();
  for (const name of ['a', 'b']) await store.sinks.upsert(splunk(name));
  const logger = recordingLogger();
  const clock = new ManualClock(T0, true);
  const stop = new AbortController();
  let opens = 0;
  await runForwardDaemon({
    store,
    clock,
    logger,
    policy: backoffPolicy({ maxAttempts: 3 }),
    owner: 'h:1:aaaaaaaa',
    signal: stop.signal,
    retryMs: 30_000,
    list: () => store.sinks.list(),
    open: (row) => {
      if (++opens >= 10) stop.abort();
      return openDriver(row, { clock, logger: silentLogger, secretKey: () => Buffer.alloc(32), env: {} });
    },
  });
  assert.ok(opens >= 10, 'it kept trying');
  const warned = logger.entries.filter((e) => e.level === 'warn');
  assert.deepEqual(
    warned.map((e) => (e.obj as { sink?: string }).sink),
    ['a', 'b'],
  );
  for (const e of warned) {
    const { reason, hint } = e.obj as { reason: string; hint: string };
    assert.match(reason, /SPLK holding the secret of sink [ab] is not set/);
    assert.match(hint, /^Set SPLK/);
  }
});
