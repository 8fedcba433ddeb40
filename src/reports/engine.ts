import { z } from 'zod';
import { AppError } from '../core/errors.js';
import type { SearchQuery } from '../core/search-query.js';
import { toIsoSeconds } from '../core/time.js';
import { parseSearchFilters, type SearchFilterInput } from '../search/filters.js';
import { resolveTenantKeys } from '../search/tenants.js';
import type { CommonParams } from './params.js';
import { SummaryTally } from './summary.js';
import type { ReportDefinition, ReportDeps, ReportResult, ReportRow } from './types.js';

/**
 * Runs one report: validates the raw parameters against its schema (BAD_INPUT naming each bad
 * parameter), reads the period, users and tenants through the search filter parser the CLI and the
 * API use (so `--start 7d`, `--user A,B` and a tenant name mean here what they mean in `search`),
 * runs it, and builds the summary.
 */
export async function executeReport(
  def: ReportDefinition,
  raw: Record<string, unknown>,
  deps: ReportDeps,
): Promise<ReportResult> {
  const parsed = def.parameters.safeParse(raw);
  if (!parsed.success) throw badParams(def, parsed.error);
  const params = parsed.data as CommonParams & Record<string, unknown>;
  const base = commonFilters(params, deps.clock.now());
  // A mistyped tenant fails with UNKNOWN_TENANT, as in search, instead of answering "no findings".
  const tenants = base.tenants ? await resolveTenantKeys(deps.store, base.tenants) : undefined;
  const tally = new SummaryTally();
  const started = deps.clock.now();
  const input = {
    params,
    period: base.range,
    tenants,
    ...(base.users ? { users: base.users } : {}),
    ...(base.workloads ? { workloads: base.workloads } : {}),
    count: tally.count.bind(tally),
    addCounted: tally.addCounted.bind(tally),
  };
  const out = await def.run(input, deps);
  deps.logger?.info({ report: def.id, rows: out.rows.length, ms: deps.clock.now() - started }, 'report run');
  return {
    report: def.id,
    parameters: {
      ...params,
      start: toIsoSeconds(base.range.start),
      end: toIsoSeconds(base.range.end),
      ...(tenants ? { tenant: tenants } : {}),
    },
    summary: tally.summary(out.rows.length, out.totals),
    rows: inTimeOrder(out.rows),
  };
}

/**
 * Rows that each stand for a moment are given oldest first, as an investigator reads a story — in the
 * console, the CLI and every export alike (issue 17 item 4: the CLI listed them tenant by tenant, newest
 * first within each, tenants in no particular order). Ties keep the report's order. A report whose rows
 * are not all moments (aggregates) keeps the order it chose.
 */
export function inTimeOrder(rows: ReportRow[]): ReportRow[] {
  const at = rows.map((r) => (typeof r.time === 'string' ? Date.parse(r.time) : NaN));
  if (at.some((t) => Number.isNaN(t))) return rows;
  return rows
    .map((row, i) => ({ row, t: at[i]! }))
    .sort((a, b) => a.t - b.t)
    .map((x) => x.row);
}

/**
 * The period ([start, end), BAD_TIME when empty or reversed), users (lower case) and tenants every report
 * takes, and workloads for a report that declares them (user-activity).
 */
function commonFilters(params: CommonParams & { workload?: unknown }, now: number): SearchQuery {
  const filters: SearchFilterInput = { start: params.start, end: params.end };
  if (params.user) filters.user = params.user;
  if (params.tenant) filters.tenant = params.tenant;
  if (Array.isArray(params.workload)) filters.workload = params.workload.map(String);
  return parseSearchFilters(filters, now);
}

function badParams(def: ReportDefinition, error: z.ZodError): AppError {
  const problems = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys')
      return `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    const name = issue.path.length ? issue.path.join('.') : 'parameters';
    return `${name}: ${issue.message}`;
  });
  const shape = def.parameters instanceof z.ZodObject ? Object.keys(def.parameters.shape) : [];
  return new AppError('BAD_INPUT', `Report ${def.id} got bad parameters (${problems.join('; ')})`, {
    hint: `Its parameters are ${shape.join(', ')}; tenantwatch report list shows what each means`,
    details: { report: def.id, issues: problems },
  });
}
