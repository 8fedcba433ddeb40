import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRecord } from '../../../core/record.js';
import { DAY, MINUTE } from '../../../core/time.js';
import { entra, nv, roleChange, signIn } from '../../../reports/testing/builders.js';
import { packHits, packMatches } from '../../testing/pack.js';

const fires = (name: string, ...records: AuditRecord[]) => packHits(name, records).length > 0;
const T = Date.UTC(2026, 2, 10, 10);
const at = (t: number) => new Date(t).toISOString().slice(0, 19);
const failed = (t: number, user: string, ip: string) =>
  signIn(true, { CreationTime: at(t), UserId: user, ClientIP: ip });
const ok = (t: number, user: string, ip: string, over: Record<string, unknown> = {}) =>
  signIn(false, { CreationTime: at(t), UserId: user, ClientIP: ip, ...over });

test('global-admin-granted', () => {
  assert.ok(fires('global-admin-granted', roleChange('add', 'megan@contoso.onmicrosoft.com')));
  assert.ok(!fires('global-admin-granted', roleChange('remove', 'megan@contoso.onmicrosoft.com')));
  assert.ok(!fires('global-admin-granted', roleChange('add', 'megan@contoso.onmicrosoft.com', 'Reports Reader')));
});

test('privileged-role-granted', () => {
  assert.ok(
    fires('privileged-role-granted', roleChange('add', 'megan@contoso.onmicrosoft.com', 'Exchange Administrator')),
  );
  assert.ok(
    !fires('privileged-role-granted', roleChange('add', 'megan@contoso.onmicrosoft.com', 'Message Center Reader')),
  );
});

test('mfa-method-removed: a removed method is an alert, an added one or a new default is not', () => {
  const update = (oldValue: object[], newValue: object[]) =>
    entra('Update user.', {
      ModifiedProperties: [
        { Name: 'StrongAuthenticationMethod', OldValue: JSON.stringify(oldValue), NewValue: JSON.stringify(newValue) },
      ],
    });
  const phone = { MethodType: 6, Default: true };
  const app = { MethodType: 7, Default: false };
  assert.ok(fires('mfa-method-removed', update([phone, app], [phone])));
  assert.ok(fires('mfa-method-removed', entra('Admin deleted security info')));
  assert.ok(!fires('mfa-method-removed', update([phone], [phone, app])));
  assert.ok(
    !fires(
      'mfa-method-removed',
      update(
        [phone, app],
        [
          { ...phone, Default: false },
          { ...app, Default: true },
        ],
      ),
    ),
  );
});

test('mfa-disabled', () => {
  assert.ok(fires('mfa-disabled', entra('Disable Strong Authentication.')));
  assert.ok(!fires('mfa-disabled', entra('Enable Strong Authentication.')));
});

test('consent-high-privilege', () => {
  const consent = (scope: string) =>
    entra('Consent to application.', {
      ModifiedProperties: [
        {
          Name: 'ConsentAction.Permissions',
          NewValue: `[] => [[ConsentType: AllPrincipals, Scope: ${scope}]]`,
          OldValue: '',
        },
      ],
    });
  assert.ok(fires('consent-high-privilege', consent('User.Read Mail.ReadWrite offline_access')));
  assert.ok(!fires('consent-high-privilege', consent('User.Read openid profile')));
});

test('federated-domain-added', () => {
  assert.ok(fires('federated-domain-added', entra('Set domain authentication.', { ObjectId: 'contoso.com' })));
  assert.ok(!fires('federated-domain-added', entra('Verify domain.', { ObjectId: 'contoso.com' })));
});

test('device-code-sign-in', () => {
  const code = signIn(false, { ExtendedProperties: nv({ RequestType: 'Cmsi:Cmsi', ResultStatusDetail: 'Success' }) });
  assert.ok(fires('device-code-sign-in', code));
  assert.ok(!fires('device-code-sign-in', signIn(false)));
});

test('failed-sign-in is a helper: it matches failures and raises nothing itself', () => {
  assert.ok(packMatches('failed-sign-in', signIn(true)));
  assert.ok(!packMatches('failed-sign-in', signIn(false)));
  assert.equal(packHits('failed-sign-in', [signIn(true)]).length, 0);
});

test('brute-force: ten failures for one user within ten minutes', () => {
  const burst = Array.from({ length: 12 }, (_, i) => failed(T + i * 20_000, 'megan@contoso.com', '203.0.113.9'));
  const hits = packHits('brute-force', burst);
  assert.equal(new Set(hits.flatMap((h) => h.recordIds)).size, 12);
  const slow = Array.from({ length: 12 }, (_, i) => failed(T + i * 60 * MINUTE, 'megan@contoso.com', '203.0.113.9'));
  assert.ok(!fires('brute-force', ...slow));
});

test('password-spray: many users, one address', () => {
  const spray = Array.from({ length: 12 }, (_, i) => failed(T + i * MINUTE, `user${i}@contoso.com`, '198.51.100.66'));
  assert.deepEqual([...new Set(packHits('password-spray', spray).map((h) => h.groupKey))], ['198.51.100.66']);
  const spread = Array.from({ length: 12 }, (_, i) =>
    failed(T + i * MINUTE, `user${i}@contoso.com`, `198.51.100.${i}`),
  );
  assert.ok(!fires('password-spray', ...spread));
});

test('session-several-addresses (helper sign-in-with-session)', () => {
  const session = (ip: string, id: string, t: number) =>
    ok(t, 'megan@contoso.com', ip, { DeviceProperties: nv({ SessionId: id, OS: 'Windows' }) });
  assert.ok(packMatches('sign-in-with-session', session('192.0.2.1', 's1', T)));
  assert.ok(!packMatches('sign-in-with-session', signIn(false)));
  assert.ok(
    fires('session-several-addresses', session('192.0.2.1', 's1', T), session('203.0.113.77', 's1', T + MINUTE)),
  );
  assert.ok(!fires('session-several-addresses', session('192.0.2.1', 's1', T), session('192.0.2.1', 's1', T + MINUTE)));
});

test('new-sign-in-address: the first sign-in from an address in 30 days', () => {
  const first = ok(T, 'megan@contoso.com', '192.0.2.1');
  const again = ok(T + DAY, 'megan@contoso.com', '192.0.2.1');
  const other = ok(T + 2 * DAY, 'megan@contoso.com', '203.0.113.5');
  // The tenant's records reach back past the look-back (another user's sign-in, itself not new: nothing before it).
  const since = ok(T - 31 * DAY, 'adele@contoso.com', '192.0.2.9');
  const hits = packHits('new-sign-in-address', [other, again, first, since]);
  assert.deepEqual(hits.map((h) => h.recordIds[0]).sort(), [first.id, other.id].sort());
  assert.equal(hits.find((h) => h.recordIds[0] === other.id)?.facts['new ClientIP'], '203.0.113.5');
  assert.deepEqual(packHits('new-sign-in-address', [other, again, first]), [], 'two days of history tell nothing new');
});
