import type { StoredRecord } from '../../core/record.js';
import { auditData, field, nameValues, text, type AuditData } from '../../analysis/audit-data.js';
import { RECORD_COLUMNS, recordRow } from '../rows.js';
import { commonParams } from '../params.js';
import { baseQuery, scan } from '../query.js';
import type { ReportDefinition, ReportRow } from '../types.js';
import { meta } from './meta.js';

const parameters = commonParams.extend({});

export const PERMISSION_OPERATIONS = [
  'Add-MailboxPermission',
  'Add-RecipientPermission',
  'Add-MailboxFolderPermission',
  'Set-MailboxFolderPermission',
  'ModifyFolderPermissions',
  'AddFolderPermissions',
];

/** Microsoft's own mail clients: an app id of one of these is the owner's Outlook, not a third-party application. */
const FIRST_PARTY_CLIENTS = new Set([
  '00000002-0000-0ff1-ce00-000000000000', // Exchange Online / OWA
  'd3590ed6-52b3-4102-aeff-aad2292ab01c', // Microsoft Office (Outlook desktop)
  '27922004-5251-4030-b22d-91ecd9a37ea4', // Outlook mobile
  '5d661950-3475-41cd-a2c3-d671a3162bc1', // Outlook (new)
  '9199bf20-a13f-4107-85dc-02114787ef48', // One Outlook Web
]);

/**
 * Every action mailbox auditing logs (Microsoft Learn, "Manage mailbox auditing": mailbox actions for
 * owner, delegate and admin logons), written as record types 2, 3 and 50. Asked for by operation, which
 * the store indexes, rather than by record type, which it does not (a scan of every record otherwise).
 */
export const MAILBOX_OPERATIONS = [
  'AddFolderPermissions',
  'ApplyRecord',
  'Copy',
  'Create',
  'FolderBind',
  'HardDelete',
  'MailboxLogin',
  'MailItemsAccessed',
  'MessageBind',
  'ModifyFolderPermissions',
  'Move',
  'MoveToDeletedItems',
  'RecordDelete',
  'RemoveFolderPermissions',
  'SearchQueryInitiated',
  'Send',
  'SendAs',
  'SendOnBehalf',
  'SoftDelete',
  'Update',
  'UpdateCalendarDelegation',
  'UpdateComplianceTag',
  'UpdateFolderPermissions',
  'UpdateInboxRules',
];

export const mailboxAccess: ReportDefinition<typeof parameters> = {
  ...meta,
  parameters,
  columns: [...RECORD_COLUMNS, 'kind', 'mailbox', 'grantee', 'rights', 'folder', 'items', 'app', 'client'],
  async run(input, deps) {
    const rows: ReportRow[] = [];
    let items = 0;
    for await (const record of scan(deps, baseQuery(input, { operations: PERMISSION_OPERATIONS }))) {
      input.count(record);
      rows.push(permissionRow(record));
    }
    // The stored logon type and app id pick the candidates in the store (an owner in Outlook is most
    // mailbox records): admin and delegate logons, then applications other than Microsoft's mail clients.
    const seen = new Set<string>();
    const mailbox = { operations: MAILBOX_OPERATIONS, recordTypes: [2, 3, 50] };
    for (const query of [
      { ...mailbox, logonTypes: [1, 2] },
      { ...mailbox, appsOtherThan: [...FIRST_PARTY_CLIENTS] },
    ]) {
      for await (const record of scan(deps, baseQuery(input, query))) {
        const key = `${record.tenant}\u0000${record.id}`;
        if (PERMISSION_OPERATIONS.includes(record.operation) || seen.has(key)) continue;
        seen.add(key);
        const data = auditData(record);
        const accessor = nonOwner(record, data);
        if (!accessor) continue;
        const count = record.operation === 'MailItemsAccessed' ? itemCount(data) : 1;
        items += count;
        input.count(record);
        rows.push(
          recordRow(record, {
            kind: accessor,
            mailbox: text(field(data, 'MailboxOwnerUPN')),
            items: count,
            app: record.appId ?? '',
            client: text(field(data, 'ClientInfoString')),
          }),
        );
      }
    }
    rows.sort((a, b) => String(b.time).localeCompare(String(a.time)));
    return {
      rows,
      totals: { permissionsGranted: rows.filter((r) => r.kind === 'permission').length, itemsAccessedByOthers: items },
    };
  },
};

/** 'admin', 'delegate' or 'application' when someone other than the owner acted; null for the owner. */
function nonOwner(record: StoredRecord, data: AuditData): string | null {
  if (record.logonType === 1) return 'admin';
  if (record.logonType === 2) return 'delegate';
  const owner = text(field(data, 'MailboxOwnerUPN')).toLowerCase();
  if (owner.includes('@') && record.userKey && record.userKey.includes('@') && owner !== record.userKey)
    return 'delegate';
  if (record.appId && !FIRST_PARTY_CLIENTS.has(record.appId)) return 'application';
  return null;
}

/** MailItemsAccessed aggregates items per folder (schema.md quirk 17). */
function itemCount(data: AuditData): number {
  const folders = field(data, 'Folders');
  if (!Array.isArray(folders)) return 1;
  let n = 0;
  for (const f of folders) {
    const list = f && typeof f === 'object' ? field(f as AuditData, 'FolderItems') : undefined;
    n += Array.isArray(list) ? list.length : 0;
  }
  return Math.max(n, 1);
}

function permissionRow(record: StoredRecord): ReportRow {
  const data = auditData(record);
  const p = nameValues(data, 'Parameters');
  const item = field(data, 'Item') as AuditData | undefined;
  const folder = item && typeof item === 'object' ? (field(item, 'ParentFolder') as AuditData | undefined) : undefined;
  const grantee = p.get('user') ?? p.get('trustee') ?? text(field(folder ?? {}, 'MemberUpn'));
  const rights = p.get('accessrights') ?? text(field(folder ?? {}, 'MemberRights'));
  const mailbox = p.get('identity') ?? (text(field(data, 'MailboxOwnerUPN')) || record.objectId);
  return recordRow(record, { kind: 'permission', mailbox, grantee, rights, folder: text(field(folder ?? {}, 'Path')) });
}
