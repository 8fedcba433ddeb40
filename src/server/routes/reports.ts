import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { TenantScope } from '../auth/scope.js';
import type { ReportsApi, ServerDeps } from '../deps.js';

function reportsOf(deps: ServerDeps): ReportsApi {
  if (!deps.reports) {
    throw new AppError('NOT_IMPLEMENTED', 'Reports are not available in this server', {
      hint: 'Start the console with tenantwatch serve, which wires the reports engine',
    });
  }
  return deps.reports;
}

/**
 * The report's tenant parameter within the caller's scope: a tenant outside it is refused; none
 * named means the caller's own tenants (a report over no tenant at all is refused, not run empty).
 */
function scopedParams(params: Record<string, unknown>, scope: TenantScope): Record<string, unknown> {
  const given = params.tenant;
  const requested = typeof given === 'string' ? [given] : Array.isArray(given) ? given.map(String) : undefined;
  const tenants = scope.filterTenants(requested);
  if (tenants === undefined) return params;
  if (tenants.length === 0) {
    throw new AppError('FORBIDDEN', 'Your account may not see any tenant', {
      hint: 'Ask an administrator to add tenants (or a tenant group) to your account',
    });
  }
  return { ...params, tenant: tenants };
}

/**
 * The investigations (reports/registry.ts): the list with each report's parameter schema, and a
 * run with parameters as a JSON object (the engine validates them: BAD_INPUT / UNKNOWN_REPORT).
 */
export function registerReportRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/api/reports', { config: { role: 'viewer' } }, async () => ({ reports: reportsOf(deps).list() }));

  const run = { config: { role: 'investigator', audit: 'report.run' } } as const;
  app.post<{ Params: { id: string }; Body: unknown }>('/api/reports/:id/run', run, async (request) => {
    const body = request.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body) || body === null) {
      throw new AppError('BAD_INPUT', 'Report parameters must be a JSON object', {
        hint: 'Send {"start":"7d","end":"now"} or {}',
      });
    }
    if (request.params.id.length > 100)
      throw new AppError('UNKNOWN_REPORT', 'No report has such a long id', { hint: 'GET /api/reports lists them' });
    return reportsOf(deps).run(request.params.id, scopedParams(body as Record<string, unknown>, request.scope));
  });
}
