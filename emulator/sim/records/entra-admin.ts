/**
 * Entra ID directory changes (RecordType 8 AzureActiveDirectory, Audit.AzureActiveDirectory): user,
 * group, role, application and consent operations, with ModifiedProperties {Name, NewValue, OldValue},
 * Actor/Target arrays of {ID, Type} (Type 5 UPN, 3 PUID, 2 object id/kind, 1 display name, 4 app id) and
 * ExtendedProperties additionalDetails / extendedAuditEventCategory, as in the real records in the corpus.
 * Role records name the role in Role.DisplayName, the template in Role.TemplateId, the member in Target.
 */
import type { SimRecord, SimRoleSpan, SimUser } from '../types.js';
import { ipOf, nameValue, record, type Gen } from './common.js';

interface Change {
  Name: string;
  NewValue: string;
  OldValue: string;
}
type Id = { ID: string; Type: number };

const change = (Name: string, NewValue: string, OldValue = ''): Change => ({ Name, NewValue, OldValue });
const userTarget = (u: SimUser): Id[] => [
  { ID: `User_${u.id}`, Type: 2 },
  { ID: u.id, Type: 2 },
  { ID: 'User', Type: 2 },
  { ID: u.userPrincipalName, Type: 5 },
  { ID: u.puid, Type: 3 },
];

interface Op {
  operation: string;
  objectId: string;
  category: string;
  details?: string;
  modified: Change[];
  target: Id[];
  resultStatus?: string;
}

export function directory(g: Gen, actor: SimUser, op: Op): SimRecord {
  const ip = ipOf(g, actor);
  const tenantId = g.m.tenant.tenantId;
  return record(
    g,
    {
      operation: op.operation,
      recordType: 8,
      workload: 'AzureActiveDirectory',
      userId: actor.userPrincipalName,
      userKey: `${actor.puid}@${g.m.tenant.domain}`,
      resultStatus: op.resultStatus ?? 'Success',
      clientIp: ip,
      objectId: op.objectId,
    },
    {
      AzureActiveDirectoryEventType: 1,
      ExtendedProperties: nameValue([
        ['additionalDetails', op.details ?? '{}'],
        ['extendedAuditEventCategory', op.category],
      ]),
      ModifiedProperties: op.modified,
      Actor: [
        { ID: actor.userPrincipalName, Type: 5 },
        { ID: actor.puid, Type: 3 },
        { ID: `User_${actor.id}`, Type: 2 },
        { ID: actor.id, Type: 2 },
        { ID: 'User', Type: 2 },
      ],
      ActorContextId: tenantId,
      ActorIpAddress: ip,
      InterSystemsId: g.rng.guid(),
      IntraSystemId: g.rng.guid(),
      SupportTicketId: '',
      Target: op.target,
      TargetContextId: tenantId,
    },
  );
}

/** "Add member to role." / "Remove member from role." for a role span's start or end. */
export function roleMembership(
  g: Gen,
  actor: SimUser,
  span: SimRoleSpan,
  member: SimUser,
  kind: 'add' | 'remove',
): SimRecord {
  const roleObject = g.rng.guid();
  const pairs: [string, string][] = [
    ['Role.ObjectID', roleObject],
    ['Role.DisplayName', span.role],
    ['Role.TemplateId', span.roleTemplateId],
    ['Role.WellKnownObjectName', span.role === 'Global Administrator' ? 'TenantAdmins' : ''],
  ];
  return directory(g, actor, {
    operation: kind === 'add' ? 'Add member to role.' : 'Remove member from role.',
    objectId: member.userPrincipalName,
    category: 'Role',
    modified: pairs.map(([n, v]) => (kind === 'add' ? change(n, v) : change(n, '', v))),
    target: userTarget(member),
  });
}

export function addUser(g: Gen, actor: SimUser, upn: string, displayName: string): SimRecord {
  const id = g.rng.guid();
  return directory(g, actor, {
    operation: 'Add user.',
    objectId: upn,
    category: 'User',
    details: '{"UserType":"Member"}',
    modified: [
      change('AccountEnabled', '[\r\n  true\r\n]', '[]'),
      change('DisplayName', `[\r\n  "${displayName}"\r\n]`, '[]'),
      change('UserPrincipalName', `[\r\n  "${upn}"\r\n]`, '[]'),
      change('Included Updated Properties', 'AccountEnabled, DisplayName, UserPrincipalName'),
    ],
    target: [
      { ID: `User_${id}`, Type: 2 },
      { ID: id, Type: 2 },
      { ID: 'User', Type: 2 },
      { ID: upn, Type: 5 },
    ],
  });
}

export function updateUser(g: Gen, actor: SimUser, target: SimUser): SimRecord {
  const dept = g.rng.pick(['Sales', 'Finance', 'Operations']);
  return directory(g, actor, {
    operation: 'Update user.',
    objectId: target.userPrincipalName,
    category: 'User',
    details: '{"UserType":"Member"}',
    modified: [
      change('Department', `[\r\n  "${dept}"\r\n]`, `[\r\n  "${target.department}"\r\n]`),
      change('Included Updated Properties', 'Department'),
      change('TargetId.UserType', 'Member'),
    ],
    target: userTarget(target),
  });
}

export function resetPassword(g: Gen, actor: SimUser, target: SimUser): SimRecord {
  return directory(g, actor, {
    operation: 'Reset user password.',
    objectId: target.userPrincipalName,
    category: 'User',
    modified: [],
    target: userTarget(target),
  });
}

