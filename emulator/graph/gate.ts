import { randomUUID } from 'node:crypto';
import { header, json, type EmuRequest, type Reply } from '../http.js';
import type { FaultGate } from '../faults.js';
import { checkBearer } from '../token/bearer.js';
import type { World } from '../world.js';

/**
 * Graph's error envelope and the checks every Graph call makes (spec §3.5–3.6; behaviours 30, 33):
 * 401 InvalidAuthenticationToken, 403 Authorization_RequestDenied without one of the permissions,
 * 429 TooManyRequests with Retry-After over the per-minute budget, 503 on the 5xx fault.
 */
export function graphError(
  world: World,
  req: EmuRequest,
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Reply {
  const requestId = randomUUID();
  return json(
    status,
    {
      error: {
        code,
        message,
        innerError: {
          date: new Date(world.shownNow()).toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': header(req, 'client-request-id') ?? requestId,
        },
      },
    },
    { 'request-id': requestId, ...headers },
  );
}

export interface GraphCall {
  tenantId: string;
}

export function graphGate(world: World, faults: FaultGate, req: EmuRequest, anyOf: string[]): GraphCall | Reply {
  const bearer = checkBearer(world, req, 'graph');
  if (!bearer.ok)
    return graphError(
      world,
      req,
      401,
      'InvalidAuthenticationToken',
      bearer.reason === 'expired'
        ? 'Lifetime validation failed, the token is expired.'
        : 'Access token validation failure. Invalid audience or signature.',
    );
  const tenant = world.tenant(bearer.claims.tid);
  if (!tenant) return graphError(world, req, 401, 'InvalidAuthenticationToken', 'The tenant of the token is unknown.');
  if (!anyOf.some((r) => bearer.claims.roles.includes(r)))
    return graphError(
      world,
      req,
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
  if (faults.throttled(`graph|${tenant.tenantId}`)) {
    return graphError(
      world,
      req,
      429,
      'TooManyRequests',
      'Too many requests. Please retry after the time in Retry-After.',
      { 'Retry-After': String(world.faults.retryAfterSeconds) },
    );
  }
  if (faults.serverError(world.nextRequestNumber()))
    return graphError(
      world,
      req,
      503,
      'ServiceUnavailable',
      'The service is temporarily unavailable. Retry the request.',
      { 'Retry-After': '5' },
    );
  return { tenantId: tenant.tenantId };
}

export function isReply(x: unknown): x is Reply {
  return typeof x === 'object' && x !== null && 'status' in x;
}

/** Pages an array with $top/$skiptoken and an absolute @odata.nextLink. */
export function odataPage(req: EmuRequest, items: unknown[], defaultSize: number, context: string): Reply {
  const top = Number(req.url.searchParams.get('$top') ?? '') || defaultSize;
  const size = Math.min(Math.max(1, top), 999);
  const skip = Number(req.url.searchParams.get('$skiptoken') ?? '0') || 0;
  const body: Record<string, unknown> = { '@odata.context': context, value: items.slice(skip, skip + size) };
  if (skip + size < items.length) {
    const q = new URLSearchParams(req.url.searchParams);
    q.set('$skiptoken', String(skip + size));
    body['@odata.nextLink'] = `${req.base}${req.url.pathname}?${q.toString()}`;
  }
  return json(200, body);
}
