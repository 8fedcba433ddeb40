import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { AppError } from '../core/errors.js';
import { parseDuration } from '../core/time.js';
import { alertPolicy, DEFAULT_SUPPRESS_MS, type AlertPolicy } from './alerts/raise.js';
import { SEVERITIES } from './alerts/view.js';
import { NO_ROUTES, type RoutingConfig } from './routing.js';

/**
 * The alerting file (`alerting.yaml` in the data folder): whether rules run live, the user's rule
 * folders, suppression windows per rule and routes. Absent means the defaults (live on, the built-in
 * pack only, 24 h windows, no routes). docs/ALERTS.md shows an example.
 */
export const ALERTING_FILE = 'alerting.yaml';

const span = z.string().refine((s) => positiveSpan(s), 'a span such as 1h, 24h or 7d (at most 36500d)');

/** True for a span above zero; a span too long to be one (parseDuration refuses it) is simply not valid here. */
function positiveSpan(text: string): boolean {
  try {
    return (parseDuration(text) ?? 0) > 0;
  } catch {
    return false;
  }
}
const schema = z
  .object({
    live: z.boolean().optional(),
    ruleFolders: z.array(z.string().min(1)).optional(),
    suppress: z
      .object({ default: span.optional(), rules: z.record(z.string(), span).optional() })
      .strict()
      .optional(),
    tenantGroups: z.record(z.string(), z.array(z.string())).optional(),
    routes: z
      .array(
        z
          .object({
            channel: z.string().min(1),
            rules: z.array(z.string()).optional(),
            minSeverity: z.enum(SEVERITIES as [string, ...string[]]).optional(),
            tenants: z.array(z.string()).optional(),
            tenantGroups: z.array(z.string()).optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export interface AlertingConfig {
  /** Whether collect, import and history fills run the rules on what they stored (default true). */
  live: boolean;
  /** Sigma rule folders or files besides the built-in pack, resolved against the file's folder. */
  ruleFolders: string[];
  policy: AlertPolicy;
  routing: RoutingConfig;
}

export function parseAlertingConfig(text: string, file: string): AlertingConfig {
  let data: unknown;
  try {
    data = parse(text) ?? {};
  } catch (error) {
    throw new AppError('CONFIG_INVALID', `${file} is not valid YAML: ${(error as Error).message}`, {
      hint: 'Fix the file (docs/ALERTS.md has an example) or remove it to use the defaults',
    });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('CONFIG_INVALID', `${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}`, {
      hint: 'Fix the file (docs/ALERTS.md has an example) or remove it to use the defaults',
    });
  }
  const c = parsed.data;
  const groups = c.tenantGroups ?? {};
  for (const route of c.routes ?? [])
    for (const g of route.tenantGroups ?? [])
      if (!groups[g])
        throw new AppError(
          'CONFIG_INVALID',
          `${file}: a route to ${route.channel} names the tenant group "${g}", which is not defined`,
          {
            hint: 'Define it under tenantGroups, or fix the name',
          },
        );
  const perRule = Object.fromEntries(Object.entries(c.suppress?.rules ?? {}).map(([id, s]) => [id, parseDuration(s)!]));
  const defaultMs = c.suppress?.default ? parseDuration(c.suppress.default)! : DEFAULT_SUPPRESS_MS;
  return {
    live: c.live ?? true,
    ruleFolders: (c.ruleFolders ?? []).map((f) => resolve(dirname(file), f)),
    policy: alertPolicy(perRule, defaultMs),
    // A sink's name is kept in lower case (`sink add SOC-Hook` makes soc-hook): a route written as the sink was added
    // named no channel, and every alert routed only to it was marked handled, never sent.
    routing: {
      routes: (c.routes ?? []).map((r) => ({
        ...r,
        channel: r.channel.trim().toLowerCase(),
      })) as RoutingConfig['routes'],
      tenantGroups: groups,
    },
  };
}

/** Reads the alerting file when it exists; the defaults otherwise. */
export function loadAlertingConfig(path: string): AlertingConfig {
  if (!existsSync(path)) return { live: true, ruleFolders: [], policy: alertPolicy(), routing: NO_ROUTES };
  return parseAlertingConfig(readFileSync(path, 'utf8'), path);
}
