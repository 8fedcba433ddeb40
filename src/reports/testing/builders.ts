import { randomUUID } from 'node:crypto';
import type { AuditRecord } from '../../core/record.js';
import { normalizeRecord } from '../../ingest/normalize.js';

/**
 * Fixture builders for report tests: a realistic record of each family (shaped like the records in
 * shared/corpus), of which a test overrides the few fields it is about. `nv` writes a Name/Value
 * array from an object.
 */
export const TENANT = '0e8108b1-18e9-41a4-961b-dfcddf92ef08';
export const DOMAIN = 'contoso.onmicrosoft.com';
/** Inside the default 7-day period of a clock at NOW. */
export const WHEN = '2026-03-10T10:00:00';
export const NOW = Date.UTC(2026, 2, 12);

type Raw = Record<string, unknown>;

export function nv(values: Record<string, string>): { Name: string; Value: string }[] {
  return Object.entries(values).map(([Name, Value]) => ({ Name, Value }));
}

function common(over: Raw): Raw {
  return {
    CreationTime: WHEN,
    Id: randomUUID(),
    OrganizationId: TENANT,
    ResultStatus: 'Succeeded',
    UserType: 0,
    Version: 1,
    UserId: `adele@${DOMAIN}`,
    UserKey: '10032001020A3408',
    ...over,
  };
}

/** Exchange admin cmdlet (RecordType 1); `Parameters` from an object. */
export function exchangeAdmin(operation: string, parameters: Record<string, string>, over: Raw = {}): AuditRecord {
  return toRecord(
    common({
      RecordType: 1,
      Workload: 'Exchange',
      Operation: operation,
      ResultStatus: 'True',
      ClientIP: '18.159.234.121:30395',
      ObjectId: parameters.Identity ?? 'adele',
      OrganizationName: DOMAIN,
      OriginatingServer: 'PH0PR14MB4341 (15.20.3654.025)',
      AppId: '',
      ClientAppId: '',
      ExternalAccess: false,
      Parameters: nv(parameters),
      ...over,
    }),
  );
}

/** Mailbox audit record (RecordType 2, ExchangeItem; 50 for MailItemsAccessed). */
export function mailboxItem(operation: string, over: Raw = {}): AuditRecord {
  return toRecord(
    common({
      RecordType: operation === 'MailItemsAccessed' ? 50 : 2,
      Workload: 'Exchange',
      Operation: operation,
      ClientIP: '22.23.21.25',
      ClientIPAddress: '22.23.21.25',
      ClientInfoString: 'Client=OWA;Action=ViaProxy',
      ExternalAccess: false,
      InternalLogonType: 0,
      LogonType: 0,
      MailboxGuid: '8e942cc1-73d8-4483-9def-7d9579d615a7',
      MailboxOwnerUPN: `adele@${DOMAIN}`,
      ...over,
    }),
  );
}

/** Entra ID directory change (RecordType 8). */
export function entra(operation: string, over: Raw = {}): AuditRecord {
  return toRecord(
    common({
      RecordType: 8,
      Workload: 'AzureActiveDirectory',
      Operation: operation,
      ResultStatus: 'Success',
      AzureActiveDirectoryEventType: 1,
      ObjectId: `megan@${DOMAIN}`,
      ExtendedProperties: nv({ additionalDetails: '{}', extendedAuditEventCategory: 'User' }),
      ModifiedProperties: [],
      Actor: [{ ID: `adele@${DOMAIN}`, Type: 5 }],
      Target: [{ ID: `megan@${DOMAIN}`, Type: 5 }],
      ...over,
    }),
  );
}

/** Role membership change as Entra writes it: role name in Role.DisplayName, target UPN in ObjectId/Target. */
export function roleChange(
  kind: 'add' | 'remove',
  targetUpn: string,
  role = 'Global Administrator',
  over: Raw = {},
): AuditRecord {
  const v = (value: string) => (kind === 'add' ? { NewValue: value, OldValue: '' } : { NewValue: '', OldValue: value });
  return entra(kind === 'add' ? 'Add member to role.' : 'Remove member from role.', {
    ObjectId: targetUpn,
    ModifiedProperties: [
      { Name: 'Role.DisplayName', ...v(role) },
      { Name: 'Role.WellKnownObjectName', ...v('TenantAdmins') },
    ],
    Target: [
      { ID: 'User_46522b15-1bf5-4bed-8a6c-4edc58c05b23', Type: 2 },
      { ID: targetUpn, Type: 5 },
    ],
    ...over,
  });
}

/** Sign-in (RecordType 15). `failed` writes a UserLoginFailed with a LogonError. */
export function signIn(failed: boolean, over: Raw = {}): AuditRecord {
  return toRecord(
    common({
      RecordType: 15,
      Workload: 'AzureActiveDirectory',
      Operation: failed ? 'UserLoginFailed' : 'UserLoggedIn',
      ResultStatus: 'Success',
      ClientIP: '192.0.2.1',
      ObjectId: '00000003-0000-0ff1-ce00-000000000000',
      ExtendedProperties: nv({
        ResultStatusDetail: 'Success',
        UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:105.0) Gecko/20100101 Firefox/105.0',
        RequestType: 'OAuth2:Token',
      }),
      ...(failed ? { ErrorNumber: '50126', LogonError: 'InvalidUserNameOrPassword' } : {}),
      ...over,
    }),
  );
}

/** SharePoint / OneDrive file activity (RecordType 6). */
export function spFile(operation: string, over: Raw = {}): AuditRecord {
  const site = typeof over.SiteUrl === 'string' ? over.SiteUrl : 'https://contoso.sharepoint.com/sites/Finance/';
  return toRecord(
    common({
      RecordType: 6,
      Workload: 'SharePoint',
      Operation: operation,
      ClientIP: '1.2.3.4',
      EventSource: 'SharePoint',
      ItemType: 'File',
      SiteUrl: site,
      SourceRelativeUrl: 'Shared Documents',
      SourceFileName: 'budget.xlsx',
      SourceFileExtension: 'xlsx',
      ObjectId: `${site}Shared Documents/budget.xlsx`,
      UserAgent: 'Mozilla/5.0',
      ...over,
    }),
  );
}

/** SharePoint sharing event (RecordType 14). */
export function sharing(operation: string, over: Raw = {}): AuditRecord {
  return spFile(operation, { RecordType: 14, ...over });
}

/** A raw AuditData object → the stored shape, through the real normalizer (src/ingest). */
export function toRecord(raw: Raw, tenant?: string): AuditRecord {
  const result = normalizeRecord(raw, { source: 'management-api', ...(tenant ? { tenant } : {}) });
  if (!result.ok) throw new Error(`fixture is not a valid record: ${result.reason}`);
  return result.record;
}
