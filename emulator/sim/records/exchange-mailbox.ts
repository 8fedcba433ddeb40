/**
 * Exchange mailbox audit records (Audit.Exchange): RecordType 2 ExchangeItem (Send, SendAs,
 * UpdateInboxRules), 3 ExchangeItemGroup (SoftDelete, HardDelete, MoveToDeletedItems, FolderBind) and 50
 * ExchangeItemAggregated (MailItemsAccessed). A record exists only when mailbox auditing would write it:
 * not when the organisation has AuditDisabled, not for a mailbox with AuditEnabled false, and only for
 * actions in the audit set of the logon type (owner 0, admin 1, delegate 2; spec §5.5).
 */
import { APPS } from '../data.js';
import { mailboxGuid, sidOf } from '../model.js';
import type { SimMailbox, SimRecord, SimUser } from '../types.js';
import { ipOf, nameValue, record, server, type Fields, type Gen } from './common.js';

/** LogonType as Exchange numbers it: 0 owner, 1 admin, 2 delegate. */
export type Logon = 0 | 1 | 2;

const FOLDERS = ['\\Inbox', '\\Sent Items', '\\Archive', '\\Inbox\\Projects', '\\Drafts'];
const SUBJECTS = [
  'Quarterly numbers',
  'Re: contract renewal',
  'Invoice 4471',
  'Team offsite',
  'Fw: pricing sheet',
  'Payroll update',
  'Meeting notes',
];
const CLIENTS = [
  'Client=OWA;Action=ViaProxy',
  'Client=MSExchangeRPC',
  'Client=REST;Client=RESTSystem;;',
  'Client=WebServices;Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
];

export function audited(g: Gen, box: SimMailbox | undefined, operation: string, logon: Logon): box is SimMailbox {
  if (!box || g.m.tenant.orgAuditDisabled || !box.auditEnabled) return false;
  const set = logon === 0 ? box.auditOwner : logon === 1 ? box.auditAdmin : box.auditDelegate;
  return set.includes(operation);
}

/** Fields shared by every mailbox record, owner's or someone else's. */
function mailboxFields(g: Gen, actor: SimUser, box: SimMailbox, logon: Logon, ip: string): Fields {
  const nonOwner = logon !== 0;
  return {
    AppId: APPS.owa,
    ClientAppId: '',
    ClientIPAddress: nonOwner ? `${ip}:${g.rng.int(1024, 65535)}` : ip,
    ClientInfoString: g.rng.pick(CLIENTS),
    ExternalAccess: false,
    InternalLogonType: 0,
    LogonType: logon,
    LogonUserSid: sidOf(g.m, actor.userPrincipalName),
    MailboxGuid: mailboxGuid(g.m, box.userPrincipalName),
    MailboxOwnerSid: sidOf(g.m, box.userPrincipalName),
    MailboxOwnerUPN: box.userPrincipalName,
    OrganizationName: g.m.tenant.domain,
    OriginatingServer: server(g),
    SessionId: g.rng.guid(),
  };
}

function base(g: Gen, actor: SimUser, operation: string, recordType: number, ip: string, objectId?: string) {
  return {
    operation,
    recordType,
    workload: 'Exchange',
    userId: actor.userPrincipalName,
    userKey: actor.puid,
    clientIp: ip,
    ...(objectId ? { objectId } : {}),
  };
}

function itemId(g: Gen): string {
  return `RgAAAA${g.rng.hex(40).toUpperCase()}AAAJ`;
}

function messageId(g: Gen): string {
  return `<${g.rng.hex(24).toUpperCase()}@${g.rng.pick(g.m.servers)}.prod.outlook.com>`;
}

function folderRef(g: Gen, path: string): { Id: string; Path: string } {
  return { Id: `LgAAAA${g.rng.hex(28).toUpperCase()}AAAB`, Path: path };
}

/** MailItemsAccessed (RecordType 50): mail read by its owner, or by a delegate/admin (non-owner access). */
export function mailItemsAccessed(g: Gen, actor: SimUser, box: SimMailbox, logon: Logon = 0): SimRecord | null {
  if (!audited(g, box, 'MailItemsAccessed', logon)) return null;
  const ip = ipOf(g, actor);
  const count = g.rng.int(1, 6);
  const items = Array.from({ length: count }, () => ({
    InternetMessageId: messageId(g),
    SizeInBytes: g.rng.int(4_000, 400_000),
  }));
  return record(g, base(g, actor, 'MailItemsAccessed', 50, ip), {
    ...mailboxFields(g, actor, box, logon, ip),
    OperationProperties: nameValue([
      ['MailAccessType', g.rng.chance(0.85) ? 'Bind' : 'Sync'],
      ['IsThrottled', 'False'],
    ]),
    Folders: [{ FolderItems: items, ...folderRef(g, g.rng.pick(FOLDERS.slice(0, 3))) }],
    OperationCount: count,
  });
}

