import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExclusionKind } from '../../store/contract.js';
import { hit } from '../testing/hits.js';
import { excludedBy, exclusionValues, newExclusion, snoozedUntil } from './exclusions.js';

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

test('an exclusion or snooze filed under a GUID tenant applies to its hits in any case; an import label as written', () => {
  const guid = '0e8108b1-18e9-41a4-961b-dfcddf92ef08';
  const facts = { user: 'svc@contoso.com' };
  const at = (tenant: string) => ({ ruleId: 'r1', tenant, kind: 'user' as const, value: 'svc@contoso.com' });
  const filed = (tenant: string) => newExclusion({ ...at(tenant), reason: 'expected', author: 'ana' }, NOW);
  // An alert raised before ADR 0039 on the upper-case spelling; its hits now come under the lower-case key.
  const upper = filed(guid.toUpperCase());
  assert.equal(excludedBy(hit({ tenant: guid, recordIds: [], facts }), [], [upper]), upper);
  assert.equal(excludedBy(hit({ tenant: guid.toUpperCase(), recordIds: [], facts }), [], [filed(guid)])?.tenant, guid);
  assert.equal(excludedBy(hit({ tenant: 'case-2026', recordIds: [], facts }), [], [filed('Case-2026')]), null);
  const snooze = {
    id: 's1',
    ruleId: 'r1',
    tenant: guid.toUpperCase(),
    groupKey: null,
    until: NOW + 1,
    reason: '',
    author: 'ana',
    createdAt: NOW,
  };
  assert.equal(snoozedUntil(hit({ tenant: guid }), [snooze], NOW), NOW + 1);
});
