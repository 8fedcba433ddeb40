import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchangeAdmin } from '../testing/builders.js';
import { idsOf, rowIds, runOver } from '../testing/harness.js';
import { ageLimitDays, auditTampering } from './report.js';

test('each way of lowering visibility is found; turning things back on is not', async () => {
  const bad = [
    exchangeAdmin('Set-AdminAuditLogConfig', { UnifiedAuditLogIngestionEnabled: 'False' }),
    exchangeAdmin('Set-Mailbox', { Identity: 'megan', AuditEnabled: 'False' }),
    exchangeAdmin('Set-OrganizationConfig', { AuditDisabled: 'True' }),
    exchangeAdmin('Set-Mailbox', { Identity: 'megan', AuditLogAgeLimit: '7.00:00:00' }),
    exchangeAdmin('Set-MailboxAuditBypassAssociation', { Identity: 'svc', AuditBypassEnabled: 'True' }),
    exchangeAdmin('Remove-RetentionCompliancePolicy', { Identity: 'Keep mail 7 years' }),
  ];
  const good = [
    exchangeAdmin('Set-AdminAuditLogConfig', { UnifiedAuditLogIngestionEnabled: 'True' }),
    exchangeAdmin('Set-Mailbox', { Identity: 'megan', AuditEnabled: 'True', AuditLogAgeLimit: '365.00:00:00' }),
    exchangeAdmin('Set-OrganizationConfig', { AuditDisabled: 'False' }),
    exchangeAdmin('Set-MailboxAuditBypassAssociation', { Identity: 'svc', AuditBypassEnabled: 'False' }),
  ];
  const result = await runOver(auditTampering, [...bad, ...good]);
  assert.deepEqual(rowIds(result), idsOf(bad));
  assert.match(String(result.rows.find((r) => r.id === bad[3]!.id)?.findings), /age limit lowered to 7\.00:00:00/);
});

test('age limits in their spellings', () => {
  assert.equal(ageLimitDays('90.00:00:00'), 90);
  assert.equal(ageLimitDays('30'), 30);
  assert.equal(ageLimitDays('12:00:00'), 0.5);
  assert.equal(ageLimitDays('soon'), null);
});
