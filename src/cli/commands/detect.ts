import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { DAY, parseTimeInput } from '../../core/time.js';
import type { AlertingConfig } from '../../detections/alerting-config.js';
import { alertingConfigOf } from '../live-detections.js';
import { raiseHits } from '../../detections/alerts/raise.js';
import type { Hit, RuleInfo, RuleProblem } from '../../detections/contract.js';
import { ruleFaultLogger, type RecordFault } from '../../detections/evaluator.js';
import { loadRuleSet, missingRulePaths } from '../../detections/loader.js';
import { runRetro } from '../../detections/retro.js';
import type { RecordRule, RuleSet } from '../../detections/types.js';
import { deliverDue, type DeliverSummary } from '../../detections/routing.js';
import { resolveTenantKeys } from '../../search/tenants.js';
import type { Store } from '../../store/contract.js';
import { problemLine, writeAlerts } from '../alert-output.js';
import { alertRouting } from '../alert-routing.js';
import type { CliContext } from '../context.js';
import { countOf, formatOption, parseFormat } from '../output.js';
import type { Runner } from '../run.js';

export interface DetectFlags {
  start?: string;
  end?: string;
  tenant?: string[];
  rules?: string[];
  format?: string;
  /** false with --no-deliver: store the alerts without sending them (they stay due). */
  deliver?: boolean;
}

export interface RetroRange {
  start: number;
  end: number;
  tenants: string[] | undefined;
  signal: AbortSignal;
  /** Told of a rule that failed on a record (passed over: the run goes on). */
  onFault?: (fault: RecordFault) => void;
}

