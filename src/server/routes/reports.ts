import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
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
 * The investigations (reports/registry.ts): the list with each report's parameter schema, and a
 * run with parameters as a JSON object (the engine validates them: BAD_INPUT / UNKNOWN_REPORT).
 */
export function registerReportRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/api/reports', async () => ({ reports: reportsOf(deps).list() }));

  app.post<{ Params: { id: string }; Body: unknown }>('/api/reports/:id/run', async (request) => {
    const body = request.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body) || body === null) {
      throw new AppError('BAD_INPUT', 'Report parameters must be a JSON object', {
        hint: 'Send {"start":"7d","end":"now"} or {}',
      });
    }
    if (request.params.id.length > 100)
      throw new AppError('UNKNOWN_REPORT', 'No report has such a long id', { hint: 'GET /api/reports lists them' });
    return reportsOf(deps).run(request.params.id, body as Record<string, unknown>);
  });
}
