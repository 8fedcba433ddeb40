/** Alert routing wired to the stored sinks: a sink this process cannot open keeps its alerts due. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { tempDir } from '../../test/support/paths.js';
import { ManualClock } from '../core/clock.js';
import { recordingLogger, silentLogger } from '../core/log.js';
import { parseAlertingConfig } from '../detections/alerting-config.js';
import { raiseHits } from '../detections/alerts/raise.js';
import { deliverDue } from '../detections/routing.js';
import { hit } from '../detections/testing/hits.js';
import { loadRuleSet } from '../detections/loader.js';
import { sinkRow } from '../sinks/testing/records.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { alertRouting } from './alert-routing.js';
import { liveDetections } from './live-detections.js';
import { exchangeAdmin } from '../reports/testing/builders.js';
import type { Store } from '../store/contract.js';
import type { CliContext } from './context.js';

const NOW = Date.UTC(2026, 9, 2);

function contextOf(dir: string, store: Store, clock: ManualClock, err: (text: string) => void): CliContext {
  return {
    locations: { dataDir: dir, dbUrl: 'sqlite::memory:', secretKeyFile: join(dir, 'k') },
    clock,
    logger: silentLogger,
    out: new PassThrough(),
    err: new PassThrough().on('data', (d: Buffer) => err(d.toString())),
    store: async () => store,
    signal: new AbortController().signal,
    close: async () => undefined,
  };
}

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []);

test('a long-running process routes alerts to the sinks as they are now: one added later gets them, one removed does not', async () => {
  const dir = tempDir();
  const store = openSqliteStore(':memory:');
  const clock = new ManualClock(NOW);
  try {
    const fileOf = (name: string) => join(dir.dir, `${name}.ndjson`);
    const add = (name: string) =>
      store.sinks.upsert(sinkRow({ name, kind: 'file', url: `file://${fileOf(name)}`, takes: 'alerts' }));
    const bypass = (identity: string) =>
      exchangeAdmin('Set-MailboxAuditBypassAssociation', { Identity: identity, AuditBypassEnabled: 'True' });
    await add('first');
    const hook = (await liveDetections(
      contextOf(dir.dir, store, clock, () => undefined),
      true,
    ))!;
    try {
      await add('later'); // sink add while collect --follow or serve runs
      await store.records.insert([bypass('svc-backup')]);
      await hook.pass();
      assert.equal(hook.summary().failures.length, 0, hook.summary().failures.join());
      assert.equal(hook.summary().raised, 1);
      assert.equal(lines(fileOf('first')).length, 1);
      assert.equal(lines(fileOf('later')).length, 1, 'the sink added after the start got the alert');
      await store.sinks.remove('first');
      await store.records.insert([{ ...bypass('svc-other'), id: 'second', creationTime: NOW + 86_400_000 }]);
      await hook.pass();
      assert.equal(hook.summary().raised, 2);
      assert.equal(lines(fileOf('first')).length, 1, 'the removed sink is not sent to');
      assert.equal(lines(fileOf('later')).length, 2);
    } finally {
      await hook.close();
    }
  } finally {
    await store.close();
    dir.cleanup();
  }
});

test('a sink removed and added again within one millisecond is a new channel: sent to its new address', async () => {
  const dir = tempDir();
  const store = openSqliteStore(':memory:');
  const clock = new ManualClock(NOW); // stands still: the sink added again has the removed one's addedAt and updatedAt
  try {
    const fileOf = (name: string) => join(dir.dir, `${name}.ndjson`);
    const add = (file: string) =>
      store.sinks.upsert(
        sinkRow({ name: 'soc', id: `sink-${file}`, kind: 'file', url: `file://${fileOf(file)}`, takes: 'alerts' }),
      );
    const bypass = (identity: string, id: string, at: number) => ({
      ...exchangeAdmin('Set-MailboxAuditBypassAssociation', { Identity: identity, AuditBypassEnabled: 'True' }),
      id,
      creationTime: at,
    });
    await add('old');
    const hook = (await liveDetections(
      contextOf(dir.dir, store, clock, () => undefined),
      true,
    ))!;
    try {
      await store.records.insert([bypass('svc-backup', 'first', NOW)]);
      await hook.pass();
      assert.equal(lines(fileOf('old')).length, 1);
      await store.sinks.remove('soc');
      await add('new');
      await store.records.insert([bypass('svc-other', 'second', NOW + 86_400_000)]);
      await hook.pass();
      assert.equal(hook.summary().failures.length, 0, hook.summary().failures.join());
      assert.equal(hook.summary().raised, 2);
      assert.equal(lines(fileOf('old')).length, 1, 'the removed sink is not sent to');
      assert.equal(lines(fileOf('new')).length, 1, 'the sink added again gets the new alert');
    } finally {
      await hook.close();
    }
  } finally {
    await store.close();
    dir.cleanup();
  }
});

test('a sink changed within the millisecond it was added in is a new channel: sent to its new address', async () => {
  const dir = tempDir();
  const store = openSqliteStore(':memory:');
  const clock = new ManualClock(NOW); // stands still: the change has the sink's first updatedAt
  try {
    const fileOf = (name: string) => join(dir.dir, `${name}.ndjson`);
    const point = (file: string) =>
      store.sinks.upsert(sinkRow({ name: 'soc', kind: 'file', url: `file://${fileOf(file)}`, takes: 'alerts' }));
    const bypass = (identity: string, id: string, at: number) => ({
      ...exchangeAdmin('Set-MailboxAuditBypassAssociation', { Identity: identity, AuditBypassEnabled: 'True' }),
      id,
      creationTime: at,
    });
    await point('old');
    const hook = (await liveDetections(
      contextOf(dir.dir, store, clock, () => undefined),
      true,
    ))!;
    try {
      await store.records.insert([bypass('svc-backup', 'first', NOW)]);
      await hook.pass();
      await point('new'); // `sink add soc --url …` again, a moment later
      await store.records.insert([bypass('svc-other', 'second', NOW + 86_400_000)]);
      await hook.pass();
      assert.equal(hook.summary().raised, 2);
      assert.equal(lines(fileOf('old')).length, 1, 'the old address gets nothing more');
      assert.equal(lines(fileOf('new')).length, 1, 'the sink as changed gets the new alert');
    } finally {
      await hook.close();
    }
  } finally {
    await store.close();
    dir.cleanup();
  }
});

test('a sink whose secret is missing keeps its alerts due, with or without routes, while the others get them', async () => {
  const dir = tempDir();
  const store = openSqliteStore(':memory:');
  const variable = 'TW_TEST_UNSET_HEC_TOKEN';
  delete process.env[variable];
  let err = '';
  const clock = new ManualClock(NOW);
  const ctx: CliContext = {
    locations: { dataDir: dir.dir, dbUrl: 'sqlite::memory:', secretKeyFile: join(dir.dir, 'k') },
    clock,
    logger: silentLogger,
    out: new PassThrough(),
    err: new PassThrough().on('data', (d: Buffer) => (err += d.toString())),
    store: async () => store,
    signal: new AbortController().signal,
    close: async () => undefined,
  };
  try {
    const file = join(dir.dir, 'alerts.ndjson');
    await store.sinks.upsert(sinkRow({ name: 'disk', kind: 'file', url: `file://${file}`, takes: 'alerts' }));
    await store.sinks.upsert(sinkRow({ name: 'siem', takes: 'both', secret: `env:${variable}` }));
    const rules = loadRuleSet();
    const pass = async (yaml: string) => {
      const routing = await alertRouting(ctx, store, parseAlertingConfig(yaml, 'alerting.yaml'), rules);
      try {
        return await deliverDue({
          store,
          clock,
          logger: silentLogger,
          routing: routing.config,
          channels: routing.channels,
        });
      } finally {
        await routing.close();
      }
    };
    await raiseHits({ store, clock, logger: silentLogger }, [hit({ tenant: 'tenant-a' })]);
    const [alert] = await store.alerts.due(NOW, 10);
    // No routes: every sink that takes alerts, the one that cannot open too.
    assert.deepEqual(await pass('live: true'), { delivered: 0, unrouted: 0, failed: 1, claimedElsewhere: 0 });
    assert.match(err, /alerts are not sent to sink siem: The environment variable TW_TEST_UNSET_HEC_TOKEN/);
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 1, 'the file sink got it');
    assert.equal((await store.alerts.get(alert!.id))?.notifiedAt, null, 'still due for siem');
    // A route to it alone: not "unrouted" (marked handled and never sent), still due.
    assert.deepEqual(await pass('routes: [{ channel: siem }]'), {
      delivered: 0,
      unrouted: 0,
      failed: 1,
      claimedElsewhere: 0,
    });
    assert.deepEqual(await store.alerts.due(NOW, 10).then((d) => d.map((a) => a.id)), [alert!.id]);
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 1, 'the file sink is not sent it again');
  } finally {
    await store.close();
    dir.cleanup();
  }
});

test("a receiver that quotes a webhook's secret path in its refusal: the path is in no log line of the routing pass", async () => {
  const dir = tempDir();
  const store = openSqliteStore(':memory:');
  const clock = new ManualClock(NOW);
  // What a reverse proxy or a web framework answers for a path it does not know: the path, quoted.
  const server = createServer((req, res) => {
    req.resume().on('end', () => res.writeHead(404).end(`Cannot POST ${req.url ?? ''}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const path = '/services/T0001/B0001/QmFzZTY0U2VjcmV0UGF0aA';
  try {
    const entries = recordingLogger();
    let err = '';
    const ctx = { ...contextOf(dir.dir, store, clock, (t) => (err += t)), logger: entries };
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
    await store.sinks.upsert(sinkRow({ name: 'soc-chat', kind: 'webhook', url, takes: 'alerts' }));
    await raiseHits({ store, clock, logger: silentLogger }, [hit({ tenant: 'tenant-a' })]);
    const routing = await alertRouting(ctx, store, parseAlertingConfig('live: true', 'alerting.yaml'), loadRuleSet());
    try {
      // As the live session and `detect` route: with the command's logger.
      const summary = await deliverDue({
        store,
        clock,
        logger: ctx.logger,
        routing: routing.config,
        channels: routing.channels,
      });
      assert.equal(summary.failed, 1, "a 404 is the sink's configuration: still due");
    } finally {
      await routing.close();
    }
    const logged = JSON.stringify(entries.entries);
    assert.match(logged, /Cannot POST/, 'the refusal is logged');
    assert.doesNotMatch(logged, /QmFzZTY0U2VjcmV0UGF0aA/);
    assert.doesNotMatch(err, /QmFzZTY0U2VjcmV0UGF0aA/);
    assert.doesNotMatch(JSON.stringify(await store.sinks.stats('soc-chat')), /QmFzZTY0U2VjcmV0UGF0aA/);
  } finally {
    server.close();
    await store.close();
    dir.cleanup();
  }
});
