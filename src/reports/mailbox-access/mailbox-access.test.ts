import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOMAIN, exchangeAdmin, mailboxItem } from '../testing/builders.js';
import { idsOf, rowIds, runOver } from '../testing/harness.js';
import { mailboxAccess } from './report.js';

const folders = (n: number) => [
  { Path: '\\Inbox', FolderItems: Array.from({ length: n }, (_, i) => ({ InternetMessageId: `<m${i}@x>` })) },
];

test('delegate, admin and application access is reported with MailItemsAccessed volumes; the owner in Outlook is not', async () => {
  const delegate = mailboxItem('MailItemsAccessed', { LogonType: 2, UserId: `megan@${DOMAIN}`, Folders: folders(12) });
  const adminAccess = mailboxItem('FolderBind', { LogonType: 1, UserId: `admin@${DOMAIN}` });
  const app = mailboxItem('MailItemsAccessed', {
    AppId: '47629505-c2b6-4a80-adb1-9b3a3d233b7b',
    ClientAppId: '47629505-c2b6-4a80-adb1-9b3a3d233b7b',
    Folders: folders(3),
  });
  const owner = mailboxItem('MailItemsAccessed', {
    AppId: '00000002-0000-0ff1-ce00-000000000000',
    Folders: folders(40),
  });
  const result = await runOver(mailboxAccess, [delegate, adminAccess, app, owner]);
  assert.deepEqual(rowIds(result), idsOf([delegate, adminAccess, app]));
  const kinds = Object.fromEntries(result.rows.map((r) => [r.id, r.kind]));
  assert.deepEqual([kinds[delegate.id], kinds[adminAccess.id], kinds[app.id]], ['delegate', 'admin', 'application']);
  assert.equal(result.summary.totals.itemsAccessedByOthers, 12 + 1 + 3);
});

test('permissions granted are reported with grantee and rights', async () => {
  const grant = exchangeAdmin('Add-MailboxPermission', {
    Identity: 'jhernan',
    User: 'Patrick Bareiss',
    AccessRights: 'FullAccess',
  });
  const folder = mailboxItem('ModifyFolderPermissions', {
    Item: { ParentFolder: { MemberUpn: 'Everyone', MemberRights: 'Reviewer', Path: '\\Inbox' } },
  });
  const unrelated = exchangeAdmin('Set-Mailbox', { Identity: 'x' });
  const result = await runOver(mailboxAccess, [grant, folder, unrelated]);
  assert.deepEqual(rowIds(result), idsOf([grant, folder]));
  const g = result.rows.find((r) => r.id === grant.id);
  assert.deepEqual([g?.grantee, g?.rights, g?.mailbox], ['Patrick Bareiss', 'FullAccess', 'jhernan']);
  assert.equal(result.rows.find((r) => r.id === folder.id)?.grantee, 'Everyone');
});

test('the logon type counts as Microsoft writes it (a string too); an owner logon in Outlook is the owner, a third-party app under it is not', async () => {
  const delegate = mailboxItem('MessageBind', { LogonType: '2', UserId: `megan@${DOMAIN}` });
  const outlook = mailboxItem('MailItemsAccessed', {
    LogonType: 0,
    ClientAppId: 'D3590ED6-52B3-4102-AEFF-AAD2292AB01C',
    Folders: folders(5),
  });
  const graphApp = mailboxItem('MailItemsAccessed', {
    LogonType: 0,
    ClientAppId: '',
    AppId: 'bcf1c9a3-ae2d-4bf5-a7a1-2b5a42b9c3f0',
    Folders: folders(2),
  });
  const result = await runOver(mailboxAccess, [delegate, outlook, graphApp]);
  assert.deepEqual(rowIds(result), idsOf([delegate, graphApp]));
  const app = result.rows.find((r) => r.id === graphApp.id);
  assert.deepEqual([app?.kind, app?.app, app?.items], ['application', 'bcf1c9a3-ae2d-4bf5-a7a1-2b5a42b9c3f0', 2]);
});
