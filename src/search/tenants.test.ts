import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from '../store/contract.js';
import { alertKeys, resolveTenantKeys, storedKeys } from './tenants.js';
import { alertHit } from '../store/testing/alert-conformance.js';
import { openStore } from '../store/open.js';
import { record, tenantRow, TENANT_A, TENANT_B } from '../store/testing/fixtures.js';

test('a blank tenant is refused before the store is asked (retention set --tenant "   " found a blank label)', async () => {
  const store = {
    tenants: { get: async () => null },
    records: { newest: async () => new Map([['   ', 1]]) },
  } as unknown as Store;
  await assert.rejects(resolveTenantKeys(store, ['   ']), { code: 'BAD_INPUT', message: 'The tenant is blank' });
});

test('a label not stored as typed is looked up among the keys alike, not by listing every tenant', async () => {
  const asked: string[] = [];
  const store = {
    records: {
      newest: async (tenants?: string[]) => {
        // Every stored tenant key, each with its newest record: what a store of many tenants should not be asked.
        if (!tenants) throw new Error('every tenant was listed');
        return new Map();
      },
      tenantKeysAlike: async (label: string) => {
        asked.push(label);
        return ['Case-2026'];
      },
    },
  } as unknown as Store;
  assert.deepEqual(await storedKeys(store, 'case-2026'), ['Case-2026']);
  assert.deepEqual(asked, ['case-2026']);
});

test('a GUID tenant names every spelling its records are stored under (an earlier version kept the case a file used)', async () => {
  const store = await openStore('sqlite::memory:');
  try {
    const guid = TENANT_A;
    // Collected under the registered (lower-case) GUID; imported by an earlier version under the file's upper case.
    await store.records.insert([
      record({ tenant: guid }),
      record({ tenant: guid.toUpperCase() }),
      record({ tenant: TENANT_B }),
    ]);
    await store.tenants.upsert(tenantRow({ name: 'contoso', tenantId: guid }));
    const both = [guid.toUpperCase(), guid].sort();
    for (const asked of ['contoso', guid, guid.toUpperCase()])
      assert.deepEqual((await resolveTenantKeys(store, [asked])).sort(), both, asked);
    const tenants = await resolveTenantKeys(store, ['contoso']);
    assert.equal(await store.records.count({ range: { start: 0, end: 8e12 }, tenants }), 2, 'no split');
    assert.deepEqual(await resolveTenantKeys(store, [TENANT_B.toUpperCase()]), [TENANT_B]);
  } finally {
    await store.close();
  }
});

test('a label only alerts are filed under (its records removed) is named in any case, as a stored one is', async () => {
  const store = await openStore('sqlite::memory:');
  try {
    await store.alerts.applyHits([alertHit({ tenant: 'Case-2026' })], 0);
    for (const asked of ['Case-2026', 'case-2026', 'CASE-2026'])
      assert.deepEqual(await resolveTenantKeys(store, [asked], alertKeys(store)), ['Case-2026'], asked);
    await assert.rejects(resolveTenantKeys(store, ['case-2027'], alertKeys(store)), { code: 'UNKNOWN_TENANT' });
    await assert.rejects(resolveTenantKeys(store, ['case-2026']), { code: 'UNKNOWN_TENANT' }, 'only with alertKeys');
  } finally {
    await store.close();
  }
});
