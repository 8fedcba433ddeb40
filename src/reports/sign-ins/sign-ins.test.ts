import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOMAIN, entra, signIn } from '../testing/builders.js';
import { runOver } from '../testing/harness.js';
import { signIns } from './report.js';

const at = (iso: string, ip = '192.0.2.1') => ({ CreationTime: iso, ClientIP: ip });

test('groups by user, IP and user agent; an address unseen in the look-back is new', async () => {
  // The tenant's records reach back past the 30-day look-back before the period.
  const since = entra('Update user.', { CreationTime: '2026-01-20T08:00:00' });
  const known = signIn(false, at('2026-02-20T08:00:00'));
  const again = signIn(false, at('2026-03-10T08:00:00'));
  const fresh = signIn(false, at('2026-03-10T09:00:00', '203.0.113.9'));
  const failed = signIn(true, at('2026-03-10T09:01:00', '203.0.113.9'));
  const result = await runOver(signIns, [since, known, again, fresh, failed]);
  const groups = result.rows.filter((r) => r.kind === 'sign-ins');
  assert.equal(groups.length, 2);
  const byIp = Object.fromEntries(groups.map((g) => [g.clientIp, g]));
  assert.equal(byIp['192.0.2.1']?.newIp, false);
  assert.equal(byIp['203.0.113.9']?.newIp, true);
  assert.deepEqual([byIp['203.0.113.9']?.successes, byIp['203.0.113.9']?.failures], [1, 1]);
  assert.match(String(byIp['192.0.2.1']?.userAgent), /Firefox/);
  assert.equal(result.summary.records, 3);
  assert.equal(result.summary.totals.newIps, 1);
  assert.equal(result.summary.totals.newIpNotes, undefined);
});

test('no address is called new where the records do not reach the whole look-back; a note says why', async () => {
  const known = signIn(false, at('2026-02-20T08:00:00'));
  const fresh = signIn(false, at('2026-03-10T09:00:00', '203.0.113.9'));
  const result = await runOver(signIns, [known, fresh]);
  assert.deepEqual(
    result.rows.filter((r) => r.kind === 'sign-ins').map((r) => r.newIp),
    [false],
  );
  assert.equal(result.summary.totals.newIps, 0);
  assert.match(
    String(result.summary.totals.newIpNotes),
    /: records begin 2026-02-20, after the 30d look-back before the period starts \(2026-02-03\), so no address is called new$/,
  );
  // Records that begin inside the period itself: the note said they began "inside the 30d look-back before the period".
  const late = await runOver(signIns, [fresh]);
  assert.match(
    String(late.summary.totals.newIpNotes),
    /: records begin 2026-03-10, after the 30d look-back before the period starts \(2026-02-03\), so no address/,
  );
});

test('a burst of failures at the threshold within the window is one row; spread-out failures are none', async () => {
  const burst = Array.from({ length: 10 }, (_, i) => signIn(true, at(`2026-03-10T10:0${i}:00`)));
  const spread = Array.from({ length: 10 }, (_, i) =>
    signIn(true, { ...at(`2026-03-0${(i % 5) + 5}T1${i}:00:00`), UserId: `megan@${DOMAIN}` }),
  );
  const result = await runOver(signIns, [...burst, ...spread]);
  const bursts = result.rows.filter((r) => r.kind === 'failure-burst');
  assert.equal(bursts.length, 1);
  assert.deepEqual([bursts[0]?.user, bursts[0]?.failures], [`adele@${DOMAIN}`, 10]);
  assert.equal(
    (await runOver(signIns, burst, { burstThreshold: 11 })).rows.filter((r) => r.kind === 'failure-burst').length,
    0,
  );
});

test('MFA changes: Disable Strong Authentication and StrongAuthentication updates; other user updates are not', async () => {
  const off = entra('Disable Strong Authentication.');
  const methods = entra('Update user.', {
    ModifiedProperties: [{ Name: 'StrongAuthenticationMethod', NewValue: '[]', OldValue: '[{"MethodType":6}]' }],
  });
  const title = entra('Update user.', {
    ModifiedProperties: [{ Name: 'JobTitle', NewValue: '["CEO"]', OldValue: '[]' }],
  });
  const mfa = (await runOver(signIns, [off, methods, title])).rows.filter((r) => r.kind === 'mfa');
  assert.deepEqual(mfa.map((r) => r.id).sort(), [off.id, methods.id].sort());
});

test('MFA method changes say which: an added method, a removed one, the default alone, all cleared', async () => {
  const methods = (old: string, now: string) =>
    entra('Update user.', {
      ModifiedProperties: [{ Name: 'StrongAuthenticationMethod', NewValue: now, OldValue: old }],
    });
  const app = '{"MethodType":6,"Default":true}';
  const sms = '{"MethodType":0,"Default":false}';
  const smsDefault = '{"MethodType":0,"Default":true}';
  const appNotDefault = '{"MethodType":6,"Default":false}';
  const added = methods(`[${app}]`, `[${app},${sms}]`);
  const removed = methods(`[${app},${sms}]`, `[${app}]`);
  const defaultOnly = methods(`[${app},${sms}]`, `[${appNotDefault},${smsDefault}]`);
  const cleared = methods(`[${app}]`, '[]');
  const rows = (await runOver(signIns, [added, removed, defaultOnly, cleared])).rows.filter((r) => r.kind === 'mfa');
  const byId = new Map(rows.map((r) => [r.id, r.change]));
  assert.equal(byId.get(added.id), 'added method type 0; now: method type 6, method type 0');
  assert.equal(byId.get(removed.id), 'removed method type 0; now: method type 6');
  assert.equal(byId.get(defaultOnly.id), 'default MFA method changed from 6 to 0; now: method type 6, method type 0');
  assert.equal(byId.get(cleared.id), 'removed every MFA method (was: method type 6)');
});
