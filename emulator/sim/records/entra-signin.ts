/**
 * Entra ID sign-ins (RecordType 15 AzureActiveDirectoryStsLogon, Audit.AzureActiveDirectory):
 * UserLoggedIn and UserLoginFailed with ExtendedProperties (ResultStatusDetail, UserAgent, RequestType),
 * Actor/Target arrays, ActorIpAddress equal to ClientIP, and for failures LogonError and ErrorNumber.
 * ResultStatus of a failed sign-in is "Failed" (the normaliser derives the outcome from the operation).
 */
import { APPS } from '../data.js';
import type { SimRecord, SimUser } from '../types.js';
import { nameValue, record, type Gen } from './common.js';

/** AADSTS codes a failed sign-in carries, with the LogonError text Entra writes. */
export const LOGON_ERRORS = [
  ['50126', 'InvalidUserNameOrPassword'],
  ['50053', 'IdsLocked'],
  ['50074', 'UserStrongAuthClientAuthNRequiredInterrupt'],
  ['50057', 'UserAccountDisabled'],
] as const;

const APPS_SIGNED_INTO = [APPS.exchange, APPS.office, APPS.outlookDesktop, APPS.teams, APPS.sharepoint] as const;

export interface SignIn {
  ok: boolean;
  ip: string;
  agent?: string;
  /** Index into LOGON_ERRORS for a failure (default: wrong password). */
  error?: number;
}

export function signIn(g: Gen, user: SimUser, s: SignIn): SimRecord {
  const app = g.rng.pick(APPS_SIGNED_INTO);
  const agent = s.agent ?? user.userAgent;
  const [code, text] = LOGON_ERRORS[s.error ?? 0]!;
  const tenantId = g.m.tenant.tenantId;
  const target = s.ok ? app : 'Unknown';
  return record(
    g,
    {
      operation: s.ok ? 'UserLoggedIn' : 'UserLoginFailed',
      recordType: 15,
      workload: 'AzureActiveDirectory',
      userId: user.userPrincipalName,
      userKey: user.id,
      resultStatus: s.ok ? 'Success' : 'Failed',
      clientIp: s.ip,
      objectId: target,
    },
    {
      AzureActiveDirectoryEventType: 1,
      ExtendedProperties: nameValue([
        ['ResultStatusDetail', s.ok ? 'Success' : 'UserError'],
        ['UserAgent', agent],
        ['RequestType', g.rng.pick(['OAuth2:Authorize', 'OAuth2:Token', 'Login:login'])],
      ]),
      ModifiedProperties: [],
      Actor: [
        { ID: user.id, Type: 0 },
        { ID: user.userPrincipalName, Type: 5 },
      ],
      ActorContextId: tenantId,
      ActorIpAddress: s.ip,
      InterSystemsId: g.rng.guid(),
      IntraSystemId: g.rng.guid(),
      SupportTicketId: '',
      Target: [{ ID: target, Type: 0 }],
      TargetContextId: tenantId,
      ApplicationId: app,
      DeviceProperties: nameValue([
        ['OS', agent.includes('iPhone') ? 'Ios' : agent.includes('Macintosh') ? 'MacOs' : 'Windows10'],
        [
          'BrowserType',
          agent.includes('Edg/')
            ? 'Edge'
            : agent.includes('Firefox')
              ? 'Firefox'
              : agent.includes('Chrome')
                ? 'Chrome'
                : 'Other',
        ],
        ['SessionId', g.rng.guid()],
      ]),
      ErrorNumber: s.ok ? '0' : code,
      ...(s.ok ? {} : { ErrorCode: code, LogonError: text }),
    },
  );
}
