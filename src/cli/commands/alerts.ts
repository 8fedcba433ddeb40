import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { parseLimit } from '../../core/limits.js';
import { terminalText } from '../../core/terminal.js';
import { parseDuration, parseIsoUtc } from '../../core/time.js';
import {
  alertOrFail,
  findAlert,
  changeStatus,
  excludeFromAlert,
  parseStatus,
  requireKnownRule,
  snoozeAlert,
} from '../../detections/alerts/actions.js';
import { newExclusion } from '../../detections/alerts/exclusions.js';
import { alertView, parseSeverity } from '../../detections/alerts/view.js';
import { alertDetail } from '../../detections/alerts/detail.js';
import { alertKeys, resolveTenantKeys } from '../../search/tenants.js';
import { writeAlerts } from '../alert-output.js';
import type { AlertExclusion, Store } from '../../store/contract.js';
import type { CliContext } from '../context.js';
import { countOf, formatOption, noteIfEmpty, parseFormat, writeListing, type ListingColumn } from '../output.js';
import type { Runner } from '../run.js';
import { printDetail } from './alerts-show.js';
import { firstSeenLookBacks, historyWaits, type FirstSeenLookBack } from '../../detections/history-wait.js';
import { loadRuleSet } from '../../detections/loader.js';
import { alertingConfigOf } from '../live-detections.js';
import { requireRulePaths, ruleCatalog } from './detect.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
const split = (list: string[] | undefined): string[] =>
  (list ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
const actor = (by: string | undefined): string => by?.trim() || userInfo().username || 'unknown';

export interface ListFlags {
  status?: string[];
  tenant?: string[];
  rule?: string[];
  severity?: string[];
  snoozed?: boolean;
  limit?: string;
  format?: string;
}

/** `tenantwatch alerts list|show|ack|resolve|exclude|exclusions|snooze`: the alerts detections raised. */
export function register(program: Command, run: Runner): void {
  const alerts = program.command('alerts').description('alerts raised by the detection rules: list, show, act on them');
  alerts
    .command('list')
    .description('stored alerts, newest last hit first (snoozed ones only with --snoozed)')
    .option('--status <status>', 'new, acknowledged, resolved, false_positive (repeatable)', collect)
    .option('--tenant <name>', 'tenant name or GUID (repeatable)', collect)
    .option('--rule <id>', 'rule id (repeatable)', collect)
    .option('--severity <level>', 'informational, low, medium, high, critical (repeatable)', collect)
    .option('--snoozed', 'include alerts that are snoozed now')
    .option('--limit <n>', 'at most N alerts')
    .addOption(formatOption())
    .action(run(async (ctx, flags: ListFlags) => listCommand(ctx, flags)));
  alerts
    .command('show')
    .description('one alert: its facts, history, the records behind it and the rule runbook')
    .argument('<id>', 'alert id (al_…)')
    .addOption(formatOption(['table', 'json']))
    .action(run(async (ctx, id: string, flags: { format?: string }) => showCommand(ctx, id, flags)));
  alerts
    .command('ack')
    .description('acknowledge an alert: someone is looking at it')
    .argument('<id>', 'alert id')
    .option('--note <text>', 'a note for the history')
    .option('--by <name>', 'who (default: the user running the command)')
    .action(
      run(async (ctx, id: string, f: { note?: string; by?: string }) => statusCommand(ctx, id, 'acknowledged', f)),
    );
  alerts
    .command('resolve')
    .description('close an alert as dealt with (or with --false-positive as not a real incident)')
    .argument('<id>', 'alert id')
    .option('--false-positive', 'the alert was not a real incident')
    .option('--note <text>', 'a note for the history')
    .option('--by <name>', 'who (default: the user running the command)')
    .action(
      run(async (ctx, id: string, f: { falsePositive?: boolean; note?: string; by?: string }) =>
        statusCommand(ctx, id, f.falsePositive ? 'false_positive' : 'resolved', f),
      ),
    );
  alerts
    .command('exclude')
    .description("stop raising an alert's rule for a user, address/CIDR or application (of its tenant, or all)")
    .argument('[id]', 'alert id whose rule and tenant the exclusion is for (or give --rule and --tenant)')
    .option('--user <upn>', 'exclude this user')
    .option('--address <ip|cidr>', 'exclude this address or block')
    .option('--application <id|name>', 'exclude this application')
    .option('--reason <text>', 'why these hits are expected (required)')
    .option('--rule <id>', 'rule id, or * for every rule (without an alert id)')
    .option('--tenant <name>', 'tenant, or * for every tenant (without an alert id)')
    .option(
      '--rules <dir>',
      'a folder or file of Sigma rules whose ids --rule may name, besides the pack and alerting.yaml ruleFolders (repeatable)',
      collect,
    )
    .option('--all-tenants', 'with an alert id: for every tenant, not only the alert’s')
    .option('--by <name>', 'who (default: the user running the command)')
    .action(run(async (ctx, id: string | undefined, f: ExcludeFlags) => excludeCommand(ctx, id, f)));
  alerts
    .command('exclusions')
    .description('the exclusions, with how many hits each kept back; --remove ID deletes one')
    .option('--remove <id>', 'remove this exclusion')
    .addOption(formatOption())
    .action(run(async (ctx, f: { remove?: string; format?: string }) => exclusionsCommand(ctx, f)));
  alerts
    .command('snooze')
    .description('hide an alert and keep further hits of its rule, tenant and group silent until a time')
    .argument('<id>', 'alert id')
    .requiredOption('--until <time>', 'a span from now (4h, 2d) or a date-time (2026-12-01T08:00Z)')
    .option('--reason <text>', 'why')
    .option('--by <name>', 'who (default: the user running the command)')
    .action(
      run(async (ctx, id: string, f: { until: string; reason?: string; by?: string }) => snoozeCommand(ctx, id, f)),
    );
}

export async function listCommand(ctx: CliContext, flags: ListFlags): Promise<number> {
  const format = parseFormat(flags.format);
  const store = await ctx.store('read');
  const limit =
    flags.limit === undefined
      ? undefined
      : parseLimit(flags.limit, { what: '--limit', hint: 'Give --limit 50 to list the newest 50 alerts' });
  // As the API's GET /api/alerts?tenant= resolves them (search/tenants.ts), alerts whose records are gone included.
  const tenants = flags.tenant?.length
    ? await resolveTenantKeys(store, split(flags.tenant), alertKeys(store))
    : undefined;
  const statuses = split(flags.status).map(parseStatus);
  const severities = split(flags.severity).map(parseSeverity);
  const rules = split(flags.rule);
  const rows = await store.alerts.list({
    ...(tenants ? { tenants } : {}),
    ...(statuses.length ? { statuses } : {}),
    ...(severities.length ? { severities } : {}),
    ...(rules.length ? { ruleIds: rules } : {}),
    ...(flags.snoozed ? {} : { visibleAt: ctx.clock.now() }),
    ...(limit ? { limit } : {}),
  });
  await writeAlerts(store, rows, format, ctx.out);
  noteIfEmpty(
    ctx.err,
    format,
    rows.length,
    tenants || statuses.length || severities.length || rules.length
      ? `no alert matches these filters${flags.snoozed ? '' : ' (snoozed ones are shown with --snoozed)'}`
      : 'no alert to show: the rules raise them as records are collected or imported; tenantwatch detect --start 30d runs them over stored records',
  );
  for (const line of await historyWaitLines(ctx, store, tenants)) ctx.err.write(line);
  return 0;
}

/**
 * A note per first-seen rule still waiting for some tenants' history (ADR 0037), so that no new-address alert
 * is not read as no new address. The console's Alerts page says the same.
 */
async function historyWaitLines(ctx: CliContext, store: Store, tenants: string[] | undefined): Promise<string[]> {
  let rules: FirstSeenLookBack[];
  try {
    rules = firstSeenLookBacks(loadRuleSet({ paths: alertingConfigOf(ctx).ruleFolders }));
  } catch {
    return []; // a broken alerting.yaml is reported where it is used (collect, serve, detect)
  }
  const waits = await historyWaits(store, rules, tenants, ctx.clock.now());
  return waits.map((w) => {
    // The tenants (by name already), grouped by the day the rule stops waiting for them.
    const groups = new Map<string, string[]>();
    for (const { name, until } of w.tenants) {
      const when = until === null ? 'no records yet' : `until ${new Date(until).toISOString().slice(0, 10)}`;
      groups.set(when, [...(groups.get(when) ?? []), name]);
    }
    const who = [...groups].map(([when, list]) => `${list.join(', ')} (${when})`).join('; ');
    return (
      terminalText(
        `tenantwatch: note: "${w.title}" looks back ${countOf(w.days, 'day')} and calls nothing new until a tenant's records reach that far: ${who}`,
      ) + '\n'
    );
  });
}

/**
 * The id to act on: the one given, or, when `optimize --rekey` moved its alert to another id (ADR 0039, the merge,
 * point 5; the old id was sent to channels and written in tickets), the alert's id now, said on stderr.
 */
async function currentId(ctx: CliContext, store: Pick<Store, 'alerts'>, id: string): Promise<string> {
  const found = await findAlert(store, id);
  if (!found?.movedFrom) return id;
  ctx.err.write(terminalText(`tenantwatch: note: ${id} is now ${found.alert.id} (merged by optimize --rekey)`) + '\n');
  return found.alert.id;
}

async function showCommand(ctx: CliContext, given: string, flags: { format?: string }): Promise<number> {
  const format = parseFormat(flags.format, ['table', 'json']);
  const store = await ctx.store('read');
  const id = await currentId(ctx, store, given);
  const detail = await alertDetail(store, await alertOrFail(store, id), await ruleCatalog());
  if (format === 'json') ctx.out.write(JSON.stringify(detail, null, 2) + '\n');
  else printDetail(ctx.out, detail, (await store.tenants.get(detail.alert.tenant))?.name);
  return 0;
}

async function statusCommand(
  ctx: CliContext,
  given: string,
  to: 'acknowledged' | 'resolved' | 'false_positive',
  f: { note?: string; by?: string },
): Promise<number> {
  const store = await ctx.store('read');
  const id = await currentId(ctx, store, given);
  const alert = await changeStatus({ store, clock: ctx.clock, logger: ctx.logger }, id, to, actor(f.by), f.note);
  ctx.out.write(
    terminalText(`${alert.id}: ${alert.status.replace('_', ' ')} (by ${alert.statusBy ?? 'nobody'})`) + '\n',
  );
  return 0;
}

interface ExcludeFlags {
  user?: string;
  address?: string;
  application?: string;
  reason?: string;
  rule?: string;
  tenant?: string;
  rules?: string[];
  allTenants?: boolean;
  by?: string;
}

async function excludeCommand(ctx: CliContext, id: string | undefined, f: ExcludeFlags): Promise<number> {
  const given = (['user', 'address', 'application'] as const).filter((k) => f[k] !== undefined);
  if (given.length !== 1)
    throw new AppError('USAGE', 'Give exactly one of --user, --address or --application', {
      hint: 'e.g. tenantwatch alerts exclude al_… --user svc-backup@contoso.com --reason "nightly backup"',
    });
  if (!f.reason?.trim())
    throw new AppError('USAGE', 'An exclusion needs --reason', { hint: 'Say why these hits are expected' });
  const kind = given[0]!;
  const input = { kind, value: f[kind]!, reason: f.reason, author: actor(f.by) };
  const store = await ctx.store();
  const deps = { store, clock: ctx.clock, logger: ctx.logger };
  // With an alert id its rule and tenant are taken: a --rule * or --tenant * beside it was dropped without a word.
  if (id && (f.rule !== undefined || f.tenant !== undefined))
    throw new AppError('USAGE', '--rule and --tenant are for an exclusion without an alert id', {
      hint: `With ${id.slice(0, 40)} the exclusion is for its rule and tenant (--all-tenants: every tenant); for other rules, leave out the alert id and give --rule and --tenant (* for every one)`,
    });
  let exclusion;
  if (id)
    exclusion = await excludeFromAlert(deps, await currentId(ctx, store, id), {
      ...input,
      ...(f.allTenants ? { allTenants: true } : {}),
    });
  else {
    if (!f.rule || !f.tenant)
      throw new AppError('USAGE', 'Without an alert id, give --rule and --tenant (* for every one)', {
        hint: 'e.g. --rule * --tenant contoso',
      });
    const tenant = f.tenant === '*' ? '*' : (await resolveTenantKeys(store, [f.tenant]))[0]!;
    await requireKnownRule(store, f.rule, knownRuleIds(ctx, f.rules ?? []));
    exclusion = newExclusion({ ...input, ruleId: f.rule, tenant }, ctx.clock.now());
    await store.alerts.addExclusion(exclusion);
  }
  ctx.out.write(
    terminalText(
      `${exclusion.id}: ${exclusion.kind} ${exclusion.value} excluded from rule ${exclusion.ruleId} for tenant ${exclusion.tenant}`,
    ) + '\n',
  );
  return 0;
}

/** The ids of the rules detections run (the pack, alerting.yaml's ruleFolders) and of any --rules given. */
function knownRuleIds(ctx: CliContext, extra: readonly string[]): Set<string> {
  const folders = alertingConfigOf(ctx).ruleFolders;
  requireRulePaths(extra, '--rules');
  return new Set(loadRuleSet({ paths: [...folders, ...extra] }).rules.map((r) => r.info.id));
}

async function exclusionsCommand(ctx: CliContext, f: { remove?: string; format?: string }): Promise<number> {
  const store = await ctx.store('read');
  if (f.remove) {
    if (!(await store.alerts.removeExclusion(f.remove)))
      throw new AppError('NOT_FOUND', `No exclusion has the id "${f.remove.slice(0, 100)}"`, {
        hint: 'tenantwatch alerts exclusions lists them',
      });
    ctx.out.write(terminalText(`${f.remove}: removed`) + '\n');
    return 0;
  }
  const rows = await store.alerts.listExclusions();
  const format = parseFormat(f.format);
  // Times as ISO text in every format: json printed milliseconds where jsonl and csv print dates.
  if (format === 'json')
    ctx.out.write(JSON.stringify({ count: rows.length, exclusions: rows.map(exclusionRow) }, null, 2) + '\n');
  // A listing takes jsonl and csv too (README: every listing takes --format table|json|jsonl|csv).
  else if (format !== 'table') await writeListing(format, EXCLUSION_COLUMNS, rows.map(exclusionRow), ctx.out);
  else if (rows.length === 0)
    noteIfEmpty(
      ctx.err,
      format,
      0,
      'no exclusions: make one with tenantwatch alerts exclude ALERT-ID --user|--address|--application VALUE --reason TEXT',
    );
  else
    for (const e of rows)
      ctx.out.write(
        terminalText(
          `${e.id}  ${e.kind} ${e.value}  rule ${e.ruleId}  tenant ${e.tenant}  ${countOf(e.hits, 'hit')} kept back  by ${e.author}: ${e.reason}`,
        ) + '\n',
      );
  return 0;
}

const EXCLUSION_COLUMNS: ListingColumn[] = [
  'id',
  'kind',
  'value',
  'ruleId',
  'tenant',
  'hits',
  'lastHitAt',
  'author',
  'reason',
  'createdAt',
].map((key) => ({ key, title: key }));

function exclusionRow(e: AlertExclusion): Record<string, unknown> {
  const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
  return { ...e, createdAt: iso(e.createdAt), lastHitAt: iso(e.lastHitAt) };
}

/** A snooze ends at a span from now (`4h`) or at a given time: unlike search's `--start 7d`, not in the past. */
export function snoozeEnd(text: string, now: number): number {
  const span = parseDuration(text, '--until', true);
  const until = span !== null ? now + span : parseIsoUtc(text.trim());
  if (until === null || until <= now)
    throw new AppError('BAD_TIME', `--until ${text.slice(0, 40)} is not a time in the future`, {
      hint: 'Use a span from now such as 4h or 2d, or a date-time such as 2026-12-01T08:00Z',
    });
  return until;
}

async function snoozeCommand(
  ctx: CliContext,
  id: string,
  f: { until: string; reason?: string; by?: string },
): Promise<number> {
  const store = await ctx.store('read');
  const until = snoozeEnd(f.until, ctx.clock.now());
  const alert = await snoozeAlert(
    { store, clock: ctx.clock, logger: ctx.logger },
    await currentId(ctx, store, id),
    until,
    actor(f.by),
    f.reason ?? '',
  );
  ctx.out.write(`${alert.id}: snoozed until ${alertView(alert).snoozedUntil}\n`);
  return 0;
}
