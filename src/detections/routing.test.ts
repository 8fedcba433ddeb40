import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { join } from 'node:path';
import { tempDir } from '../../test/support/paths.js';
import { ManualClock } from '../core/clock.js';
import { recordingLogger } from '../core/log.js';
import type { Store } from '../store/contract.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { alertSinkRow, tenantRow } from '../store/testing/fixtures.js';
import { parseAlertingConfig } from './alerting-config.js';
import { raiseHits } from './alerts/raise.js';
import type { AlertView } from './alerts/view.js';
import { deliverDue, selectChannels, type AlertChannel } from './routing.js';
import { hit } from './testing/hits.js';

const NOW = Date.UTC(2026, 9, 2);
const CONFIG = `
suppress:
  default: 12h
  rules: { r-fast: 1h }
tenantGroups:
  gold: [contoso]
routes:
  - channel: soc
    minSeverity: high
  - channel: gold-desk
    tenantGroups: [gold]
  - channel: forwarding
    rules: [r1]
    tenants: [${'tenant-b'}]
`;

/** The sinks behind the channels of these tests: the store records a delivery only to a sink it has. */
async function addSinks(store: Store, ...names: string[]): Promise<void> {
  for (const name of names) await store.sinks.upsert(alertSinkRow(name));
}

function channel(name: string, fail = false): AlertChannel & { got: AlertView[]; sends: number } {
  const got: AlertView[] = [];
  const c = {
    name,
    sinkId: `sink-${name}`,
    got,
    sends: 0,
    longestAttemptMs: 60_000,
    longestWaitMs: 0,
    async send(alert: AlertView) {
      c.sends++;
      if (fail) throw new Error('503 from the webhook');
      got.push(alert);
    },
  };
  return c;
}

