import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDToken } from 'openid-client';
import { identityFrom } from './oidc-client.js';

const BASE: IDToken = { iss: 'https://issuer.example', sub: 's1', aud: 'c', exp: 2e9, iat: 1e9 };

test('an id token names the person by the chosen claim, linked by its issuer and subject, with its groups', () => {
  const id = identityFrom(
    { ...BASE, preferred_username: 'adele@contoso.com', groups: ['g1', 2] },
    'preferred_username',
  );
  assert.deepEqual(id, {
    externalId: 'https://issuer.example|sub:s1',
    claimId: 'https://issuer.example|adele@contoso.com',
    name: 'adele@contoso.com',
    groups: ['g1', '2'],
  });
  assert.throws(() => identityFrom({ ...BASE }, 'preferred_username'), /has no "preferred_username" claim/);
  // An issuer that sends no subject (not OpenID Connect as configured): nothing to link the person by.
  assert.throws(() => identityFrom({ ...BASE, sub: '', preferred_username: 'a' }, 'preferred_username'), /"sub"/);
});

test('an email the issuer calls unverified is not a name (it would link to that account)', () => {
  for (const verified of [false, 'false'])
    assert.throws(
      () => identityFrom({ ...BASE, email: 'admin@contoso.com', email_verified: verified }, 'email'),
      (e: Error & { hint?: string }) => /not verified/.test(e.message) && /--oidc-claim/.test(e.hint ?? ''),
    );
  // Verified, or no such claim at all (Entra ID sends none): the address names the person.
  for (const extra of [{ email_verified: true }, {}])
    assert.equal(identityFrom({ ...BASE, email: 'admin@contoso.com', ...extra }, 'email').name, 'admin@contoso.com');
  // Other claims are not judged by email_verified.
  assert.equal(
    identityFrom({ ...BASE, preferred_username: 'p', email_verified: false }, 'preferred_username').name,
    'p',
  );
});
