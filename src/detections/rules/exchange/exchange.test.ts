import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exchangeAdmin, mailboxItem, nv } from '../../../reports/testing/builders.js';
import { packHits } from '../../testing/pack.js';

const fires = (name: string, ...records: Parameters<typeof packHits>[1]) => packHits(name, records).length > 0;
const inboxRule = (params: Record<string, string>) =>
  exchangeAdmin('New-InboxRule', { Identity: 'adele', Name: 'x', ...params });

test('inbox-rule-forwards-outside', () => {
  assert.ok(fires('inbox-rule-forwards-outside', inboxRule({ ForwardTo: 'drop@evil.example' })));
  assert.ok(fires('inbox-rule-forwards-outside', inboxRule({ RedirectTo: '"Drop" [SMTP:drop@evil.example]' })));
  assert.ok(!fires('inbox-rule-forwards-outside', inboxRule({ ForwardTo: 'megan@contoso.onmicrosoft.com' })));
  assert.ok(
    !fires('inbox-rule-forwards-outside', inboxRule({ ForwardTo: 'Megan Bowen' })),
    'a display name resolves inside',
  );
});

test('client-rule-forwards-outside', () => {
  const rule = (recipients: string[]) =>
    mailboxItem('UpdateInboxRules', {
      OperationProperties: nv({
        RuleName: 'x',
        RuleActions: JSON.stringify([{ ActionType: 'Forward', Recipients: recipients }]),
      }),
    });
  assert.ok(fires('client-rule-forwards-outside', rule(['drop@evil.example'])));
  assert.ok(!fires('client-rule-forwards-outside', rule(['megan@contoso.onmicrosoft.com'])));
});

test('mailbox-forwarding-outside', () => {
  const set = (to: string) => exchangeAdmin('Set-Mailbox', { Identity: 'adele', ForwardingSmtpAddress: to });
  assert.ok(fires('mailbox-forwarding-outside', set('smtp:adele.private@gmail.com')));
  assert.ok(!fires('mailbox-forwarding-outside', set('smtp:megan@contoso.com')));
});

test('transport-rule-forwards-outside', () => {
  const rule = (to: string) => exchangeAdmin('New-TransportRule', { Name: 'copy', BlindCopyTo: to });
  assert.ok(fires('transport-rule-forwards-outside', rule('archive@evil.example')));
  assert.ok(!fires('transport-rule-forwards-outside', rule('compliance@contoso.onmicrosoft.com')));
});

test('inbox-rule-deletes-or-hides', () => {
  assert.ok(
    fires('inbox-rule-deletes-or-hides', inboxRule({ DeleteMessage: 'True', SubjectContainsWords: 'invoice' })),
  );
  assert.ok(fires('inbox-rule-deletes-or-hides', inboxRule({ MoveToFolder: 'RSS Feeds' })));
  assert.ok(fires('inbox-rule-deletes-or-hides', inboxRule({ MarkAsRead: 'True', StopProcessingRules: 'True' })));
  assert.ok(!fires('inbox-rule-deletes-or-hides', inboxRule({ MoveToFolder: 'Projects', MarkAsRead: 'True' })));
});

test('mailbox-audit-bypass', () => {
  const bypass = (on: string) =>
    exchangeAdmin('Set-MailboxAuditBypassAssociation', { Identity: 'svc-backup', AuditBypassEnabled: on });
  assert.ok(fires('mailbox-audit-bypass', bypass('True')));
  assert.ok(!fires('mailbox-audit-bypass', bypass('False')));
});

test('mailbox-auditing-disabled', () => {
  assert.ok(
    fires('mailbox-auditing-disabled', exchangeAdmin('Set-Mailbox', { Identity: 'adele', AuditEnabled: 'False' })),
  );
  assert.ok(fires('mailbox-auditing-disabled', exchangeAdmin('Set-OrganizationConfig', { AuditDisabled: 'True' })));
  assert.ok(
    !fires('mailbox-auditing-disabled', exchangeAdmin('Set-Mailbox', { Identity: 'adele', AuditEnabled: 'True' })),
  );
});

test('unified-audit-log-disabled', () => {
  const set = (on: string) => exchangeAdmin('Set-AdminAuditLogConfig', { UnifiedAuditLogIngestionEnabled: on });
  assert.ok(fires('unified-audit-log-disabled', set('False')));
  assert.ok(!fires('unified-audit-log-disabled', set('True')));
});

test('audit-age-limit-lowered', () => {
  const set = (limit: string) => exchangeAdmin('Set-Mailbox', { Identity: 'adele', AuditLogAgeLimit: limit });
  assert.ok(fires('audit-age-limit-lowered', set('30.00:00:00')));
  assert.ok(fires('audit-age-limit-lowered', set('7')));
  assert.ok(!fires('audit-age-limit-lowered', set('90.00:00:00')));
  assert.ok(!fires('audit-age-limit-lowered', set('365.00:00:00')));
});

test('safe-links-removed', () => {
  assert.ok(fires('safe-links-removed', exchangeAdmin('Disable-SafeLinksRule', { Identity: 'Standard' })));
  assert.ok(!fires('safe-links-removed', exchangeAdmin('Enable-SafeLinksRule', { Identity: 'Standard' })));
});

test('anti-phish-removed', () => {
  assert.ok(fires('anti-phish-removed', exchangeAdmin('Remove-AntiPhishPolicy', { Identity: 'Strict' })));
  assert.ok(!fires('anti-phish-removed', exchangeAdmin('Set-AntiPhishPolicy', { Identity: 'Strict' })));
});

test('aitm-proxy-mail-access', () => {
  assert.ok(fires('aitm-proxy-mail-access', mailboxItem('MailboxLogin')));
  assert.ok(
    !fires(
      'aitm-proxy-mail-access',
      mailboxItem('MailboxLogin', { ClientInfoString: 'Client=REST;Client=RESTSystem;' }),
    ),
  );
  assert.ok(!fires('aitm-proxy-mail-access', mailboxItem('MailItemsAccessed')), 'mail access is no sign-in');
});
