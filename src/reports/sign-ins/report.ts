import { MINUTE, parseDuration } from '../../core/time.js';
import { AppError } from '../../core/errors.js';
import { recordRow } from '../rows.js';
import { commonParams, count } from '../params.js';
import { baseQuery, scan } from '../query.js';
import { splitRead } from '../split.js';
import type { ReportDefinition, ReportRow } from '../types.js';
import { z } from 'zod';
import { findBursts } from './bursts.js';
import { signInParts } from './groups.js';
import { meta } from './meta.js';
import { MFA_OPERATIONS, mfaChange } from './mfa.js';

const parameters = commonParams.extend({
  lookback: z
    .string()
    .max(20)
    .default('30d')
    .describe('how far before the period an address counts as known (e.g. 30d)'),
  burstThreshold: count(10, 'failed sign-ins of one user within the window that make a burst'),
  burstMinutes: count(10, 'the burst window in minutes'),
});

export const SIGN_IN_OPERATIONS = ['UserLoggedIn', 'UserLoginFailed'];

export const signIns: ReportDefinition<typeof parameters> = {
  ...meta,
  parameters,
  // Three kinds of rows (kind): sign-ins per user, address and agent; failure bursts; MFA changes (one record each).
  columns: [
    'tenant',
    'kind',
    'user',
    'clientIp',
    'userAgent',
    'successes',
    'failures',
    'newIp',
    'first',
    'last',
    'time',
    'id',
    'operation',
    'workload',
    'objectId',
    'change',
  ],
  async run(input, deps) {
    const lookback = parseDuration(input.params.lookback);
    if (lookback === null)
      throw new AppError('BAD_INPUT', `lookback "${input.params.lookback}" is not a span`, {
        hint: 'Use a span such as 30d or 2w',
      });
    // Unordered head batches (no AuditData, no sort), in two threads when the period is large.
    const read = await splitRead(
      deps,
      baseQuery(input, { operations: SIGN_IN_OPERATIONS }),
      signInParts(deps),
      deps.split,
    );
    const groups = read.local;
    if (read.remote) groups.merge(read.remote);
    input.addCounted(groups.counted());
    const failures = groups.failed();
    const known = await knownAddresses(input, deps, lookback);
    // An address is new only where the tenant's stored records reach the whole look-back (as first-seen rules:
    // ADR 0037): a tenant collected for a week cannot say an address went unused for 30 days.
    const since = await deps.store.records.oldest(input.tenants);
    const judged = (tenant: string): boolean => (since.get(tenant) ?? Infinity) <= input.period.start - lookback;
    const rows = groups.rowsNewestFirst(
      (tenant, user, ip) => judged(tenant) && !known.has(`${tenant}\u0000${user}\u0000${ip}`),
    );
    const unjudged = [...new Set(rows.map((r) => String(r.tenant)))].filter((t) => !judged(t));
    const names = unjudged.length
      ? new Map((await deps.store.tenants.list()).map((t) => [t.tenantId.toLowerCase(), t.name]))
      : new Map<string, string>();
    const bursts = findBursts(failures, input.params.burstThreshold, input.params.burstMinutes * MINUTE);
    const mfa: ReportRow[] = [];
    for await (const r of scan(
      deps,
      baseQuery(input, { operations: MFA_OPERATIONS, workloads: ['AzureActiveDirectory'] }),
    )) {
      const change = mfaChange(r);
      if (!change) continue;
      input.count(r);
      mfa.push(recordRow(r, { kind: 'mfa', change }));
    }
    const totals = {
      successes: rows.reduce((n, r) => n + r.successes, 0),
      failures: failures.length,
      newIps: rows.filter((r) => r.newIp).length,
      bursts: bursts.length,
      mfaChanges: mfa.length,
      ...(unjudged.length
        ? {
            newIpNotes: historyNotes(unjudged, since, names, input.params.lookback, input.period.start - lookback),
          }
        : {}),
    };
    return { rows: [...mfa, ...bursts, ...rows], totals };
  },
};

/**
 * (tenant, user, ip) seen signing in during the look-back before the period: the distinct combinations
 * counted by the store (a month of sign-ins is ~80,000 records on the bench's million; reading each one
 * took most of the report's time).
 */
async function knownAddresses(
  input: Parameters<typeof signIns.run>[0],
  deps: Parameters<typeof signIns.run>[1],
  lookback: number,
): Promise<Set<string>> {
  const before = { ...input, period: { start: input.period.start - lookback, end: input.period.start } };
  const groups = await deps.store.records.groupCounts(baseQuery(before, { operations: SIGN_IN_OPERATIONS }), [
    'tenant',
    'user',
    'clientIp',
  ]);
  const known = new Set<string>();
  for (const {
    keys: [tenant, user, ip],
  } of groups)
    if (ip) known.add(`${String(tenant)}\u0000${String(user)}\u0000${String(ip)}`);
  return known;
}

/** One note per date the unjudged tenants' records begin on: "contoso, fabrikam: records begin …". */
function historyNotes(
  tenants: readonly string[],
  since: ReadonlyMap<string, number>,
  names: ReadonlyMap<string, string>,
  lookback: string,
  lookbackStart: number,
): string {
  const byDay = new Map<string, string[]>();
  for (const t of tenants) {
    const day = new Date(since.get(t)!).toISOString().slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), names.get(t.toLowerCase()) ?? t]);
  }
  return [...byDay]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([day, who]) =>
        // Not "inside the look-back before the period": records that begin within the period itself are not.
        `${who.sort().join(', ')}: records begin ${day}, after the ${lookback} look-back before the period starts (${new Date(lookbackStart).toISOString().slice(0, 10)}), so no address is called new`,
    )
    .join(' | ');
}
