import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exchangeAdmin } from '../../../reports/testing/builders.js';
import { packHits } from '../../testing/pack.js';

/** Teams admin cmdlets reach the audit log like Exchange's, with Workload MicrosoftTeams. */
const teamsAdmin = (operation: string, parameters: Record<string, string>) =>
  exchangeAdmin(operation, { Identity: 'Global', ...parameters }, { Workload: 'MicrosoftTeams' });

test('external-access-opened', () => {
  assert.equal(
    packHits('external-access-opened', [
      teamsAdmin('Set-CsTenantFederationConfiguration', { AllowFederatedUsers: 'True' }),
    ]).length,
    1,
  );
  assert.equal(
    packHits('external-access-opened', [teamsAdmin('Set-CsTeamsClientConfiguration', { AllowGuestUser: 'True' })])
      .length,
    1,
  );
  assert.equal(
    packHits('external-access-opened', [
      teamsAdmin('Set-CsTenantFederationConfiguration', { AllowFederatedUsers: 'False' }),
    ]).length,
    0,
  );
});
