import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from '../store/contract.js';
import { resolveTenantKeys, storedKeys } from './tenants.js';

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
