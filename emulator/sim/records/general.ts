/**
 * Audit.General records: Microsoft Teams (RecordType 25) and Security & Compliance cmdlets run by admins
 * in the Purview portal (RecordType 18 SecurityComplianceCenter, Parameters as one text, as that
 * workload writes it).
 */
import type { SimRecord, SimUser } from '../types.js';
import { ipOf, record, type Gen } from './common.js';

export interface Team {
  id: string;
  name: string;
}

function teams(g: Gen, user: SimUser, operation: string, rest: Record<string, unknown>, objectId?: string): SimRecord {
  return record(
    g,
    {
      operation,
      recordType: 25,
      workload: 'MicrosoftTeams',
      userId: user.userPrincipalName,
      userKey: user.id,
      resultStatus: null,
      clientIp: ipOf(g, user),
      ...(objectId ? { objectId } : {}),
    },
    rest,
  );
}

function clientProps(g: Gen): { Key: string; Value: string }[] {
  return [
    { Key: 'TimeZone', Value: 'Europe/London' },
    { Key: 'OsName', Value: 'windows' },
    { Key: 'OsVersion', Value: '10.0.19045' },
    { Key: 'ClientName', Value: 'skypeteams' },
    { Key: 'ClientVersion', Value: `49/${g.rng.int(24000000000, 24120000000)}` },
  ];
}

export function teamCreated(g: Gen, owner: SimUser, team: Team): SimRecord {
  return teams(
    g,
    owner,
    'TeamCreated',
    {
      Members: [{ DisplayName: owner.displayName, Role: 2, UPN: owner.userPrincipalName }],
      TeamGuid: team.id,
      TeamName: team.name,
    },
    team.name,
  );
}

export function memberAdded(g: Gen, owner: SimUser, team: Team, member: SimUser): SimRecord {
  return teams(
    g,
    owner,
    'MemberAdded',
    {
      Members: [
        { DisplayName: member.displayName, Role: member.kind === 'guest' ? 3 : 1, UPN: member.userPrincipalName },
      ],
      TeamGuid: team.id,
      TeamName: team.name,
    },
    team.name,
  );
}

export function channelAdded(g: Gen, owner: SimUser, team: Team, channel: string): SimRecord {
  return teams(
    g,
    owner,
    'ChannelAdded',
    {
      ChannelGuid: `19:${g.rng.hex(32)}@thread.tacv2`,
      ChannelName: channel,
      ChannelType: 'Standard',
      TeamGuid: team.id,
      TeamName: team.name,
    },
    team.name,
  );
}

export function messageWithLink(g: Gen, user: SimUser, peer: SimUser, url: string): SimRecord {
  const thread = `19:${user.id}_${peer.id}@unq.gbl.spaces`;
  const messageId = String(g.at - g.rng.int(0, 999));
  return teams(g, user, 'MessageCreatedHasLink', {
    ChatThreadId: thread,
    CommunicationType: 'OneOnOne',
    ExtraProperties: clientProps(g),
    MessageId: messageId,
    MessageVersion: messageId,
    ItemName: thread,
    MessageURLs: [url],
    Members: [
      { UPN: user.userPrincipalName, Role: 1 },
      { UPN: peer.userPrincipalName, Role: 1 },
    ],
  });
}

export function sessionStarted(g: Gen, user: SimUser): SimRecord {
  return teams(g, user, 'TeamsSessionStarted', { ExtraProperties: clientProps(g) });
}

const SCC: readonly (readonly [string, string])[] = [
  ['New-ComplianceSearch', '-Name "Legal hold review" -ExchangeLocation "All" -ContentMatchQuery "contract"'],
  ['New-RetentionCompliancePolicy', '-Name "Finance 7 years" -SharePointLocation "All"'],
  ['New-DlpCompliancePolicy', '-Name "Card numbers" -ExchangeLocation "All" -Mode "Enable"'],
  ['Set-ProtectionAlert', '-Identity "Elevation of Exchange admin privilege" -NotifyUser "secops@contoso.example"'],
];

/** A Security & Compliance cmdlet by an admin (UserType 2). */
export function complianceCmdlet(g: Gen, admin: SimUser): SimRecord {
  const [operation, params] = g.rng.pick(SCC);
  const name = /-(?:Name|Identity) "([^"]+)"/.exec(params)?.[1] ?? operation;
  return record(
    g,
    {
      operation,
      recordType: 18,
      workload: 'SecurityComplianceCenter',
      userId: admin.userPrincipalName,
      userKey: admin.puid,
      userType: 2,
      resultStatus: null,
      clientIp: ipOf(g, admin),
      objectId: name,
    },
    {
      StartTime: new Date(Math.floor(g.at / 1000) * 1000 - 1000).toISOString().slice(0, 19),
      ClientRequestId: g.rng.guid(),
      CmdletVersion: '',
      EffectiveOrganization: g.m.tenant.domain,
      UserServicePlan: '',
      ClientApplication: 'EMC',
      Parameters: params,
      NonPiiParameters: params.replace(/"[^"]*"/g, '"<redacted>"'),
    },
  );
}
