import { header, json, jsonBody, type EmuRequest, type Reply, type Route } from '../http.js';
import type { FaultGate } from '../faults.js';
import type { BlobCatalog } from '../management/blobs.js';
import { checkBearer } from '../token/bearer.js';
import type { World } from '../world.js';
import * as cmd from './cmdlets.js';
import { CONCURRENCY_TEXT, EXO, exoError, ok } from './envelope.js';
import { UnifiedAuditLogSearch } from './search.js';

/**
 * POST /adminapi/{beta|v1.0}/{tenant}/InvokeCommand (spec §5; behaviours 35–44): the token must carry
 * Exchange.ManageAsApp; X-AnchorMailbox is accepted as APP: or UPN: (required only in strict mode);
 * throttling answers 429 with Retry-After and Rate-Limit-* headers; Get-Mailbox pages with
 * @odata.nextLink honouring Prefer: odata.maxpagesize, the next page being a POST of the same body.
 */
function unauthorized(message: string, status = 401): Reply {
  return json(
    status,
    { error: { code: status === 401 ? 'Unauthorized' : 'Forbidden', message } },
    status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {},
  );
}

function pageSize(req: EmuRequest): number {
  const m = /odata\.maxpagesize=(\d+)/i.exec(header(req, 'prefer') ?? '');
  return m ? Math.min(1000, Math.max(1, Number(m[1]))) : 1000;
}

