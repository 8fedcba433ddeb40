export const meta = {
  id: 'inbox-rules',
  title: 'Inbox rules and mail forwarding',
  description:
    'Every inbox rule created or changed (New-InboxRule, Set-InboxRule, Enable-InboxRule, UpdateInboxRules from Outlook) and every mailbox forwarding set with Set-Mailbox, across tenants, each with what makes it suspicious: forwarding or redirecting to an address outside the organization, deleting messages, moving them to a folder people rarely open (RSS Feeds, Archive, Conversation History, Junk Email …), marking them read, or a one-character or meaningless rule name. A Set-Mailbox that clears forwarding is not forwarding and is left out. Attackers who take over a mailbox hide their traces and keep reading mail this way: for a flagged rule, ask the owner whether they made it; if not, remove the rule or forwarding, reset the password, revoke sessions and check the sign-ins report for the account.',
} as const;