describe('routing alerts to channels', () => {
  let store: Store;
  let clock: ManualClock;
  beforeEach(async () => {
    store = openSqliteStore(':memory:');
    clock = new ManualClock(NOW);
    await store.tenants.upsert(tenantRow({ name: 'contoso', tenantId: 'tenant-a' }));
    await addSinks(store, 'soc', 'gold-desk', 'desk', 'soc-hook');
  });
  afterEach(() => store.close());

  test('routes are data: rule, minimum severity, tenants and tenant groups select the channels', () => {
    const { routing, policy } = parseAlertingConfig(CONFIG, 'alerting.yaml');
    const names = new Map([['tenant-a', 'contoso']]);
    assert.deepEqual(selectChannels({ ruleId: 'r1', tenant: 'tenant-a', severity: 'critical' }, routing, names), [
      'soc',
      'gold-desk',
    ]);
    assert.deepEqual(selectChannels({ ruleId: 'r1', tenant: 'TENANT-B', severity: 'low' }, routing, names), [
      'forwarding',
    ]);
    assert.deepEqual(selectChannels({ ruleId: 'r2', tenant: 'tenant-b', severity: 'medium' }, routing, names), []);
    assert.deepEqual([policy.suppressMs('r-fast'), policy.suppressMs('other')], [3_600_000, 12 * 3_600_000]);
  });

  test('a route names its channel as the sink was added, in any case (sink names are kept in lower case)', async () => {
    const { routing } = parseAlertingConfig('routes: [{ channel: " SOC-Hook " }]', 'alerting.yaml');
    const soc = channel('soc-hook');
    await raiseHits({ store, clock, logger: recordingLogger() }, [hit({ tenant: 'tenant-a' })]);
    const summary = await deliverDue({
      store,
      clock,
      logger: recordingLogger(),
      routing,
      channels: new Map([['soc-hook', soc]]),
    });
    assert.deepEqual(summary, { delivered: 1, unrouted: 0, failed: 0, claimedElsewhere: 0 });
    assert.equal(soc.got.length, 1);
  });

  test('a bad alerting file names the file and the place', () => {
    assert.throws(
      () => parseAlertingConfig('routes: [{ channel: x, minSeverity: huge }]', 'a.yaml'),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'CONFIG_INVALID');
        assert.match(e.message, /a\.yaml: routes\.0\.minSeverity/);
        return true;
      },
    );
    assert.throws(
      () => parseAlertingConfig('routes: [{ channel: x, tenantGroups: [nope] }]', 'a.yaml'),
      /tenant group "nope"/,
    );
    assert.throws(() => parseAlertingConfig('suppress: { default: soon }', 'a.yaml'), /suppress\.default/);
    assert.throws(() => parseAlertingConfig(': : [', 'a.yaml'), /not valid YAML/);
  });

  test('due alerts go to the registered channels once; unregistered ones are logged; a failure is retried', async () => {
    const { routing } = parseAlertingConfig(CONFIG, 'alerting.yaml');
    const soc = channel('soc');
    const desk = channel('gold-desk', true);
    const logger = recordingLogger();
    const deps = {
      store,
      clock,
      logger,
      routing,
      channels: new Map([
        ['soc', soc],
        ['gold-desk', desk],
      ]),
    };
    await raiseHits(deps, [
      hit({ tenant: 'tenant-b', severity: 'high' }),
      hit({ tenant: 'tenant-c', groupKey: 'x', severity: 'low' }),
      hit({ tenant: 'tenant-a', groupKey: 'y', severity: 'low' }),
    ]);
    assert.deepEqual(await deliverDue(deps), { delivered: 1, unrouted: 1, failed: 1, claimedElsewhere: 0 });
    assert.deepEqual(
      soc.got.map((a) => [a.ruleId, a.tenant, a.severity]),
      [['r1', 'tenant-b', 'high']],
    );
    assert.ok(logger.entries.some((e) => e.msg === 'alert not delivered: no registered channel'));
    assert.deepEqual(await deliverDue({ ...deps, channels: new Map([['gold-desk', channel('gold-desk')]]) }), {
      delivered: 1,
      unrouted: 0,
      failed: 0,
      claimedElsewhere: 0,
    });
    assert.deepEqual(
      await deliverDue(deps),
      { delivered: 0, unrouted: 0, failed: 0, claimedElsewhere: 0 },
      'each alert once',
    );
  });

  test('a channel that failed is not tried again within the pass: its alerts stay due, the others are sent', async () => {
    const routing = parseAlertingConfig('routes: [{ channel: soc }, { channel: desk }]', 'alerting.yaml').routing;
    await raiseHits(
      { store, clock, logger: recordingLogger() },
      Array.from({ length: 30 }, (_, i) => hit({ tenant: 'tenant-a', groupKey: `g${i}` })),
    );
    const soc = channel('soc', true);
    const desk = channel('desk');
    const pass = (channels: AlertChannel[]) =>
      deliverDue({
        store,
        clock,
        logger: recordingLogger(),
        routing,
        channels: new Map(channels.map((c) => [c.name, c])),
      });
    // Each failed send stands for the channel's retries and timeouts (minutes with a receiver that does not answer).
    assert.deepEqual(await pass([soc, desk]), { delivered: 0, unrouted: 0, failed: 30, claimedElsewhere: 0 });
    assert.equal(soc.sends, 1, 'the channel that failed was not tried 29 more times in the same pass');
    assert.equal(desk.got.length, 30);
    const back = channel('soc');
    assert.deepEqual(await pass([back, channel('desk')]), {
      delivered: 30,
      unrouted: 0,
      failed: 0,
      claimedElsewhere: 0,
    });
    assert.equal(back.got.length, 30, 'the next pass sends them all');
  });

  test('while a channel fails on the oldest due alerts, newer ones still reach the others (every page of a pass)', async () => {
    const routing = parseAlertingConfig('routes: [{ channel: soc }, { channel: desk }]', 'alerting.yaml').routing;
    const raise = (from: number, n: number) =>
      raiseHits(
        { store, clock, logger: recordingLogger() },
        Array.from({ length: n }, (_, i) => hit({ tenant: 'tenant-a', groupKey: `g${from + i}` })),
      );
    const pass = (channels: AlertChannel[]) =>
      deliverDue(
        { store, clock, logger: recordingLogger(), routing, channels: new Map(channels.map((c) => [c.name, c])) },
        { limit: 10 },
      );
    await raise(0, 25); // more than a page held back by soc, which is down
    await pass([channel('soc', true), channel('desk')]);
    clock.advance(60_000);
    await raise(25, 3);
    const desk = channel('desk');
    assert.deepEqual(await pass([channel('soc', true), desk]), {
      delivered: 0,
      unrouted: 0,
      failed: 28,
      claimedElsewhere: 0,
    });
    assert.deepEqual(
      desk.got.map((a) => a.groupKey).sort(),
      ['g25', 'g26', 'g27'],
      'the new alerts reached desk, behind 25 that soc holds back',
    );
    const soc = channel('soc');
    assert.equal((await pass([soc, channel('desk')])).delivered, 28);
    assert.equal(soc.got.length, 28);
  });

  /**
   * Which channels took a due alert is kept in the store, not in the channel objects: before, each channel
   * remembered it in process memory only, so a restart (or a second process routing from the same store)
   * sent the healthy channel the same alert again on every pass while the other channel failed.
   */
  test('after a restart, a channel that took the alert is not sent it again while another one fails', async () => {
    const dir = tempDir();
    const file = join(dir.dir, 'routing.sqlite');
    const routing = parseAlertingConfig('routes: [{ channel: soc }, { channel: desk }]', 'alerting.yaml').routing;
    const pass = async (at: Store, channels: AlertChannel[]) =>
      deliverDue({
        store: at,
        clock,
        logger: recordingLogger(),
        routing,
        channels: new Map(channels.map((c) => [c.name, c])),
      });
    try {
      let disk = openSqliteStore(file);
      await addSinks(disk, 'soc', 'desk');
      await raiseHits({ store: disk, clock, logger: recordingLogger() }, [
        hit({ tenant: 'tenant-a', severity: 'high' }),
      ]);
      const [id] = (await disk.alerts.due(clock.now(), 10)).map((a) => a.id);
      const first = { soc: channel('soc'), desk: channel('desk', true) };
      assert.deepEqual(await pass(disk, [first.soc, first.desk]), {
        delivered: 0,
        unrouted: 0,
        failed: 1,
        claimedElsewhere: 0,
      });
      assert.equal(first.soc.got.length, 1);
      await disk.close();

      for (let restart = 0; restart < 2; restart++) {
        disk = openSqliteStore(file);
        clock.advance(60_000);
        const soc = channel('soc');
        const summary = await pass(disk, [soc, channel('desk', true)]);
        assert.deepEqual(
          summary,
          { delivered: 0, unrouted: 0, failed: 1, claimedElsewhere: 0 },
          'still due: desk is down',
        );
        assert.equal(soc.got.length, 0, 'soc took it before the restart: not sent again');
        await disk.close();
      }

      disk = openSqliteStore(file);
      const last = { soc: channel('soc'), desk: channel('desk') };
      assert.deepEqual(await pass(disk, [last.soc, last.desk]), {
        delivered: 1,
        unrouted: 0,
        failed: 0,
        claimedElsewhere: 0,
      });
      assert.deepEqual([last.soc.got.length, last.desk.got.map((a) => a.id)], [0, [id]]);
      assert.equal((await disk.alerts.get(id!))?.notifiedAt, clock.now(), 'every channel took it: delivered');
      assert.deepEqual(await pass(disk, [channel('soc'), channel('desk')]), {
        delivered: 0,
        unrouted: 0,
        failed: 0,
        claimedElsewhere: 0,
      });
      await disk.close();
    } finally {
      dir.cleanup();
    }
  });
});
