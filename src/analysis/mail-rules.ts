/**
 * Exchange inbox rules and mailbox forwarding read from audit records: what a rule or forwarding change
 * does (forward, redirect, delete, move, mark as read), whatever record shape it came in — the cmdlets
 * New-/Set-/Enable-InboxRule and Set-Mailbox, or Outlook's UpdateInboxRules. Shared by the inbox-rules
 * and audit-tampering reports and the detections.
 */
import type { StoredRecord } from '../core/record.js';
import { auditData, field, nameValues, safeJson, text, type AuditData } from './audit-data.js';

/** What a rule or forwarding change does, whatever record shape it came in. */
export interface RuleFacts {
  kind: 'inbox-rule' | 'forwarding';
  name: string;
  forwardTo: string[];
  redirectTo: string[];
  deletes: boolean;
  markAsRead: boolean;
  moveTo: string;
  data: AuditData;
}

export const RULE_OPERATIONS = [
  'New-InboxRule',
  'Set-InboxRule',
  'Enable-InboxRule',
  'UpdateInboxRules',
  'Set-Mailbox',
];

/** null when the record is not a rule or forwarding change (a Set-Mailbox that sets no forwarding). */
export function ruleFacts(record: Pick<StoredRecord, 'operation' | 'raw'>): RuleFacts | null {
  const data = auditData(record);
  const op = record.operation.toLowerCase();
  if (op === 'set-mailbox') return forwardingFacts(data);
  if (op === 'updateinboxrules') return outlookRuleFacts(data);
  return cmdletRuleFacts(data);
}

/** New-/Set-/Enable-InboxRule: the cmdlet's own parameters (Parameters Name/Value array). */
function cmdletRuleFacts(data: AuditData): RuleFacts {
  const p = nameValues(data, 'Parameters');
  return {
    kind: 'inbox-rule',
    name: p.get('name') ?? p.get('identity')?.split('\\').pop() ?? '',
    forwardTo: [...recipients(p.get('forwardto')), ...recipients(p.get('forwardasattachmentto'))],
    redirectTo: recipients(p.get('redirectto')),
    deletes: isTrue(p.get('deletemessage')) || isTrue(p.get('softdeletemessage')),
    markAsRead: isTrue(p.get('markasread')),
    moveTo: p.get('movetofolder') ?? '',
    data,
  };
}

/**
 * Outlook's UpdateInboxRules (mailbox audit, RecordType 2): OperationProperties RuleName and
 * RuleActions, a JSON array of {ActionType, Recipients, FolderName…} (sekoia corpus records).
 */
function outlookRuleFacts(data: AuditData): RuleFacts {
  const p = nameValues(data, 'OperationProperties');
  const actions = safeJson(p.get('ruleactions') ?? '');
  const facts: RuleFacts = {
    kind: 'inbox-rule',
    name: p.get('rulename') ?? '',
    forwardTo: [],
    redirectTo: [],
    deletes: false,
    markAsRead: false,
    moveTo: '',
    data,
  };
  for (const a of Array.isArray(actions) ? (actions as AuditData[]) : []) {
    const type = text(field(a, 'ActionType')).toLowerCase();
    const to = (Array.isArray(field(a, 'Recipients')) ? (field(a, 'Recipients') as unknown[]) : [])
      .map(text)
      .filter(Boolean);
    if (type === 'forward' || type === 'forwardasattachment') facts.forwardTo.push(...to);
    else if (type === 'redirect') facts.redirectTo.push(...to);
    else if (type === 'delete' || type === 'permanentdelete') facts.deletes = true;
    else if (type === 'markasread') facts.markAsRead = true;
    else if (type === 'movetofolder' || type === 'move')
      facts.moveTo = text(field(a, 'FolderName')) || text(field(a, 'Folder')) || 'another folder';
  }
  return facts;
}

/**
 * Set-Mailbox forwarding: ForwardingSmtpAddress ("smtp:x@y") or ForwardingAddress (a recipient).
 * An empty or $null value CLEARS forwarding — that is not forwarding (splunk example log, 2020-12-16).
 */
function forwardingFacts(data: AuditData): RuleFacts | null {
  const p = nameValues(data, 'Parameters');
  const targets = [p.get('forwardingsmtpaddress'), p.get('forwardingaddress')]
    .map((v) => (v ?? '').trim())
    .filter((v) => v !== '' && !/^\$?null$/i.test(v));
  if (targets.length === 0) return null;
  return {
    kind: 'forwarding',
    name: '',
    forwardTo: targets.flatMap((t) => recipients(t)),
    redirectTo: [],
    deletes: false,
    markAsRead: false,
    moveTo: '',
    data,
  };
}

export function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(true|1|\$true|yes)$/i.test(value.trim());
}

/** "a@x.com; b@y.org", "[\"a@x.com\"]", "smtp:a@x.com" → addresses. */
export function recipients(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[;,]/)
    .map((v) =>
      v
        .trim()
        .replace(/^"|"$/g, '')
        .replace(/^smtp:/i, ''),
    )
    .filter((v) => v.length > 0);
}
