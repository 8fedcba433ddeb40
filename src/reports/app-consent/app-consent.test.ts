import assert from 'node:assert/strict';
import { test } from 'node:test';
import { entra, nv } from '../testing/builders.js';
import { idsOf, rowIds, runOver } from '../testing/harness.js';
import { appConsent } from './report.js';

const consent = (admin: boolean) =>
  entra('Consent to application.', {
    ObjectId: '95106c0e-3519-450e-8e38-7f326d873454',
    ExtendedProperties: nv({ additionalDetails: '{"AppId":"95106c0e-3519-450e-8e38-7f326d873454"}' }),
    ModifiedProperties: [
      { Name: 'ConsentContext.IsAdminConsent', NewValue: admin ? 'True' : 'False', OldValue: '' },
      {
        Name: 'ConsentAction.Permissions',
        NewValue:
          '[] => [[Id: r2K, ClientId: 21ad, ConsentType: AllPrincipals, Scope: Mail.Read offline_access, CreatedDateTime: ]]; ',
        OldValue: '',
      },
    ],
  });

test('consents (with admin flag and scopes), new service principals, role assignments and credentials are found', async () => {
  const userConsent = consent(false);
  const adminConsent = consent(true);
  const sp = entra('Add service principal.');
  const role = entra('Add app role assignment to service principal.');
  const secret = entra('Update application – Certificates and secrets management ', {
    ModifiedProperties: [{ Name: 'KeyDescription', NewValue: '[x]', OldValue: '[]' }],
  });
  const unrelated = entra('Update user.');
  const result = await runOver(appConsent, [userConsent, adminConsent, sp, role, secret, unrelated]);
  assert.deepEqual(rowIds(result), idsOf([userConsent, adminConsent, sp, role, secret]));
  const a = result.rows.find((r) => r.id === adminConsent.id);
  assert.deepEqual(
    [a?.kind, a?.adminConsent, a?.permissions, a?.appId],
    ['consent', true, 'Mail.Read offline_access', '95106c0e-3519-450e-8e38-7f326d873454'],
  );
  assert.equal(result.rows.find((r) => r.id === secret.id)?.kind, 'credentials added');
  assert.deepEqual(result.summary.totals, { consents: 2, adminConsents: 1, credentialsAdded: 1 });
});