export function addMemberToGroup(g: Gen, actor: SimUser, target: SimUser, group: string): SimRecord {
  const groupId = g.rng.guid();
  return directory(g, actor, {
    operation: 'Add member to group.',
    objectId: target.userPrincipalName,
    category: 'GroupManagement',
    modified: [change('Group.ObjectID', groupId), change('Group.DisplayName', group)],
    target: userTarget(target),
  });
}

/** The app registrations and grants the app-consent report looks at. */
export interface App {
  appId: string;
  objectId: string;
  name: string;
}

const appTarget = (app: App, kind: 'ServicePrincipal' | 'Application'): Id[] => [
  { ID: `${kind}_${app.objectId}`, Type: 2 },
  { ID: app.objectId, Type: 2 },
  { ID: kind, Type: 2 },
  { ID: app.name, Type: 1 },
  { ID: app.appId, Type: 2 },
  { ID: app.appId, Type: 4 },
];

export function consent(g: Gen, actor: SimUser, app: App, admin: boolean, scope: string): SimRecord {
  return directory(g, actor, {
    operation: 'Consent to application.',
    objectId: app.appId,
    category: 'ServicePrincipal',
    details: JSON.stringify({ 'User-Agent': actor.userAgent, AppId: app.appId }),
    modified: [
      change('ConsentContext.IsAdminConsent', admin ? 'True' : 'False'),
      change('ConsentContext.IsAppOnly', 'False'),
      change('ConsentContext.OnBehalfOfAll', admin ? 'True' : 'False'),
      change('ConsentContext.Tags', ''),
      change(
        'ConsentAction.Permissions',
        `[] => [[Id: ${g.rng.hex(43)}, ClientId: ${app.objectId}, PrincipalId: ${admin ? '' : actor.id}, ResourceId: ${g.rng.guid()}, ConsentType: ${admin ? 'AllPrincipals' : 'Principal'}, Scope: ${scope}, CreatedDateTime: , LastModifiedDateTime ]]; `,
      ),
      change('TargetId.ServicePrincipalNames', app.appId),
    ],
    target: appTarget(app, 'ServicePrincipal'),
  });
}

export function addServicePrincipal(g: Gen, actor: SimUser, app: App): SimRecord {
  return directory(g, actor, {
    operation: 'Add service principal.',
    objectId: app.appId,
    category: 'ServicePrincipal',
    details: JSON.stringify({ 'User-Agent': actor.userAgent, AppId: app.appId }),
    modified: [
      change('AccountEnabled', '[\r\n  true\r\n]', '[]'),
      change('AppPrincipalId', `[\r\n  "${app.appId}"\r\n]`, '[]'),
      change('DisplayName', `[\r\n  "${app.name}"\r\n]`, '[]'),
      change('Included Updated Properties', 'AccountEnabled, AppPrincipalId, DisplayName'),
      change('TargetId.ServicePrincipalNames', app.appId),
    ],
    target: appTarget(app, 'ServicePrincipal'),
  });
}

export function addAppRoleAssignment(g: Gen, actor: SimUser, app: App): SimRecord {
  return directory(g, actor, {
    operation: 'Add app role assignment to service principal.',
    objectId: app.appId,
    category: 'ServicePrincipal',
    modified: [
      change('AppRole.Id', 'dc890d15-9560-4a4c-9b7f-a736ec74ec40'),
      change('AppRole.Value', 'full_access_as_app'),
      change('AppRole.DisplayName', 'Use Exchange Web Services with full access to all mailboxes'),
      change('ServicePrincipal.ObjectID', app.objectId),
      change('ServicePrincipal.DisplayName', app.name),
      change('ServicePrincipal.AppId', app.appId),
    ],
    target: appTarget(app, 'ServicePrincipal'),
  });
}

/** "Update application – Certificates and secrets management " (Entra's exact operation name, trailing space included). */
export function appSecretAdded(g: Gen, actor: SimUser, app: App): SimRecord {
  const key = JSON.stringify([
    { KeyIdentifier: g.rng.guid(), KeyType: 'Password', KeyUsage: 'Verify', DisplayName: 'automation' },
  ]);
  return directory(g, actor, {
    operation: 'Update application – Certificates and secrets management ',
    objectId: `Application_${app.objectId}`,
    category: 'Application',
    modified: [change('KeyDescription', key, '[]'), change('Included Updated Properties', 'KeyDescription')],
    target: appTarget(app, 'Application').slice(0, 5),
  });
}

/** Admin-center changes to the organisation (Microsoft 365 admin center → Entra RecordType 8). */
export function companySetting(
  g: Gen,
  actor: SimUser,
  operation: 'Set Company Information.' | 'Update authorization policy.',
): SimRecord {
  const modified =
    operation === 'Set Company Information.'
      ? [
          change('TechnicalNotificationMails', `[\r\n  "it@${g.m.tenant.domain}"\r\n]`, '[]'),
          change('Included Updated Properties', 'TechnicalNotificationMails'),
        ]
      : [
          change(
            'PermissionGrantPolicyIdsAssignedToDefaultUserRole',
            '[\r\n  "ManagePermissionGrantsForSelf.microsoft-user-default-low"\r\n]',
            '[\r\n  "ManagePermissionGrantsForSelf.microsoft-user-default-legacy"\r\n]',
          ),
        ];
  return directory(g, actor, {
    operation,
    objectId: g.m.tenant.tenantId,
    category: operation === 'Set Company Information.' ? 'Directory' : 'Policy',
    modified,
    target: [{ ID: g.m.tenant.tenantId, Type: 2 }],
  });
}
