import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import { reportCsvChunks, reportJsonText, withTenantNames } from '../../reports/export.js';
import type { ApiParams, ApiResponse, ReportExportFormat, ReportParams } from '../api-types.js';
import type { TenantScope } from '../auth/scope.js';
import type { ReportsApi, ServerDeps } from '../deps.js';
import type { Store } from '../../store/contract.js';
import { onlyParams, pickOne, type RawQuery } from '../params.js';
import { textStream } from '../stream.js';
import type { HeavyLane } from '../heavy-lane.js';
import { reportFilterNotices } from '../../reports/notices.js';

/** The routes hand the engine tenant keys scopedParams resolved: not resolved again (ReportCallOptions). */
const RESOLVED = { tenantsResolved: true } as const;

const EXPORT_FORMATS = ['csv', 'json'] as const satisfies readonly ReportExportFormat[];

const TYPES: Record<ReportExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

function reportsOf(deps: ServerDeps): ReportsApi {
  if (!deps.reports) {
    throw new AppError('NOT_IMPLEMENTED', 'Reports are not available in this server', {
      hint: 'Start the console with tenantwatch serve, which wires the reports engine',
    });
  }
  return deps.reports;
}

/** The JSON object body of a run or an export, and a report id of sane length. */
function runInput(id: string, body: unknown): ReportParams {
  const params = body ?? {};
  if (typeof params !== 'object' || Array.isArray(params) || params === null) {
    throw new AppError('BAD_INPUT', 'Report parameters must be a JSON object', {
      hint: 'Send {"start":"7d","end":"now"} or {}',
    });
  }
  if (id.length > 100)
    throw new AppError('UNKNOWN_REPORT', 'No report has such a long id', { hint: 'GET /api/reports lists them' });
  return params as ReportParams;
}

/**
 * A report's parameters are its JSON body; the query string takes only what `accepted` names (an export's format).
 * Anything else was dropped without a word: `?tenant=contoso` ran the report over every tenant the caller may see.
 */
function refuseQuery(query: unknown, accepted: readonly string[]): void {
  onlyParams((query ?? {}) as RawQuery, accepted, {
    where: 'in the query string',
    hint: `A report's parameters go in the JSON body, e.g. {"tenant":"contoso","start":"7d"}${accepted.length ? `; the query string takes ${accepted.join(', ')}` : ''}`,
  });
}

/**
 * The report's tenant parameter within the caller's scope, resolved to tenant keys as search resolves them
 * (scope.searchTenants: names, GUIDs, labels equal but for case, the caller's own labels): a tenant outside it is
 * refused; none named means the caller's own tenants (a report over no tenant at all is refused, not run empty).
 */
async function scopedParams(params: ReportParams, scope: TenantScope, store: Store): Promise<ReportParams> {
  const given = params.tenant;
  // Checked before the scope: a list of objects was named "[object Object]" and refused as a tenant not allowed.
  if (
    given !== undefined &&
    typeof given !== 'string' &&
    !(Array.isArray(given) && given.every((t) => typeof t === 'string'))
  )
    throw new AppError('BAD_INPUT', 'The tenant parameter must be a tenant name or GUID, or a list of them', {
      hint: 'Send e.g. {"tenant":"contoso"} or {"tenant":["contoso","fabrikam"]}, or leave it out for every tenant you may see',
    });
  // Comma-separated, as search and `report --tenant` read them (search/filters.ts): the console's Tenants field sends
  // "contoso, fabrikam" as one text, refused as a tenant of that name.
  const requested = (typeof given === 'string' ? [given] : Array.isArray(given) ? given : undefined)
    ?.flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  if (given !== undefined && requested?.length === 0)
    throw new AppError('BAD_INPUT', 'The tenant parameter names no tenant', {
      hint: 'Give tenant names or GUIDs, comma-separated, or leave the parameter out for every tenant you may see',
    });
  const tenants = await scope.searchTenants(store, requested?.length ? requested : undefined);
  if (tenants === undefined) return params;
  if (tenants.length === 0) {
    throw new AppError('FORBIDDEN', 'Your account may not see any tenant', {
      hint: 'Ask an administrator to add tenants (or a tenant group) to your account',
    });
  }
  return { ...params, tenant: tenants };
}

/**
 * The investigations (reports/registry.ts): the list with each report's parameter schema, a run with
 * parameters as a JSON object (the engine validates them: BAD_INPUT / UNKNOWN_REPORT), and the same
 * run as a file, written by the CLI's writer (reports/export.ts) so the console's export and
 * `tenantwatch report ID --format csv` are the same bytes. Both run within the caller's tenant scope.
 */
export function registerReportRoutes(app: FastifyInstance, deps: ServerDeps, lane: HeavyLane): void {
  app.get('/api/reports', { config: { role: 'viewer' } }, async (): Promise<ApiResponse<'GET /api/reports'>> => ({
    reports: reportsOf(deps).list(),
  }));

  type Run = 'POST /api/reports/:id/run';
  const run = { config: { role: 'investigator', audit: 'report.run' } } as const;
  app.post<{ Params: ApiParams<Run>; Body: unknown }>(
    '/api/reports/:id/run',
    run,
    async (request): Promise<ApiResponse<Run>> => {
      refuseQuery(request.query, []);
      const params = await scopedParams(runInput(request.params.id, request.body), request.scope, deps.store);
      // A report reads a period's records: heavy, so it takes its turn (heavy-lane.ts).
      const result = await lane.run(() => reportsOf(deps).run(request.params.id, params, RESOLVED));
      // notices: a user no stored record names or an unknown workload (a typo must not read as "No findings"),
      // as search says.
      return { ...result, notices: await reportFilterNotices(deps.store.records, result) };
    },
  );

  type Export = 'POST /api/reports/:id/export';
  const exported = { config: { role: 'investigator', audit: 'report.export' } } as const;
  app.post<{ Params: ApiParams<Export>; Body: unknown }>(
    '/api/reports/:id/export',
    exported,
    async (request, reply) => {
      const { id } = request.params;
      refuseQuery(request.query, ['format']);
      const format = pickOne((request.query as RawQuery).format, 'format', EXPORT_FORMATS, 'csv');
      const params = await scopedParams(runInput(id, request.body), request.scope, deps.store);
      const run = await lane.run(() => reportsOf(deps).run(id, params, RESOLVED));
      const names = new Map((await deps.store.tenants.list()).map((t) => [t.tenantId, t.name]));
      const result = withTenantNames(run, names);
      const stamp = new Date(deps.clock.now()).toISOString().slice(0, 19).replace(/[-:]/g, '');
      void reply
        .type(TYPES[format])
        .header('content-disposition', `attachment; filename="tenantwatch-${result.report}-${stamp}.${format}"`);
      return reply.send(format === 'csv' ? textStream(reportCsvChunks(result)) : reportJsonText(result));
    },
  );
}
