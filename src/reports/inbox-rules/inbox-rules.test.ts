import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOMAIN, exchangeAdmin, mailboxItem, nv } from '../testing/builders.js';
import { rowIds, runOver } from '../testing/harness.js';
import { inboxRules } from './report.js';

test('New-InboxRule forwarding outside, deleting and marking read is flagged with each finding', async () => {
  const rule = exchangeAdmin('New-InboxRule', {
    Name: 'x',
    ForwardTo: 'thief@evil.example',
    DeleteMessage: 'True',
    MarkAsRead: 'True',
    MoveToFolder: 'RSS Feeds',
  });
  const [row] = (await runOver(inboxRules, [rule])).rows;
  assert.equal(row?.id, rule.id);
  assert.equal(row?.external, true);
  for (const f of [
    'forwards outside the organization to thief@evil.example',
    'deletes messages',
    'marks messages as read',
    'moves messages to RSS Feeds',
    'meaningless rule name "x"',
  ]) {
    assert.ok(String(row?.findings).includes(f), f);
  }
});

test('a rule forwarding inside the organization is listed but not flagged; suspiciousOnly leaves it out', async () => {
  const rule = exchangeAdmin('New-InboxRule', { Name: 'Invoices to finance', ForwardTo: `finance@${DOMAIN}` });
  const result = await runOver(inboxRules, [rule]);
  assert.equal(result.rows[0]?.findings, '');
  assert.equal(result.rows[0]?.external, false);
  assert.equal((await runOver(inboxRules, [rule], { suspiciousOnly: 'true' })).rows.length, 0);
});

test('the registered tenant domain counts as inside', async () => {
  const rule = exchangeAdmin('Set-InboxRule', { Name: 'copy', RedirectTo: 'me@contoso.com' });
  const tenants = [{ name: 'contoso', tenantId: rule.tenant, domain: 'contoso.com' }];
  assert.equal((await runOver(inboxRules, [rule], {}, { tenants })).rows[0]?.external, false);
  assert.equal((await runOver(inboxRules, [rule])).rows[0]?.external, true);
});

test('Set-Mailbox forwarding outside is reported; one that clears forwarding is not', async () => {
  const set = exchangeAdmin('Set-Mailbox', {
    Identity: 'megan',
    ForwardingSmtpAddress: 'smtp:drop@gmail.com',
    DeliverToMailboxAndForward: 'False',
  });
  const cleared = exchangeAdmin('Set-Mailbox', { Identity: 'megan', ForwardingAddress: '' });
  const nulled = exchangeAdmin('Set-Mailbox', { Identity: 'megan', ForwardingSmtpAddress: '$null' });
  const result = await runOver(inboxRules, [set, cleared, nulled]);
  assert.deepEqual(rowIds(result), [set.id]);
  assert.equal(result.rows[0]?.kind, 'forwarding');
});

test("Outlook's UpdateInboxRules: RuleActions forwarding outside is found", async () => {
  const rule = mailboxItem('UpdateInboxRules', {
    OperationProperties: nv({
      RuleOperation: 'AddMailboxRule',
      RuleName: 'Sync',
      RuleActions: JSON.stringify([
        { ActionType: 'Forward', Recipients: ['x@evil.example'] },
        { ActionType: 'Delete' },
      ]),
    }),
  });
  const [row] = (await runOver(inboxRules, [rule])).rows;
  assert.match(String(row?.findings), /forwards outside.*x@evil\.example; deletes messages/);
});