export function exchangeRoutes(world: World, faults: FaultGate, blobs: BlobCatalog): Route[] {
  const search = new UnifiedAuditLogSearch(world, blobs);
  const invoke = (req: EmuRequest): Reply => {
    const bearer = checkBearer(world, req, 'exchange');
    if (!bearer.ok)
      return unauthorized(`The access token is ${bearer.reason === 'missing' ? 'missing' : bearer.reason}.`);
    const tenant = world.tenant(req.params.tenant!);
    if (!tenant || tenant.tenantId.toLowerCase() !== bearer.claims.tid.toLowerCase())
      return unauthorized(`The tenant '${req.params.tenant}' does not match the access token.`);
    if (!bearer.claims.roles.includes('Exchange.ManageAsApp'))
      return unauthorized(
        'The role Exchange.ManageAsApp is required to call the Exchange admin API as an application.',
        403,
      );
    const anchor = header(req, 'x-anchormailbox');
    if (anchor !== undefined && !/^(APP|UPN):.+/i.test(anchor))
      return json(400, {
        error: { code: 'BadRequest', message: `X-AnchorMailbox '${anchor}' is not in the APP: or UPN: form.` },
      });
    if (anchor === undefined && world.faults.strictAnchorMailbox)
      return json(400, { error: { code: 'BadRequest', message: 'The X-AnchorMailbox header is required.' } });
    const pool = `exo|${tenant.tenantId}`;
    const rate = (): Record<string, string> => ({
      'Rate-Limit-Remaining': String(faults.remaining(pool)),
      'Rate-Limit-Reset': new Date(world.shownNow() + faults.secondsToNextMinute() * 1000).toISOString(),
    });
    if (faults.throttled(pool)) {
      return json(
        429,
        {
          error: {
            code: 'TooManyRequests',
            message: 'The request was throttled. Retry after the time in Retry-After.',
          },
        },
        { 'Retry-After': String(world.faults.retryAfterSeconds), ...rate() },
      );
    }
    if (world.faults.exoConcurrencyError)
      return {
        status: 429,
        body: CONCURRENCY_TEXT,
        contentType: 'text/plain; charset=utf-8',
        headers: { 'Retry-After': String(world.faults.retryAfterSeconds) },
      };
    if (faults.serverError(world.nextRequestNumber())) return exoError(EXO.internal(), rate());
    const body = jsonBody(req) as { CmdletInput?: { CmdletName?: unknown; Parameters?: unknown } } | null | undefined;
    const name = body?.CmdletInput?.CmdletName;
    if (typeof name !== 'string')
      return json(400, {
        error: { code: 'BadRequest', message: 'The body must be {"CmdletInput":{"CmdletName":"…","Parameters":{…}}}.' },
      });
    const params = (body?.CmdletInput?.Parameters ?? {}) as Record<string, unknown>;
    const result = run(name, tenant.tenantId, params);
    if (world.faults.exoResetAfter.some((c) => c.toLowerCase() === name.toLowerCase()))
      return { status: 200, reset: true };
    if (world.faults.exoGatewayAfter.some((c) => c.toLowerCase() === name.toLowerCase()))
      return gatewayPage(world.faults.exoGatewayStatus);
    if ('error' in result) return exoError(result.error, rate());
    // Search-UnifiedAuditLog pages by its own ResultSize/SessionId; other cmdlets page by odata.maxpagesize.
    if (name.toLowerCase() === 'search-unifiedauditlog')
      return ok(req, tenant.tenantId, result.value, { warnings: result.warnings, headers: rate() });
    return paged(req, tenant.tenantId, result.value, result.warnings, rate());
  };

  const run = (name: string, tenantId: string, p: Record<string, unknown>): cmd.CmdletResult => {
    switch (name.toLowerCase()) {
      case 'get-adminauditlogconfig':
        return cmd.getAdminAuditLogConfig(world, tenantId);
      case 'set-adminauditlogconfig':
        return cmd.setAdminAuditLogConfig(world, blobs, tenantId, p);
      case 'get-organizationconfig':
        return cmd.getOrganizationConfig(world, tenantId);
      case 'set-organizationconfig':
        return cmd.setOrganizationConfig(world, blobs, tenantId, p);
      case 'enable-organizationcustomization':
        return cmd.enableOrganizationCustomization(world, tenantId);
      case 'get-mailbox':
      case 'get-exomailbox':
        return cmd.getMailboxes(world, tenantId, p);
      case 'set-mailbox':
        return cmd.setMailbox(world, tenantId, p);
      case 'search-unifiedauditlog':
        return search.run(tenantId, p);
      default:
        return { error: EXO.unknownCmdlet(name) };
    }
  };

  /** Pages any multi-object result; $select trims properties; the skip token rides in the next link. */
  const paged = (
    req: EmuRequest,
    tenantId: string,
    value: unknown[],
    warnings: string[] | undefined,
    headers: Record<string, string>,
  ): Reply => {
    const size = pageSize(req);
    const skip = Number(req.url.searchParams.get('$skiptoken') ?? '0') || 0;
    const select = req.url.searchParams
      .get('$select')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    let slice = value.slice(skip, skip + size);
    if (select?.length)
      slice = slice.map((o) => Object.fromEntries(Object.entries(o as object).filter(([k]) => select.includes(k))));
    let nextLink: string | undefined;
    if (skip + size < value.length) {
      const q = new URLSearchParams(req.url.searchParams);
      // The fault exoNextLinkRepeat names this page again: a client that follows it blindly never ends.
      q.set('$skiptoken', String(world.faults.exoNextLinkRepeat ? skip : skip + size));
      nextLink = `${req.base}${req.url.pathname}?${q.toString()}`;
    }
    return ok(req, tenantId, slice, { warnings, nextLink, headers });
  };

  return [
    {
      method: 'POST',
      pattern: /^\/adminapi\/(?:beta|v1\.0)\/(?<tenant>[^/]+)\/InvokeCommand\/?$/i,
      service: 'exchange',
      handler: invoke,
    },
  ];
}

/** What a gateway in front of Exchange answers when its wait ran out (504) or its upstream failed (502): HTML. */
function gatewayPage(status: number): Reply {
  const title = status === 502 ? '502 Bad Gateway' : `${status} Gateway Time-out`;
  return {
    status,
    body: `<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`,
    contentType: 'text/html; charset=utf-8',
  };
}
