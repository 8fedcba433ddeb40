import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import { quoted } from '../../core/quote.js';
import { forbiddenTenant } from '../auth/scope.js';
import type { ApiResponse } from '../api-types.js';
import type { PostureApi, ServerDeps } from '../deps.js';

function postureOf(deps: ServerDeps): PostureApi {
  if (!deps.posture) {
    throw new AppError('NOT_IMPLEMENTED', 'Checking audit settings is not available in this server', {
      hint: 'Start the console with tenantwatch serve, which wires the Microsoft clients',
    });
  }
  return deps.posture;
}

/**
 * The enable body's `confirm`: true or false, or absent (the plan). Anything else is refused: {"confirm":"true"} was
 * read as "plan only", so a script that meant to apply the change got the plan back with no word why.
 */
function confirmOf(body: unknown): boolean {
  if (body === undefined || body === null) return false;
  if (typeof body !== 'object' || Array.isArray(body))
    throw new AppError('BAD_INPUT', 'The request body must be a JSON object', {
      hint: 'Send {"confirm":true} to apply, or {} for the plan only',
    });
  const other = Object.keys(body).find((k) => k !== 'confirm');
  if (other !== undefined)
    throw new AppError('BAD_INPUT', `Unknown field ${quoted(other, 60)}`, { hint: 'Accepted: confirm' });
  const { confirm } = body as { confirm?: unknown };
  if (confirm === undefined) return false;
  if (typeof confirm !== 'boolean')
    throw new AppError('BAD_INPUT', 'The field confirm must be true or false', {
      hint: 'Send {"confirm":true} (a JSON boolean, not the text "true") to apply, or leave it out for the plan only',
    });
  return confirm;
}

/**
 * `audit-config check` and `enable` from the console. Enable is two requests on purpose: without
 * `confirm: true` it only returns the plan, which the console shows; the same call with the
 * confirmation applies it. Both are written to the console audit trail.
 */
export function registerAuditConfigRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.post<{ Params: { tenant: string } }>(
    '/api/audit-config/:tenant/check',
    { config: { role: 'investigator', audit: 'audit-config.check' } },
    async (request): Promise<ApiResponse<'POST /api/audit-config/:tenant/check'>> => {
      const { tenant } = request.params;
      if (!request.scope.allows(tenant)) throw forbiddenTenant(tenant);
      return { result: await postureOf(deps).check(tenant) };
    },
  );
  app.post<{ Params: { tenant: string }; Body: unknown }>(
    '/api/audit-config/:tenant/enable',
    { config: { role: 'admin', audit: 'audit-config.enable' } },
    async (request): Promise<ApiResponse<'POST /api/audit-config/:tenant/enable'>> => {
      const { tenant } = request.params;
      if (!request.scope.allows(tenant)) throw forbiddenTenant(tenant);
      const confirm = confirmOf(request.body);
      return { applied: confirm, outcome: await postureOf(deps).enable(tenant, confirm) };
    },
  );
}
