import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import type { Store } from '../../store/contract.js';
import { openStore } from '../../store/open.js';
import { NOW, SHARED_STORES, type Cleanups } from '../testing/claims.js';
import { hit } from '../testing/hits.js';
import { newExclusion } from './exclusions.js';
import { raiseHits } from './raise.js';

/**
 * An exclusion or snooze made (`alerts exclude`, `alerts snooze`, the console) while a batch of hits is being raised:
 * once it is stored, no alert raised after ignores it. The batch reads the exclusions and snoozes, judges its hits,
 * then applies them; the change comes in between, through another connection to the store.
 */
const cleanups: Cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

for (const shared of SHARED_STORES)
  describe(`raising hits while an exclusion or snooze is made: ${shared.name}`, { skip: shared.skip }, () => {
    /** `raising` raises the hits; `other` is the person's command. */
    async function setUp(): Promise<{ raising: Store; other: Store; clock: ManualClock }> {
      const url = await shared.url(cleanups);
      const stores = [await openStore(url), await openStore(url)] as const;
      cleanups.push(async () => {
        for (const s of stores) await s.close();
      });
      return { raising: stores[0], other: stores[1], clock: new ManualClock(NOW) };
    }

    /** The store as the raising pass sees it, with `during` run right after it read the snoozes (then exclusions). */
    function readThen(store: Store, during: () => Promise<void>): Store {
      const alerts: Store['alerts'] = Object.assign(Object.create(store.alerts) as Store['alerts'], {
        listSnoozes: async (at?: number) => {
          const snoozes = await store.alerts.listSnoozes(at);
          await during();
          return snoozes;
        },
      });
      return { ...store, alerts };
    }

    test('an exclusion stored after the batch read the exclusions keeps its matching hit from being raised', async () => {
      const { raising, other, clock } = await setUp();
      let made = false;
      const exclusion = newExclusion(
        { ruleId: 'r1', tenant: 't1', kind: 'user', value: 'adele@contoso.com', reason: 'test user', author: 'ann' },
        NOW,
      );
      const store = readThen(raising, async () => {
        if (made) return;
        made = true;
        await other.alerts.addExclusion(exclusion);
      });
      const summary = await raiseHits({ store, clock, logger: silentLogger }, [hit()]);
      assert.deepEqual([summary.raised, summary.excluded], [0, 1]);
      assert.deepEqual(await raising.alerts.list(), [], 'no alert raised after the exclusion was stored');
      assert.equal((await raising.alerts.listExclusions())[0]?.hits, 1, 'the hit is counted on the exclusion');
    });

    test('a snooze stored after the batch read the snoozes holds its matching hit silent', async () => {
      const { raising, other, clock } = await setUp();
      let made = false;
      const until = NOW + 4 * 3_600_000;
      const store = readThen(raising, async () => {
        if (made) return;
        made = true;
        await other.alerts.addSnooze({
          id: 'sn_change',
          ruleId: 'r1',
          tenant: 't1',
          groupKey: null,
          until,
          reason: 'change window',
          author: 'ann',
          createdAt: NOW,
        });
      });
      const summary = await raiseHits({ store, clock, logger: silentLogger }, [hit()]);
      assert.deepEqual([summary.raised, summary.snoozed], [1, 1]);
      const [alert] = await raising.alerts.list();
      assert.equal(alert?.snoozedUntil, until, 'raised snoozed: not delivered until the snooze ends');
      assert.deepEqual(await raising.alerts.due(NOW, 10), []);
    });
  });
