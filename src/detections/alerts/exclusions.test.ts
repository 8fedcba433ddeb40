import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExclusionKind } from '../../store/contract.js';
import { hit } from '../testing/hits.js';
import { excludedBy, exclusionValues, newExclusion } from './exclusions.js';

const NOW = Date.UTC(2026, 9, 2);
const exclusionOf = (kind: ExclusionKind, value: string) =>
  newExclusion({ ruleId: 'r1', tenant: '*', kind, value, reason: 'expected', author: 'ana' }, NOW);

test("exclusionValues: each kind's value as an exclusion reads the facts (rule's name first, raw field second)", () => {
  assert.deepEqual(exclusionValues({ user: 'adele@contoso.com', operation: 'New-InboxRule' }), {
    user: 'adele@contoso.com',
  });
  assert.deepEqual(exclusionValues({ UserId: 'svc@contoso.com', ClientIP: '192.0.2.7', AppId: 'app-1' }), {
    user: 'svc@contoso.com',
    address: '192.0.2.7',
    application: 'app-1',
  });
  assert.deepEqual(exclusionValues({ address: '198.51.100.1', ClientIP: '192.0.2.7', application: 'a', AppId: 'b' }), {
    address: '198.51.100.1',
    application: 'a',
  });
});

test('an exclusion made from an offered value keeps that hit (no records) quiet', () => {
  const facts = { UserId: 'svc@contoso.com', ClientIP: '192.0.2.7', AppId: 'app-1' };
  const h = hit({ ruleId: 'r1', recordIds: [], facts });
  for (const [kind, value] of Object.entries(exclusionValues(facts))) {
    const e = exclusionOf(kind as ExclusionKind, value);
    assert.equal(excludedBy(h, [], [e]), e, kind);
  }
});
