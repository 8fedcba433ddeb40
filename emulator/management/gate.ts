import { CONTENT_TYPES, type ContentType } from '../../src/core/record.js';
import { json, type EmuRequest, type Reply } from '../http.js';
import type { FaultGate } from '../faults.js';
import { checkBearer } from '../token/bearer.js';
import { GUID_RE } from '../util/rand.js';
import type { World } from '../world.js';
import { AF, MAPI_HEADERS } from './errors.js';

/**
 * What every Management Activity API call checks first, in the real service's order (behaviours 9, 10,
 * 27, 28): the bearer token, the tenant in the URL (GUID, equal to the token's tid), the permission,
 * then the quota pool of the PublisherIdentifier and the 5xx fault.
 */
export interface MapiCall {
  tenantId: string;
  appId: string;
  roles: string[];
  publisherId: string;
}

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

export function gate(world: World, faults: FaultGate, req: EmuRequest, method: string): MapiCall | Reply {
  const bearer = checkBearer(world, req, 'management');
  if (!bearer.ok) {
    // ASP.NET Web API's own 401, as captured from manage.office.com (microsoft/powerapps-tools#300: body
    // {"Message":"Authorization has been denied for this request."}, application/json; charset=utf-8,
    // `WWW-Authenticate: Bearer` with no error parameter; coe-starter-kit#3253 quotes the message): never
    // an AF code nor Graph's InvalidAuthenticationToken envelope (spec §2.11).
    return json(
      401,
      { Message: 'Authorization has been denied for this request.' },
      {
        ...MAPI_HEADERS,
        'WWW-Authenticate': 'Bearer',
      },
    );
  }
  const urlTenant = req.params.tenant!;
  if (!GUID_RE.test(urlTenant)) return AF.tenantNotGuid(urlTenant);
  if (urlTenant.toLowerCase() !== bearer.claims.tid.toLowerCase())
    return AF.tenantMismatch(urlTenant, bearer.claims.tid);
  const tenant = world.tenant(urlTenant);
  if (!tenant) return AF.tenantUnknown(urlTenant);
  if (!bearer.claims.roles.includes('ActivityFeed.Read')) return AF.permission();
  const publisherId =
    req.url.searchParams.get('PublisherIdentifier') ?? req.url.searchParams.get('publisherIdentifier') ?? ZERO_GUID;
  if (faults.throttled(`mapi|${publisherId === ZERO_GUID ? 'shared' : `${publisherId}|${tenant.tenantId}`}`)) {
    return AF.throttled(world.faults.throttleStatus, method, publisherId);
  }
  if (faults.serverError(world.nextRequestNumber())) return AF.internal();
  return { tenantId: tenant.tenantId, appId: bearer.claims.appid, roles: bearer.claims.roles, publisherId };
}

/** The content type of the query, matched case-insensitively by default (§2.1), plus the caller's spelling. */
export function contentTypeOf(
  world: World,
  req: EmuRequest,
  call: MapiCall,
): { ct: ContentType; given: string } | Reply {
  const given = req.url.searchParams.get('contentType');
  if (given === null) return AF.missingParameter('contentType');
  const ct = CONTENT_TYPES.find((c) =>
    world.tuning.contentTypeCaseInsensitive ? c.toLowerCase() === given.toLowerCase() : c === given,
  );
  if (!ct) return AF.contentType();
  if (ct === 'DLP.All' && !call.roles.includes('ActivityFeed.ReadDlp')) return AF.permission();
  return { ct, given };
}

export function isReply(x: unknown): x is Reply {
  return typeof x === 'object' && x !== null && 'status' in x && typeof (x as Reply).status === 'number';
}