/** Send (RecordType 2) by the owner. */
export function send(g: Gen, actor: SimUser, box: SimMailbox): SimRecord | null {
  if (!audited(g, box, 'Send', 0)) return null;
  const ip = ipOf(g, actor);
  return record(g, base(g, actor, 'Send', 2, ip), {
    ...mailboxFields(g, actor, box, 0, ip),
    Item: {
      Id: itemId(g),
      InternetMessageId: messageId(g),
      ParentFolder: folderRef(g, '\\Sent Items'),
      SizeInBytes: g.rng.int(3_000, 2_000_000),
      Subject: g.rng.pick(SUBJECTS),
    },
  });
}

/** SendAs (RecordType 2): a delegate sends as a shared mailbox. */
export function sendAs(g: Gen, actor: SimUser, box: SimMailbox): SimRecord | null {
  if (!audited(g, box, 'SendAs', 2)) return null;
  const ip = ipOf(g, actor);
  return record(g, base(g, actor, 'SendAs', 2, ip), {
    ...mailboxFields(g, actor, box, 2, ip),
    Item: {
      Id: itemId(g),
      InternetMessageId: messageId(g),
      ParentFolder: folderRef(g, '\\Sent Items'),
      SizeInBytes: g.rng.int(3_000, 300_000),
      Subject: g.rng.pick(SUBJECTS),
    },
    SendAsUserMailboxGuid: mailboxGuid(g.m, box.userPrincipalName),
    SendAsUserSmtp: box.userPrincipalName,
  });
}

/** SoftDelete / HardDelete / MoveToDeletedItems (RecordType 3): items removed, by owner or not. */
export function deleteItems(
  g: Gen,
  actor: SimUser,
  box: SimMailbox,
  operation: 'SoftDelete' | 'HardDelete' | 'MoveToDeletedItems',
  logon: Logon = 0,
  count?: number,
): SimRecord | null {
  if (!audited(g, box, operation, logon)) return null;
  const ip = ipOf(g, actor);
  const from =
    operation === 'HardDelete'
      ? '\\Recoverable Items\\Deletions'
      : operation === 'SoftDelete'
        ? '\\Deleted Items'
        : '\\Inbox';
  const folder = folderRef(g, from);
  const n = count ?? g.rng.int(1, 4);
  const affected = Array.from({ length: n }, () => ({
    Id: itemId(g),
    InternetMessageId: messageId(g),
    ParentFolder: folder,
    Subject: g.rng.pick(SUBJECTS),
  }));
  return record(g, base(g, actor, operation, 3, ip), {
    ...mailboxFields(g, actor, box, logon, ip),
    AffectedItems: affected,
    CrossMailboxOperation: false,
    Folder: folder,
    ...(operation === 'MoveToDeletedItems' ? { DestFolder: folderRef(g, '\\Deleted Items') } : {}),
  });
}

/** FolderBind (RecordType 3): a delegate or admin opens a folder of someone else's mailbox. */
export function folderBind(g: Gen, actor: SimUser, box: SimMailbox, logon: 1 | 2): SimRecord | null {
  if (!audited(g, box, 'FolderBind', logon)) return null;
  const ip = ipOf(g, actor);
  return record(g, base(g, actor, 'FolderBind', 3, ip), {
    ...mailboxFields(g, actor, box, logon, ip),
    CrossMailboxOperation: false,
    Folder: folderRef(g, g.rng.pick(FOLDERS)),
  });
}

/** UpdateInboxRules (RecordType 2): an Outlook client changed a rule (RuleActions as JSON text, as in the corpus). */
export function updateInboxRules(g: Gen, actor: SimUser, box: SimMailbox, forwardTo?: string): SimRecord | null {
  if (!audited(g, box, 'UpdateInboxRules', 0)) return null;
  const ip = ipOf(g, actor);
  const action = forwardTo
    ? { ActionType: 'Forward', Recipients: [forwardTo], ForwardFlags: 'None' }
    : { ActionType: 'MoveToFolder', Folder: 'Archive' };
  return record(g, base(g, actor, 'UpdateInboxRules', 2, ip), {
    ...mailboxFields(g, actor, box, 0, ip),
    ClientInfoString: 'Client=MSExchangeRPC',
    ClientProcessName: 'OUTLOOK.EXE',
    ClientVersion: '16.0.17328.20206',
    OperationProperties: nameValue([
      ['RuleOperation', g.rng.chance(0.5) ? 'AddMailboxRule' : 'ModifyMailboxRule'],
      ['RuleId', String(g.rng.int(1e9, 4e9))],
      ['RuleState', 'Enabled'],
      ['RuleName', forwardTo ? '.' : 'Newsletters'],
      ['RuleProvider', 'RuleOrganizer'],
      ['RuleActions', JSON.stringify([action])],
    ]),
    Item: { Id: itemId(g), ParentFolder: folderRef(g, '\\Inbox') },
  });
}
