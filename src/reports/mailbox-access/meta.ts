export const meta = {
  id: 'mailbox-access',
  title: 'Mailbox access by others and permissions granted',
  description:
    "Access to mailboxes by someone other than their owner — delegates (LogonType 2), administrators (LogonType 1) and applications other than Microsoft's own mail clients reading mail through an app id — with the number of items each MailItemsAccessed record covers, and every mailbox permission granted (Add-MailboxPermission, Add-RecipientPermission, Add-/Set-MailboxFolderPermission, ModifyFolderPermissions/AddFolderPermissions), across tenants. Mail read by someone else is how business email compromise and data theft look in the log. For each row confirm that the delegate, admin or application is expected to read that mailbox; remove permissions nobody can explain (Remove-MailboxPermission), disable unknown applications, and if items were read by an unknown party treat the mailbox's content as exposed.",
} as const;
