import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from '../store/contract.js';
import { resolveTenantKeys } from './tenants.js';

test('a blank tenant is refused before the store is asked (retention set --tenant "   " found a blank label)', async () => {
  const store = {
    tenants: { get: async () => null },
    records: { newest: async () => new Map([['   ', 1]]) },
  } as unknown as Store;
  await assert.rejects(resolveTenantKeys(store, ['   ']), { code: 'BAD_INPUT', message: 'The tenant is blank' });
});
