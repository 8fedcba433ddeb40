/**
 * SharePoint and OneDrive records (Audit.SharePoint): file operations (RecordType 6), page views and
 * site administration (4), sharing (14). ObjectId is the file's full URL, SiteUrl/SourceRelativeUrl/
 * SourceFileName locate it, UserKey is the SharePoint claim of the user's PUID, as in real records.
 */
import { OUTSIDE_DOMAINS, SYNC_AGENT } from '../data.js';
import type { SimRecord, SimSite, SimUser } from '../types.js';
import { ipOf, record, type Base, type Fields, type Gen } from './common.js';

export type FileOperation =
  | 'FileAccessed'
  | 'FileDownloaded'
  | 'FileModified'
  | 'FileUploaded'
  | 'FileDeleted'
  | 'FileRecycled'
  | 'FilePreviewed'
  | 'FileSyncDownloadedFull';
export type SharingOperation = 'SharingSet' | 'SharingInvitationCreated' | 'AnonymousLinkCreated' | 'AddedToSecureLink';

type File = SimSite['files'][number];

/** SharePoint's claim form of a user (UserKey of SharePoint/OneDrive records). */
export function spUserKey(user: SimUser): string {
  return `i:0h.f|membership|${user.puid.toLowerCase()}@live.com`;
}

function fileUrl(site: SimSite, file: File): string {
  return `${site.url}/${file.path}/${file.name}`;
}

function base(
  g: Gen,
  user: SimUser,
  site: SimSite,
  operation: string,
  recordType: number,
  objectId: string,
  ip: string,
): Base {
  return {
    operation,
    recordType,
    workload: site.kind === 'onedrive' ? 'OneDrive' : 'SharePoint',
    userId: user.userPrincipalName,
    userKey: spUserKey(user),
    clientIp: ip,
    objectId,
    resultStatus: null,
  };
}

/** The fields of SharePointBase every SharePoint record carries, in real order. */
function spBase(g: Gen, user: SimUser, site: SimSite, itemType: string, agent: string): Fields {
  // GeoLocation appears on file and sharing records (RecordType 6, 14), not on RecordType 4 ones.
  const geo = itemType === 'File' ? { GeoLocation: 'EUR' } : {};
  const browser = agent.includes('Edg/')
    ? 'Edge'
    : agent.includes('Firefox')
      ? 'Firefox'
      : agent.includes('Chrome')
        ? 'Chrome'
        : agent.includes('Safari')
          ? 'Safari'
          : '';
  return {
    AuthenticationType: 'OAuth',
    BrowserName: browser,
    CorrelationId: g.rng.guid(),
    EventSource: 'SharePoint',
    ...geo,
    IsManagedDevice: user.kind === 'member' && g.rng.chance(0.6),
    ItemType: itemType,
    ListId: g.rng.guid(),
    Platform: agent.includes('iPhone') ? 'iOS' : agent.includes('Macintosh') ? 'MacOS' : 'WinDesktop',
    Site: site.id,
    UserAgent: agent,
    WebId: g.rng.guid(),
  };
}

function fileFields(site: SimSite, file: File): Fields {
  return {
    SourceFileExtension: file.extension,
    SiteUrl: `${site.url}/`,
    SourceFileName: file.name,
    SourceRelativeUrl: file.path,
  };
}

export function fileOp(
  g: Gen,
  user: SimUser,
  site: SimSite,
  file: File,
  operation: FileOperation,
  ip = ipOf(g, user),
): SimRecord {
  const agent = operation === 'FileSyncDownloadedFull' ? SYNC_AGENT : user.userAgent;
  return record(g, base(g, user, site, operation, 6, fileUrl(site, file), ip), {
    ...spBase(g, user, site, 'File', agent),
    ListItemUniqueId: g.rng.guid(),
    ...(operation === 'FileUploaded' || operation === 'FileModified' || operation === 'FileDownloaded'
      ? { FileSizeBytes: g.rng.int(8_000, 12_000_000) }
      : {}),
    ...fileFields(site, file),
  });
}

/** PageViewed (RecordType 4): the page is in ObjectId (RecordType 4 records carry no SourceFileName). */
export function pageViewed(g: Gen, user: SimUser, site: SimSite): SimRecord {
  const url = `${site.url}/SitePages/Home.aspx`;
  return record(g, base(g, user, site, 'PageViewed', 4, url, ipOf(g, user)), {
    ...spBase(g, user, site, 'Page', user.userAgent),
    ListItemUniqueId: g.rng.guid(),
  });
}

/** Sharing (RecordType 14): to a colleague, an invitation to an outside address, an anonymous link. */
export function sharing(
  g: Gen,
  user: SimUser,
  site: SimSite,
  file: File,
  operation: SharingOperation,
  colleague: SimUser,
): SimRecord {
  const external = operation === 'SharingInvitationCreated';
  const target = external
    ? `${colleague.displayName.split(' ')[0]!.toLowerCase()}.${g.rng.int(10, 99)}@${g.rng.pick(OUTSIDE_DOMAINS)}`
    : operation === 'AnonymousLinkCreated'
      ? 'Anonymous'
      : colleague.userPrincipalName;
  const type = external ? 'Guest' : operation === 'AnonymousLinkCreated' ? 'Anonymous' : 'Member';
  const level = operation === 'AnonymousLinkCreated' ? 'View' : g.rng.pick(['View', 'Edit']);
  return record(g, base(g, user, site, operation, 14, fileUrl(site, file), ipOf(g, user)), {
    ...spBase(g, user, site, 'File', user.userAgent),
    ListItemUniqueId: g.rng.guid(),
    EventData: `<Type>${level}</Type><MembersCanShareApplied>True</MembersCanShareApplied>`,
    TargetUserOrGroupName: target,
    TargetUserOrGroupType: type,
    UniqueSharingId: g.rng.guid(),
    ...fileFields(site, file),
  });
}

/** Site administration (RecordType 4) by a SharePoint or Global Administrator. */
export function siteAdmin(
  g: Gen,
  admin: SimUser,
  site: SimSite,
  operation: 'SiteCollectionAdminAdded' | 'SharingPolicyChanged',
  newAdmin: SimUser,
): SimRecord {
  const modified =
    operation === 'SiteCollectionAdminAdded'
      ? [{ Name: 'SiteAdmin', NewValue: newAdmin.userPrincipalName, OldValue: '' }]
      : [
          {
            Name: 'SharingCapability',
            NewValue: 'ExternalUserAndGuestSharing',
            OldValue: 'ExistingExternalUserSharingOnly',
          },
        ];
  return record(g, base(g, admin, site, operation, 4, site.url, ipOf(g, admin)), {
    ...spBase(g, admin, site, 'Site', admin.userAgent),
    EventData:
      operation === 'SiteCollectionAdminAdded'
        ? `<SiteCollectionAdmin>${newAdmin.userPrincipalName}</SiteCollectionAdmin>`
        : '<SharingCapability>ExternalUserAndGuestSharing</SharingCapability>',
    ModifiedProperties: modified,
  });
}
