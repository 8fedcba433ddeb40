import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY } from '../core/time.js';
import { openStore } from '../store/open.js';
import { record, tenantRow } from '../store/testing/fixtures.js';
import { firstSeenLookBacks, historyWaits } from './history-wait.js';
import { loadRuleSet } from './loader.js';

const NOW = Date.UTC(2026, 11, 1);

test('a first-seen rule waits for the tenants whose records do not reach its look-back, and for the empty ones', async () => {
  const store = await openStore('sqlite::memory:');
  try {
    await store.tenants.upsert(tenantRow({ name: 'empty', tenantId: 'empty-key' }));
    await store.records.insert([
      record({ tenant: 'old', creationTime: NOW - 40 * DAY }),
      record({ tenant: 'young', creationTime: NOW - 10 * DAY }),
    ]);
    const rules = firstSeenLookBacks(loadRuleSet());
    assert.deepEqual(
      rules.map((r) => [r.title, r.windowMs / DAY]),
      [['Sign-in from an address new for the user', 30]],
    );
    const waits = await historyWaits(store, rules, undefined, NOW);
    assert.deepEqual(waits, [
      {
        ruleId: rules[0]!.id,
        title: 'Sign-in from an address new for the user',
        days: 30,
        tenants: [
          { tenant: 'empty-key', name: 'empty', since: null, until: null },
          { tenant: 'young', name: 'young', since: NOW - 10 * DAY, until: NOW + 20 * DAY },
        ],
      },
    ]);
    assert.deepEqual(await historyWaits(store, rules, ['old'], NOW), [], 'nothing waits for a tenant with 40 days');
    assert.deepEqual(await historyWaits(store, [], undefined, NOW), []);
    assert.deepEqual(await historyWaits(store, rules, ['nobody'], NOW), [], 'an unknown key waits for nothing');
  } finally {
    await store.close();
  }
});
