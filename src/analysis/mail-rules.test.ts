import assert from 'node:assert/strict';
import { test } from 'node:test';
import { domainOf } from './domains.js';
import { isMeaninglessName, isObscureFolder, ruleSigns } from './mail-rule-signs.js';
import { recipients, ruleFacts } from './mail-rules.js';

/** The two fields ruleFacts reads, around the AuditData a shape arrives with. */
function rec(operation: string, data: Record<string, unknown>) {
  return { operation, raw: JSON.stringify({ Operation: operation, ...data }) };
}
const nv = (o: Record<string, string>) => Object.entries(o).map(([Name, Value]) => ({ Name, Value }));

test('an inbox-rule cmdlet: forward, redirect, delete, move and mark-as-read from its parameters', () => {
  const facts = ruleFacts(
    rec('New-InboxRule', {
      Parameters: nv({
        Name: '.',
        ForwardTo: 'a@evil.example; b@contoso.com',
        RedirectTo: 'smtp:c@evil.example',
        SoftDeleteMessage: '$true',
        MoveToFolder: 'RSS Feeds',
        MarkAsRead: 'True',
      }),
    }),
  );
  assert.deepEqual(
    { ...facts, data: undefined },
    {
      kind: 'inbox-rule',
      name: '.',
      forwardTo: ['a@evil.example', 'b@contoso.com'],
      redirectTo: ['c@evil.example'],
      deletes: true,
      markAsRead: true,
      moveTo: 'RSS Feeds',
      data: undefined,
    },
  );
  assert.deepEqual(ruleSigns(facts!, ['a@evil.example', 'c@evil.example']), [
    'forwards outside the organization to a@evil.example',
    'redirects outside the organization to c@evil.example',
    'deletes messages',
    'moves messages to RSS Feeds',
    'marks messages as read',
    'meaningless rule name "."',
  ]);
});

test("Outlook's UpdateInboxRules: the actions from RuleActions", () => {
  const actions = [
    { ActionType: 'Forward', Recipients: ['x@evil.example'] },
    { ActionType: 'MoveToFolder', FolderName: 'Archive' },
  ];
  const facts = ruleFacts(
    rec('UpdateInboxRules', { OperationProperties: nv({ RuleName: 'tidy', RuleActions: JSON.stringify(actions) }) }),
  );
  assert.equal(facts?.name, 'tidy');
  assert.deepEqual(facts?.forwardTo, ['x@evil.example']);
  assert.equal(facts?.moveTo, 'Archive');
  assert.deepEqual(ruleSigns(facts, []), ['moves messages to Archive']);
});

test('Set-Mailbox forwarding is a fact; clearing it ($null, empty) is none', () => {
  const on = ruleFacts(rec('Set-Mailbox', { Parameters: nv({ ForwardingSmtpAddress: 'smtp:out@evil.example' }) }));
  assert.equal(on?.kind, 'forwarding');
  assert.deepEqual(on?.forwardTo, ['out@evil.example']);
  assert.equal(ruleFacts(rec('Set-Mailbox', { Parameters: nv({ ForwardingSmtpAddress: '$null' }) })), null);
  assert.equal(ruleFacts(rec('Set-Mailbox', { Parameters: nv({ ForwardingAddress: '' }) })), null);
});

test('names, folders, recipient lists and domains', () => {
  assert.ok(isMeaninglessName('.') && isMeaninglessName('...') && isMeaninglessName('aaaa') && isMeaninglessName('a'));
  assert.ok(!isMeaninglessName('Newsletters') && !isMeaninglessName(''));
  assert.ok(isObscureFolder('Conversation History') && isObscureFolder('\\Archive') && !isObscureFolder('Projects'));
  assert.deepEqual(recipients('["a@x.com", "b@y.org"]'), ['a@x.com', 'b@y.org']);
  assert.equal(domainOf('"Adele" <smtp:Adele@Contoso.COM>'), 'contoso.com');
  assert.equal(domainOf('Finance team'), null);
});