/** The rule engine as detect uses it: load the rules, run them over stored records, hand back the hits. */
export interface DetectEngine {
  run(
    store: Store,
    ruleDirs: readonly string[],
    range: RetroRange,
  ): Promise<{
    rules: RuleInfo[];
    problems: RuleProblem[];
    hits: Hit[];
    /** First-seen rules' values not called new because the stored history is shorter than the look-back. */
    withheld?: { rule: RecordRule; values: number }[];
  }>;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function register(program: Command, run: Runner): void {
  program
    .command('detect')
    .description('run the detection rules over stored records and store the alerts they raise')
    .option('--start <time>', 'start of the records to examine: 30d, 2026-11-01 …')
    .option('--end <time>', 'end of the range (exclusive; default now)')
    .option('--tenant <name>', 'tenant name, GUID or import label (repeatable; default all)', collect)
    .option(
      '--rules <dir>',
      'a folder or file of Sigma rules besides the built-in pack and the ruleFolders of alerting.yaml (repeatable)',
      collect,
    )
    .option('--no-deliver', 'store the alerts without sending them to their routes (the next live pass sends them)')
    .addOption(formatOption())
    .action(run(async (ctx, flags: DetectFlags) => detectCommand(ctx, flags)));
}

/** The one call into the rule engine: load the rules, run them over the stored records. */
export const engine: DetectEngine = {
  async run(store, ruleDirs, range) {
    const set = loadRuleSet({ paths: ruleDirs });
    let withheld: { rule: RecordRule; values: number }[] = [];
    const hits = await runRetro(store, set, { ...range, onWithheld: (list) => (withheld = list) });
    return { rules: set.rules.map((r) => r.info), problems: set.problems, hits, withheld };
  },
};

/** The rules' metadata by id (for runbooks in `alerts show` and the console). */
export async function ruleCatalog(ruleDirs: readonly string[] = []): Promise<(id: string) => RuleInfo | null> {
  return Promise.resolve(ruleLookup(loadRuleSet({ paths: ruleDirs })));
}

/** A loaded rule set's metadata by id. */
export function ruleLookup(set: RuleSet): (id: string) => RuleInfo | null {
  const byId = new Map(set.rules.map((r) => [r.info.id, r.info]));
  return (id: string) => byId.get(id) ?? null;
}

export async function detectCommand(ctx: CliContext, flags: DetectFlags, use: DetectEngine = engine): Promise<number> {
  const format = parseFormat(flags.format);
  if (!flags.start)
    throw new AppError('USAGE', 'detect needs --start: how far back to look', {
      hint: 'e.g. tenantwatch detect --start 30d',
    });
  const now = ctx.clock.now();
  const start = parseTimeInput(flags.start, now, '--start');
  const end = flags.end ? parseTimeInput(flags.end, now, '--end') : now;
  if (end <= start)
    throw new AppError('BAD_TIME', '--end must be after --start', { hint: 'e.g. --start 30d --end now' });
  const config = alertingConfigOf(ctx);
  requireRulePaths(config.ruleFolders, 'alerting.yaml ruleFolders');
  requireRulePaths(flags.rules ?? [], '--rules');
  const store = await ctx.store('read');
  const tenants = flags.tenant?.length ? await resolveTenantKeys(store, flags.tenant) : undefined;
  // The folders of alerting.yaml, as live detections use them, and any --rules besides.
  const ruleDirs = [...config.ruleFolders, ...(flags.rules ?? [])];
  const result = await use.run(store, ruleDirs, {
    start,
    end,
    tenants,
    signal: ctx.signal,
    onFault: ruleFaultLogger(ctx.logger),
  });
  for (const p of result.problems) ctx.err.write(problemLine(p));
  for (const w of result.withheld ?? []) ctx.err.write(withheldLine(w.rule, w.values));
  const deps = { store, clock: ctx.clock, logger: ctx.logger, policy: config.policy };
  const raised = await raiseHits(deps, result.hits);
  const { alerts, ...counts } = raised;
  // The alerts raised go where routes send them, as live ones do (at least once: what fails stays due).
  const delivery = flags.deliver === false ? null : await deliver(ctx, store, config, { ...deps, rulesDirs: ruleDirs });
  await writeAlerts(store, alerts, format, ctx.out, {
    summary: { rules: result.rules.length, hits: result.hits.length, ...counts, delivery },
  });
  ctx.err.write(
    `${countOf(result.rules.length, 'rule')}, ${countOf(result.hits.length, 'hit')}: ${countOf(counts.raised, 'alert')} raised, ${counts.counted} counted on existing ones, ` +
      `${counts.duplicates} already known, ${counts.excluded} excluded, ${counts.snoozed} snoozed` +
      deliveryLine(delivery) +
      '\n',
  );
  return 0;
}

async function deliver(
  ctx: CliContext,
  store: Store,
  config: AlertingConfig,
  deps: { clock: CliContext['clock']; logger: CliContext['logger']; rulesDirs: string[] },
): Promise<DeliverSummary> {
  const routing = await alertRouting(ctx, store, config, loadRuleSet({ paths: deps.rulesDirs }));
  try {
    return await deliverDue(
      { store, clock: deps.clock, logger: deps.logger, routing: routing.config, channels: routing.channels },
      { signal: ctx.signal },
    );
  } finally {
    await routing.close();
  }
}

/**
 * Refuses rule paths that do not exist before anything runs: run without them, a scheduled detect would
 * exit 0 having skipped a whole folder of rules, and nobody would notice.
 */
export function requireRulePaths(paths: readonly string[], where: string): void {
  const missing = missingRulePaths(paths);
  if (missing.length)
    throw new AppError('FILE_NOT_FOUND', `${where}: ${missing.join(', ')}: no such file or folder`, {
      hint: 'Give an existing folder or file of Sigma rules (*.yml, *.yaml), or leave the path out',
    });
}

/** Why a first-seen rule found nothing new where values were unseen: the history is shorter than its look-back. */
export function withheldLine(rule: RecordRule, values: number): string {
  return `tenantwatch: note: "${rule.info.title}": ${countOf(values, 'value')} seen for the first time ${values === 1 ? 'was' : 'were'} not called new: the records do not reach its ${rule.firstSeen!.window / DAY}-day look-back before them (a first-seen rule needs that much history; docs/ALERTS.md)\n`;
}

/** What routing did, for the summary line: an alert another process was sending is neither delivered nor failed. */
function deliveryLine(d: DeliverSummary | null): string {
  if (!d || !(d.delivered || d.failed || d.claimedElsewhere)) return '';
  const elsewhere = d.claimedElsewhere ? `, ${d.claimedElsewhere} being sent by another process` : '';
  return `; ${d.delivered} delivered, ${d.failed} not delivered (offered again next time)${elsewhere}`;
}
