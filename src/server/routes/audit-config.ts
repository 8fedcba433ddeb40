import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
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
      const confirm = (request.body as { confirm?: unknown } | null)?.confirm === true;
      return { applied: confirm, outcome: await postureOf(deps).enable(tenant, confirm) };
    },
  );
}
