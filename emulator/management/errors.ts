import { randomUUID } from 'node:crypto';
import { json, type Reply } from '../http.js';

/**
 * The Management Activity API error table (spec §2.11): `{"error":{"code":"AFxxxxx","message":"…"}}`,
 * with statuses from the wire where peers saw them and the spec's recommendation elsewhere. Every reply
 * carries the no-cache headers of the real service (§2.1).
 */
export const MAPI_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-cache',
  Pragma: 'no-cache',
  Expires: '-1',
  Server: 'Microsoft-IIS/10.0',
  'X-AspNet-Version': '4.0.30319',
  'X-Powered-By': 'ASP.NET',
};

export function mapiJson(status: number, body: unknown, extra?: Record<string, string>): Reply {
  return json(status, body, { ...MAPI_HEADERS, ...extra });
}

export function af(status: number, code: string, message: string): Reply {
  return mapiJson(status, { error: { code, message } });
}

const WINDOW_RULE =
  'Start time and end time must both be specified (or both omitted) and must be less than or equal to 24 hours apart, with the start time no more than 7 days in the past';

export const AF = {
  permission: () =>
    af(401, 'AF10001', 'The permission set () sent in the request does not include the expected permission.'),
  missingParameter: (name: string) => af(400, 'AF20001', `Missing parameter: ${name}.`),
  badParameter: (name: string, type: string) =>
    af(400, 'AF20002', `Invalid parameter type: ${name}. Expected type: ${type}`),
  pastExpiration: (value: string) => af(400, 'AF20003', `Expiration ${value} provided is set to past date and time.`),
  tenantMismatch: (url: string, token: string) =>
    af(
      401,
      'AF20010',
      `The tenant ID in the URL (${url}) does not match the tenant ID in the access token (${token}).`,
    ),
  tenantUnknown: (id: string) =>
    af(400, 'AF20011', `Specified tenant ID (${id}) does not exist in the system or has been deleted.`),
  tenantNotGuid: (id: string) => af(400, 'AF20013', `The tenant ID passed in the URL (${id}) is not a valid GUID.`),
  contentType: () => af(400, 'AF20020', 'The specified content type is not valid.'),
  webhook: (address: string, why: string) =>
    af(400, 'AF20021', `The webhook endpoint {${address}) could not be validated. ${why}`),
  noSubscription: () => af(400, 'AF20022', 'No subscription found for the specified content type.'),
  disabled: () => af(400, 'AF20023', 'The subscription was disabled.'),
  alreadyEnabled: () => af(400, 'AF20024', 'The subscription is already enabled. No property change.'),
  window: () => af(400, 'AF20030', `${WINDOW_RULE}.`),
  windowOrder: () => af(400, 'AF20055', `${WINDOW_RULE} and the start time prior to end time.`),
  nextPage: (value: string) => af(400, 'AF20031', `Invalid nextPage Input: ${value}.`),
  noContent: (id: string) => af(404, 'AF20050', `The specified content (${id}) does not exist.`),
  expired: (id: string) =>
    af(
      400,
      'AF20051',
      `Content requested with the key ${id} has already expired. Content older than 7 days cannot be retrieved.`,
    ),
  badContentId: (id: string) => af(400, 'AF20052', `Content ID ${id} in the URL is invalid.`),
  oneLanguage: () => af(400, 'AF20053', 'Only one language may be present in the Accept-Language header.'),
  languageSyntax: () => af(400, 'AF20054', 'Invalid syntax in Accept-Language header.'),
  throttled: (status: number, method: string, publisherId: string) =>
    af(status, 'AF429', `Too many requests. Method=${method}, PublisherId=${publisherId}`),
  startTooSoon: (waitMs: number) => {
    const s = Math.max(1, Math.ceil(waitMs / 1000));
    return af(
      429,
      'AF429',
      `Too many frequent subscription start requests. Please retry again after ${Math.floor(s / 60)}m ${s % 60}s`,
    );
  },
  internal: () => af(500, 'AF50000', 'An internal error occurred. Retry the request.'),
  /**
   * The odd 400 of a start on a tenant whose unified audit log is off (§2.2, behaviour 16): the
   * diagnostic text is split between `code` and `message` in the middle of a token.
   */
  ualOff: (tenantId: string, contentType: string, appId: string, publisherId: string) =>
    af(
      400,
      `StartSubscription [CorrId=${randomUUID()}][TenantId=${tenantId},ContentType=${contentType},ApplicationId=${appId},PublisherId=${publisherId}][AppId`,
      `=${appId}] failed. Exception: Microsoft.Office.Compliance.Audit.DataServiceException: Tenant ${tenantId} does not exist.\r\n   at Microsoft.Office.Compliance.Audit.API.AzureManager.<GetSubscriptionsAsync>d__52.MoveNext()\r\n   at Microsoft.Office.Compliance.Audit.API.StartController.<StartSubscription>d__0.MoveNext()`,
    ),
};
