/**
 * Exchange admin audit records (RecordType 1 ExchangeAdmin, Audit.Exchange): one per cmdlet run, with
 * its Parameters as [{Name, Value}] (all values text, as Exchange writes them), ResultStatus "True",
 * ClientIP with the source port and OriginatingServer without the trailing CRLF of mailbox records.
 */
import { APPS, OUTSIDE_DOMAINS } from '../data.js';
import type { SimRecord, SimUser } from '../types.js';
import { ipOf, nameValue, record, server, withPort, type Gen } from './common.js';

type Pairs = (readonly [string, string])[];

/** A cmdlet run by `actor`; UserType 2 (Admin) when an administrator runs it, 0 for a user's own rules. */
export function cmdlet(
  g: Gen,
  actor: SimUser,
  operation: string,
  objectId: string,
  params: Pairs,
  admin = true,
): SimRecord {
  return record(
    g,
    {
      operation,
      recordType: 1,
      workload: 'Exchange',
      userId: actor.userPrincipalName,
      userKey: actor.puid,
      userType: admin ? 2 : 0,
      resultStatus: 'True',
      clientIp: withPort(g, ipOf(g, actor)),
      objectId,
    },
    {
      AppId: admin ? '' : APPS.owa,
      ClientAppId: '',
      ExternalAccess: false,
      OrganizationName: g.m.tenant.domain,
      OriginatingServer: server(g, false),
      Parameters: nameValue(params),
      SessionId: g.rng.guid(),
    },
  );
}

function hostedPath(g: Gen, tail: string): string {
  return `${g.m.servers[0]!.slice(0, 7)}A010.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/${g.m.tenant.domain}/${tail}`;
}

function outside(g: Gen, who: SimUser): string {
  return `${who.userPrincipalName.split('@')[0]!.split('_')[0]}.private@${g.rng.pick(OUTSIDE_DOMAINS)}`;
}

export type RuleKind = 'forward' | 'delete' | 'obscure-folder' | 'mark-read' | 'tidy';

/** New-InboxRule by the mailbox owner: the shapes attackers use (forward out, delete, hide, one-character names) and ordinary ones. */
export function newInboxRule(g: Gen, owner: SimUser, kind: RuleKind): SimRecord {
  const name =
    kind === 'tidy' ? g.rng.pick(['Newsletters', 'From manager', 'Receipts']) : g.rng.pick(['.', 'a', '..', 'x']);
  const params: Pairs = [
    ['AlwaysDeleteOutlookRulesBlob', 'False'],
    ['Force', 'False'],
    ['Name', name],
  ];
  if (kind === 'forward') params.push(['ForwardTo', outside(g, owner)], ['StopProcessingRules', 'True']);
  if (kind === 'delete')
    params.push(['SubjectOrBodyContainsWords', 'invoice;payment;password'], ['DeleteMessage', 'True']);
  if (kind === 'obscure-folder')
    params.push(
      ['FromAddressContainsWords', 'it-support'],
      ['MoveToFolder', g.rng.pick(['RSS Subscriptions', 'Conversation History', 'RSS Feeds'])],
    );
  if (kind === 'mark-read') params.push(['MarkAsRead', 'True'], ['MoveToFolder', 'Archive']);
  if (kind === 'tidy') params.push(['From', 'news@contoso-news.example'], ['MoveToFolder', 'Newsletters']);
  return cmdlet(g, owner, 'New-InboxRule', hostedPath(g, `${owner.id}\\${name}`), params, false);
}

export function setInboxRule(g: Gen, owner: SimUser): SimRecord {
  const identity = `${owner.id}\\${g.rng.int(1e9, 4e9)}`;
  return cmdlet(
    g,
    owner,
    'Set-InboxRule',
    hostedPath(g, identity),
    [
      ['Identity', identity],
      ['RedirectTo', outside(g, owner)],
      ['StopProcessingRules', 'True'],
    ],
    false,
  );
}

/** Set-Mailbox -ForwardingSmtpAddress: set to an outside address, or cleared ("" as the value). */
export function setMailboxForwarding(g: Gen, admin: SimUser, target: SimUser, clear: boolean): SimRecord {
  const params: Pairs = clear
    ? [
        ['Identity', target.userPrincipalName],
        ['ForwardingSmtpAddress', ''],
      ]
    : [
        ['Identity', target.userPrincipalName],
        ['ForwardingSmtpAddress', `smtp:${outside(g, target)}`],
        ['DeliverToMailboxAndForward', 'True'],
      ];
  return cmdlet(g, admin, 'Set-Mailbox', target.userPrincipalName, params);
}

/** Set-Mailbox -AuditEnabled $false: rare, and exactly what the audit-tampering report looks for. */
export function setMailboxAuditOff(g: Gen, admin: SimUser, target: SimUser): SimRecord {
  return cmdlet(g, admin, 'Set-Mailbox', target.userPrincipalName, [
    ['Identity', target.userPrincipalName],
    ['AuditEnabled', 'False'],
  ]);
}

export function addMailboxPermission(g: Gen, admin: SimUser, mailbox: string, trustee: SimUser): SimRecord {
  return cmdlet(g, admin, 'Add-MailboxPermission', mailbox, [
    ['Identity', mailbox],
    ['User', trustee.userPrincipalName],
    ['AccessRights', 'FullAccess'],
    ['InheritanceType', 'All'],
  ]);
}

export function addRecipientPermission(g: Gen, admin: SimUser, mailbox: string, trustee: SimUser): SimRecord {
  return cmdlet(g, admin, 'Add-RecipientPermission', mailbox, [
    ['Identity', mailbox],
    ['Trustee', trustee.userPrincipalName],
    ['AccessRights', 'SendAs'],
    ['Confirm', 'False'],
  ]);
}

/** Set-AdminAuditLogConfig: ObjectId "Admin Audit Log Settings" (spec §5.5). */
export function setAdminAuditLogConfig(g: Gen, admin: SimUser, enabled: boolean): SimRecord {
  return cmdlet(g, admin, 'Set-AdminAuditLogConfig', 'Admin Audit Log Settings', [
    ['UnifiedAuditLogIngestionEnabled', enabled ? 'True' : 'False'],
  ]);
}

export function newTransportRule(g: Gen, admin: SimUser): SimRecord {
  const name = g.rng.pick(['Copy finance mail', 'External disclaimer', 'Block executables']);
  const params: Pairs =
    name === 'Copy finance mail'
      ? [
          ['Name', name],
          ['SentTo', `finance-team@${g.m.tenant.domain}`],
          ['BlindCopyTo', `archive@${g.rng.pick(OUTSIDE_DOMAINS)}`],
        ]
      : name === 'External disclaimer'
        ? [
            ['Name', name],
            ['FromScope', 'InOrganization'],
            ['SentToScope', 'NotInOrganization'],
            ['ApplyHtmlDisclaimerText', 'Confidential'],
          ]
        : [
            ['Name', name],
            ['AttachmentExtensionMatchesWords', 'exe;js;vbs'],
            ['RejectMessageReasonText', 'Blocked attachment'],
          ];
  return cmdlet(g, admin, 'New-TransportRule', name, params);
}
