import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { recordingLogger } from '../core/log.js';
import type { Store } from '../store/contract.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { tenantRow } from '../store/testing/fixtures.js';
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

function channel(name: string, fail = false): AlertChannel & { got: AlertView[] } {
  const got: AlertView[] = [];
  return {
    name,
    got,
    async send(alert) {
      if (fail) throw new Error('503 from the webhook');
      got.push(alert);
    },
  };
}

describe('routing alerts to channels', () => {
  let store: Store;
  let clock: ManualClock;
  beforeEach(async () => {
    store = openSqliteStore(':memory:');
    clock = new ManualClock(NOW);
    await store.tenants.upsert(tenantRow({ name: 'contoso', tenantId: 'tenant-a' }));
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
    assert.deepEqual(await deliverDue(deps), { delivered: 1, unrouted: 1, failed: 1 });
    assert.deepEqual(
      soc.got.map((a) => [a.ruleId, a.tenant, a.severity]),
      [['r1', 'tenant-b', 'high']],
    );
    assert.ok(logger.entries.some((e) => e.msg === 'alert not delivered: no registered channel'));
    assert.deepEqual(await deliverDue({ ...deps, channels: new Map([['gold-desk', channel('gold-desk')]]) }), {
      delivered: 1,
      unrouted: 0,
      failed: 0,
    });
    assert.deepEqual(await deliverDue(deps), { delivered: 0, unrouted: 0, failed: 0 }, 'each alert once');
  });
});
