import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RetentionPolicy } from '../store/retention-contract.js';
import { policyOf } from './sweep.js';

const GUID = '0e8108b1-18e9-41a4-961b-dfcddf92ef08';

test("a tenant's policy applies to every spelling of its GUID (records an earlier version stored in upper case)", () => {
  const own = { tenant: GUID, keepMs: 1, updatedAt: 0 } as RetentionPolicy;
  const fallback = { tenant: null, keepMs: 2, updatedAt: 0 } as RetentionPolicy;
  const label = { tenant: 'Case-2026', keepMs: 3, updatedAt: 0 } as RetentionPolicy;
  const policies = [fallback, own, label];
  assert.equal(policyOf(policies, GUID), own);
  assert.equal(policyOf(policies, GUID.toUpperCase()), own);
  assert.equal(policyOf(policies, 'Case-2026'), label);
  assert.equal(policyOf(policies, 'CASE-2026'), fallback, 'an import label is matched as it is stored');
});
