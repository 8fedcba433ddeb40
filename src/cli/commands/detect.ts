import { Option, type Command } from 'commander';
import { join } from 'node:path';
import { AppError } from '../../core/errors.js';
import { parseTimeInput } from '../../core/time.js';
import { ALERTING_FILE, loadAlertingConfig } from '../../detections/alerting-config.js';
import { raiseHits } from '../../detections/alerts/raise.js';
import type { Hit, RuleInfo, RuleProblem } from '../../detections/contract.js';
import { resolveTenantKeys } from '../../search/tenants.js';
import type { Store } from '../../store/contract.js';
import { writeAlerts } from '../alert-output.js';
import type { CliContext } from '../context.js';
import { parseFormat } from '../output.js';
import type { Runner } from '../run.js';

export interface DetectFlags {
  start?: string;
  end?: string;
  tenant?: string[];
  rules?: string[];
  format?: string;
}

export interface RetroRange {
  start: number;
  end: number;
  tenants: string[] | undefined;
  signal: AbortSignal;
}

/** The rule engine as detect uses it: load the rules, run them over stored records, hand back the hits. */
export interface DetectEngine {
  run(
    store: Store,
    ruleDirs: readonly string[],
    range: RetroRange,
  ): Promise<{ rules: RuleInfo[]; problems: RuleProblem[]; hits: Hit[] }>;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function register(program: Command, run: Runner): void {
  program
    .command('detect')
    .description('run the detection rules over stored records and store the alerts they raise')
    .option('--start <time>', 'start of the records to examine: 30d, 2026-11-01 …')
    .option('--end <time>', 'end of the range (exclusive; default now)')
    .option('--tenant <name>', 'tenant name, GUID or import label (repeatable; default all)', collect)
    .option('--rules <dir>', 'a folder or file of Sigma rules besides the built-in pack (repeatable)', collect)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'jsonl']).default('table'))
    .action(run(async (ctx, flags: DetectFlags) => detectCommand(ctx, flags)));
}

/**
 * The one call into the rule engine (built beside this in src/detections by the engine work). Its
 * module names are read at run time so this command builds before the engine lands; the lead replaces
 * these two imports with static ones at merge.
 */
export const engine: DetectEngine = {
  async run(store, ruleDirs, range) {
    const loader = './../../detections/loader.js';
    const retro = './../../detections/retro.js';
    let mods: [Record<string, unknown>, Record<string, unknown>];
    try {
      mods = [(await import(loader)) as Record<string, unknown>, (await import(retro)) as Record<string, unknown>];
    } catch (error) {
      throw new AppError('NOT_IMPLEMENTED', 'The rule engine is not part of this build yet', {
        hint: 'Build with the detections engine (src/detections/loader.ts and retro.ts)',
        cause: error,
      });
    }
    const loadRuleSet = mods[0].loadRuleSet as (o: { paths: readonly string[] }) => {
      rules: { info: RuleInfo }[];
      problems: RuleProblem[];
    };
    const runRetro = mods[1].runRetro as (s: Store, set: unknown, o: RetroRange) => Promise<Hit[] | { hits: Hit[] }>;
    const set = loadRuleSet({ paths: ruleDirs });
    const result = await runRetro(store, set, range);
    return {
      rules: set.rules.map((r) => r.info),
      problems: set.problems,
      hits: Array.isArray(result) ? result : result.hits,
    };
  },
};

/** The rules' metadata by id (for runbooks in `alerts show` and the console); nothing when the engine is absent. */
export async function ruleCatalog(ruleDirs: readonly string[] = []): Promise<(id: string) => RuleInfo | null> {
  const loader = './../../detections/loader.js';
  try {
    const mod = (await import(loader)) as {
      loadRuleSet: (o: { paths: readonly string[] }) => { rules: { info: RuleInfo }[] };
    };
    const byId = new Map(mod.loadRuleSet({ paths: ruleDirs }).rules.map((r) => [r.info.id, r.info]));
    return (id) => byId.get(id) ?? null;
  } catch {
    return () => null;
  }
}

export async function detectCommand(ctx: CliContext, flags: DetectFlags, use: DetectEngine = engine): Promise<number> {
  const format = parseFormat(flags.format);
  if (format === 'csv')
    throw new AppError('USAGE', '--format csv is not offered by detect', { hint: 'Use table, json or jsonl' });
  if (!flags.start)
    throw new AppError('USAGE', 'detect needs --start: how far back to look', {
      hint: 'e.g. tenantwatch detect --start 30d',
    });
  const now = ctx.clock.now();
  const start = parseTimeInput(flags.start, now, '--start');
  const end = flags.end ? parseTimeInput(flags.end, now, '--end') : now;
  if (end <= start)
    throw new AppError('BAD_TIME', '--end must be after --start', { hint: 'e.g. --start 30d --end now' });
  const store = await ctx.store();
  const tenants = flags.tenant?.length ? await resolveTenantKeys(store, flags.tenant) : undefined;
  const config = loadAlertingConfig(join(ctx.locations.dataDir, ALERTING_FILE));
  const result = await use.run(store, flags.rules ?? [], { start, end, tenants, signal: ctx.signal });
  for (const p of result.problems)
    ctx.err.write(
      `tenantwatch: ${p.severity}: ${p.file}${p.line ? `:${p.line}` : ''}${p.rule ? ` (${p.rule})` : ''}: ${p.message}\n`,
    );
  const raised = await raiseHits({ store, clock: ctx.clock, logger: ctx.logger, policy: config.policy }, result.hits);
  const { alerts, ...counts } = raised;
  await writeAlerts(store, alerts, format, ctx.out, {
    summary: { rules: result.rules.length, hits: result.hits.length, ...counts },
  });
  ctx.err.write(
    `${result.rules.length} rules, ${result.hits.length} hits: ${counts.raised} alerts raised, ${counts.counted} counted on existing ones, ` +
      `${counts.duplicates} already known, ${counts.excluded} excluded, ${counts.snoozed} snoozed\n`,
  );
  return 0;
}
