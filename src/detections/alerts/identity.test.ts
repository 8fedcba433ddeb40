import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import type { Store } from '../../store/contract.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { hit } from '../testing/hits.js';
import { ALERT_IDENTITY, raiseHits, type RaiseDeps } from './raise.js';
import { windowStart } from './identity.js';

/**
 * ADR 0039 and ADR 0020: one alert whatever spelling of a GUID tenant (or record Id) its hits came from, before and
 * after `optimize --rekey` merges a store an earlier version keyed by the spelling received.
 */
const NOW = Date.UTC(2026, 9, 2);
const TENANT = '0e8108b1-18e9-41a4-961b-dfcddf92ef08';
const TU = TENANT.toUpperCase();
const REC = 'aaaabbbb-0000-4000-8000-00000000000c';
const DAY = 24 * 3_600_000;

let store: Store;
let deps: RaiseDeps;
beforeEach(() => {
  store = openSqliteStore(':memory:');
  deps = { store, clock: new ManualClock(NOW), logger: silentLogger };
});
afterEach(() => store.close());

/** How a version before the fix derived them: from the tenant and record ids as spelled. */
const digest = (parts: unknown[], n: number) =>
  createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, n);
const earlierAlertId = (tenant: string, window: number) => `al_${digest(['r1', tenant, '', window], 16)}`;
const earlierHitKey = (tenant: string, ids: string[]) => digest(['r1', tenant, '', [...ids].sort(), null], 32);

describe('alert identity across spellings of a GUID tenant', () => {
  test('hits under the upper-case and the lower-case GUID of one tenant make one alert, and a replay is one hit', async () => {
    await raiseHits(deps, [hit({ tenant: TU, recordIds: [REC.toUpperCase()] })]);
    const again = await raiseHits(deps, [hit({ tenant: TENANT, recordIds: [REC] })]);
    assert.deepEqual([again.raised, again.duplicates], [0, 1], 'the same hit, spelled in lower case');
    await raiseHits(deps, [hit({ tenant: TENANT, recordIds: ['rec-2'] })]);
    const alerts = await store.alerts.list();
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.hits, 2);
  });

  test('a lower-case tenant keeps the alert id it always had', () => {
    const w = windowStart(NOW, DAY);
    assert.equal(ALERT_IDENTITY.alertId('r1', TENANT, '', w), earlierAlertId(TENANT, w));
    assert.equal(ALERT_IDENTITY.alertId('r1', TU, '', w), earlierAlertId(TENANT, w));
  });

  test('after optimize --rekey, an alert an earlier version filed under the upper-case GUID takes the next hits', async () => {
    const first = hit({ tenant: TU, recordIds: [REC.toUpperCase()] });
    const window = windowStart(first.firstSeen, DAY);
    // As an earlier version stored it: id and hit key from the spelling received.
    await store.alerts.applyHit(
      {
        ...first,
        hitKey: earlierHitKey(TU, first.recordIds),
        alertId: earlierAlertId(TU, window),
        windowStart: window,
        snoozedUntil: null,
        maxRecordIds: 1_000,
      },
      NOW,
    );
    await store.alerts.setStatus(earlierAlertId(TU, window), { from: 'new', to: 'resolved', actor: 'ann', at: NOW });
    assert.equal((await store.alerts.rekey(ALERT_IDENTITY)).changed, 1);

    const retro = await raiseHits(deps, [hit({ tenant: TENANT, recordIds: [REC] })]);
    assert.deepEqual(
      [retro.raised, retro.reopened, retro.duplicates],
      [0, 0, 1],
      'a retro detect over the merged record',
    );
    const live = await raiseHits(deps, [hit({ tenant: TENANT, recordIds: ['rec-2'] })]);
    assert.equal(live.reopened, 1, 'a new hit reopens the alert it belongs to');
    const alerts = await store.alerts.list();
    assert.equal(alerts.length, 1, 'one alert');
    assert.deepEqual([alerts[0]?.id, alerts[0]?.tenant, alerts[0]?.hits], [earlierAlertId(TENANT, window), TENANT, 2]);
    assert.deepEqual(
      (await store.alerts.history(alerts[0]!.id)).map((c) => c.action),
      ['raised', 'status', 'reopened'],
    );
  });
});
