import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOMAIN, sharing } from '../testing/builders.js';
import { idsOf, rowIds, runOver } from '../testing/harness.js';
import { externalSharing } from './report.js';

test('anonymous links, guests and outside domains are reported by user and site; internal sharing is not', async () => {
  const anon = sharing('AnonymousLinkCreated');
  const guest = sharing('SharingSet', {
    TargetUserOrGroupName: 'bob_gmail.com#EXT#@contoso.onmicrosoft.com',
    TargetUserOrGroupType: 'Guest',
  });
  const outside = sharing('SharingInvitationCreated', {
    TargetUserOrGroupName: 'carol@partner.example',
    TargetUserOrGroupType: 'Member',
  });
  const inside = sharing('SharingSet', { TargetUserOrGroupName: `megan@${DOMAIN}`, TargetUserOrGroupType: 'Member' });
  const result = await runOver(externalSharing, [anon, guest, outside, inside]);
  assert.deepEqual(rowIds(result), idsOf([anon, guest, outside]));
  assert.deepEqual(result.summary.totals, { anonymousLinks: 1, guests: 1, outsideDomains: 1, sites: 1 });
  assert.equal(result.rows[0]?.site, 'https://contoso.sharepoint.com/sites/Finance/');
});
