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
export interface ReportCallOptions {
  /** How the caller spells a parameter in errors: the CLI's `--burst-threshold`; the API's `burstThreshold` by default. */
  nameOf?: (parameter: string) => string;
  /**
   * Where the caller reads what each parameter means, ending the hint of a bad one: the CLI's `report ID --help`;
   * by default the API's GET /api/reports, whose ReportInfo holds each parameter's schema and description.
   */
  describedIn?: (report: string) => string;
  /**
   * The `tenant` parameter holds tenant keys the caller already resolved within its scope (the API: TenantScope
   * searchTenants, as search does): not resolved again. Resolving the caller's own list again refused a whole report
   * (UNKNOWN_TENANT) for a label in the caller's scope that has no records any more, where search answers nothing.
   */
  tenantsResolved?: boolean;
}

export async function executeReport(
  def: ReportDefinition,
  raw: Record<string, unknown>,
  deps: ReportDeps,
  options: ReportCallOptions = {},
): Promise<ReportResult> {
  const parsed = def.parameters.safeParse(raw);
  if (!parsed.success)
    throw badParams(
      def,
      parsed.error,
      raw,
      options.nameOf ?? ((p) => p),
      options.describedIn ?? (() => 'GET /api/reports'),
    );
  const params = parsed.data as CommonParams & Record<string, unknown>;
  const base = commonFilters(params, deps.clock.now());
  // A mistyped tenant fails with UNKNOWN_TENANT, as in search, instead of answering "no findings".
  const tenants =
    base.tenants && !options.tenantsResolved ? await resolveTenantKeys(deps.store, base.tenants) : base.tenants;
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

/**
 * BAD_INPUT naming each bad parameter as the caller spells it, once, with what it accepts and what it got.
 * zod reports a value past two limits twice (a 20-digit number breaks both the safe-integer range of int()
 * and the report's own max), and a yes/no flag as an "Invalid input" union: neither says what to type.
 */
function badParams(
  def: ReportDefinition,
  error: z.ZodError,
  raw: Record<string, unknown>,
  nameOf: (parameter: string) => string,
  describedIn: (report: string) => string,
): AppError {
  const byPath = new Map<string, z.core.$ZodIssue>();
  const problems: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const names = issue.keys.map(nameOf).join(', ');
      problems.push(`unknown parameter${issue.keys.length > 1 ? 's' : ''} ${names}`);
      continue;
    }
    const key = issue.path.join('.');
    const prior = byPath.get(key);
    // Of two upper limits the tighter one is the report's own.
    const tighter =
      prior?.code === 'too_big' && issue.code === 'too_big' && Number(issue.maximum) < Number(prior.maximum);
    if (!prior || tighter) byPath.set(key, issue);
  }
  for (const [key, issue] of byPath) {
    const name = key ? nameOf(key) : 'parameters';
    const given = key ? raw[String(issue.path[0])] : undefined;
    const got = typeof given === 'string' || typeof given === 'number' ? `, got ${JSON.stringify(given)}` : '';
    // A required parameter left out failed as zod's "Invalid input" (of the union a list parameter is).
    problems.push(key && given === undefined ? `${name} is required` : `${name} ${wanted(issue)}${got}`);
  }
  const shape = def.parameters instanceof z.ZodObject ? Object.keys(def.parameters.shape) : [];
  return new AppError('BAD_INPUT', `Report ${def.id} got bad parameters: ${problems.join('; ')}`, {
    hint: `Its parameters are ${shape.map(nameOf).join(', ')}; ${describedIn(def.id)} shows what each means`,
    details: { report: def.id, issues: problems },
  });
}

/** What a parameter accepts, from the zod issue it failed with. */
function wanted(issue: z.core.$ZodIssue): string {
  const values = (list: readonly unknown[]) => list.map((v) => String(v)).join(', ');
  switch (issue.code) {
    case 'too_big':
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}`;
    case 'too_small':
      // A list parameter (params.ts stringList) given as an empty list.
      if (issue.origin === 'array') return 'must be a value or a list of at least one';
      return issue.origin === 'number' && Number(issue.minimum) === 0 && !issue.inclusive
        ? 'must be 1 or more'
        : `must be ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}`;
    case 'invalid_type':
      return issue.expected === 'int'
        ? 'must be a whole number'
        : issue.expected === 'number'
          ? 'must be a number'
          : `must be ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${values(issue.values)}`;
    case 'invalid_union': {
      const options = issue.errors.flat().flatMap((e) => (e.code === 'invalid_value' ? e.values : []));
      return options.length ? `must be one of ${values(options)}` : issue.message;
    }
    default:
      return issue.message;
  }
}
