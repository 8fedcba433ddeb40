import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordHead } from '../core/record.js';
import { SummaryTally } from './summary.js';

const head = (tenant: string, id: string, over: Partial<RecordHead> = {}): RecordHead => ({
  tenant,
  id,
  creationTime: Date.UTC(2026, 2, 10, 9),
  recordType: 15,
  operation: 'UserLoggedIn',
  workload: 'AzureActiveDirectory',
  userKey: 'adele@contoso.com',
  clientIp: '192.0.2.1',
  outcome: 'success',
  userAgent: null,
  appId: null,
  logonType: null,
  ...over,
});

test('count: a record counted twice (two findings about it) counts once; the same id in another tenant is another record', () => {
  const tally = new SummaryTally();
  tally.count(head('t1', 'a'));
  tally.count(head('t1', 'a'));
  tally.count(head('t2', 'a', { userKey: 'megan@fabrikam.com' }));
  const s = tally.summary(2);
  assert.equal(s.records, 2);
  assert.deepEqual(s.byTenant, [
    { key: 't1', count: 1 },
    { key: 't2', count: 1 },
  ]);
  assert.deepEqual(
    s.byUser.map((e) => e.count),
    [1, 1],
  );
});

test('countOnce: counted in every dimension without keeping ids, and added to what count counted', () => {
  const tally = new SummaryTally();
  tally.countOnce(head('t1', 'a'));
  tally.countOnce(head('t1', 'b', { operation: 'UserLoginFailed', creationTime: Date.UTC(2026, 2, 11) }));
  tally.count(head('t1', 'mfa', { operation: 'Update user.' }));
  const s = tally.summary(3);
  assert.equal(s.records, 3);
  assert.deepEqual(s.byDay, [
    { key: '2026-03-10', count: 2 },
    { key: '2026-03-11', count: 1 },
  ]);
  assert.deepEqual(s.byOperation.map((e) => e.key).sort(), ['Update user.', 'UserLoggedIn', 'UserLoginFailed']);
  assert.deepEqual(s.byUser, [{ key: 'adele@contoso.com', count: 3 }]);
});
