import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { exchangeAdmin, TENANT, toRecord, WHEN } from '../../../reports/testing/builders.js';
import { packHits } from '../../testing/pack.js';

/** A Security & Compliance cmdlet (RecordType 18): Parameters is one string, as PowerShell wrote it. */
function complianceCmdlet(operation: string, parameters: string) {
  return toRecord({
    CreationTime: WHEN,
    Id: randomUUID(),
    OrganizationId: TENANT,
    RecordType: 18,
    Workload: 'SecurityComplianceCenter',
    Operation: operation,
    ResultStatus: 'True',
    UserId: 'adele@contoso.onmicrosoft.com',
    UserType: 2,
    ObjectId: 'search-1',
    ClientIP: '203.0.113.20',
    Parameters: parameters,
  });
}

test('content-search-export', () => {
  assert.equal(
    packHits('content-search-export', [
      complianceCmdlet('New-ComplianceSearchAction', "-SearchName 'All' -Export -Format FxStream"),
    ]).length,
    1,
  );
  assert.equal(packHits('content-search-export', [complianceCmdlet('SearchExportDownloaded', '')]).length, 1);
  assert.equal(
    packHits('content-search-export', [
      complianceCmdlet('New-ComplianceSearchAction', "-SearchName 'All' -Purge -PurgeType SoftDelete"),
    ]).length,
    0,
  );
});

test('mailbox-export-request', () => {
  assert.equal(
    packHits('mailbox-export-request', [
      exchangeAdmin('New-MailboxExportRequest', { Mailbox: 'ceo', FilePath: '\\\\srv\\pst\\ceo.pst' }),
    ]).length,
    1,
  );
  assert.equal(
    packHits('mailbox-export-request', [exchangeAdmin('New-MailboxImportRequest', { Mailbox: 'ceo' })]).length,
    0,
  );
});

test('dlp-policy-removed', () => {
  assert.equal(
    packHits('dlp-policy-removed', [complianceCmdlet('Remove-DlpCompliancePolicy', "-Identity 'PCI'")]).length,
    1,
  );
  assert.equal(
    packHits('dlp-policy-removed', [complianceCmdlet('Set-DlpCompliancePolicy', "-Identity 'PCI' -Mode Disable")])
      .length,
    1,
  );
  assert.equal(packHits('dlp-policy-removed', [complianceCmdlet('New-DlpCompliancePolicy', "-Name 'PCI'")]).length, 0);
});
