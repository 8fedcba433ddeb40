import { z } from 'zod';
import { AppError } from '../core/errors.js';
import { parseTimeInput, toIsoSeconds, type TimeRange } from '../core/time.js';
import type { CommonParams } from './params.js';
import { SummaryTally } from './summary.js';
import type { ReportDefinition, ReportDeps, ReportResult, ReportStore } from './types.js';

/**
 * Runs one report: validates the raw parameters against its schema (BAD_INPUT naming each bad
 * parameter), resolves the period and tenant names, runs it, and builds the summary.
 */
export async function executeReport(def: ReportDefinition, raw: Record<string, unknown>, deps: ReportDeps): Promise<ReportResult> {
  const parsed = def.parameters.safeParse(raw);
  if (!parsed.success) throw badParams(def, parsed.error);
  const params = parsed.data as CommonParams & Record<string, unknown>;
  const period = resolvePeriod(params.start, params.end, deps.clock.now());
  const tenants = params.tenant ? await resolveTenants(deps.store, params.tenant) : undefined;
  const tally = new SummaryTally();
  const started = deps.clock.now();
  const out = await def.run({ params, period, tenants, count: (r) => tally.count(r) }, deps);
  deps.logger?.info({ report: def.id, rows: out.rows.length, ms: deps.clock.now() - started }, 'report run');
  return {
    report: def.id,
    parameters: { ...params, start: toIsoSeconds(period.start), end: toIsoSeconds(period.end), ...(tenants ? { tenant: tenants } : {}) },
    summary: tally.summary(out.rows.length, out.totals),
    rows: out.rows,
  };
}

function badParams(def: ReportDefinition, error: z.ZodError): AppError {
  const problems = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    const name = issue.path.length ? issue.path.join('.') : 'parameters';
    return `${name}: ${issue.message}`;
  });
  const shape = def.parameters instanceof z.ZodObject ? Object.keys(def.parameters.shape) : [];
  return new AppError('BAD_INPUT', `Report ${def.id} got bad parameters (${problems.join('; ')})`, {
    hint: `Its parameters are ${shape.join(', ')}; tenantwatch report list shows what each means`,
    details: { report: def.id, issues: problems },
  });
}

/** [start, end) from what a person typed; an empty or reversed period is a mistake, not "no rows". */
export function resolvePeriod(start: string, end: string, now: number): TimeRange {
  const range = { start: parseTimeInput(start, now, 'period start'), end: parseTimeInput(end, now, 'period end') };
  if (range.end <= range.start) {
    throw new AppError('BAD_TIME', `The period ends (${toIsoSeconds(range.end)}) before it starts (${toIsoSeconds(range.start)})`, {
      hint: 'Give an end after the start, e.g. --start 7d --end now',
    });
  }
  return range;
}

/** Tenant names become their GUIDs; a key that is not registered stays as it is (imported records). */
async function resolveTenants(store: ReportStore, names: string[]): Promise<string[]> {
  const keys = new Set<string>();
  for (const name of names) {
    const row = await store.tenants.get(name);
    keys.add(row ? row.tenantId : name);
  }
  return [...keys];
}
