import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { terminalText } from '../../core/terminal.js';
import { ALERT_IDENTITY } from '../../detections/alerts/raise.js';
import type { AlertRename, RekeyResult, Store } from '../../store/contract.js';
import type { CliContext } from '../context.js';
import { countOf, formatOption, parseFormat } from '../output.js';
import type { Runner } from '../run.js';

interface OptimizeFlags {
  textIndex?: boolean;
  rekey?: boolean;
  dryRun?: boolean;
  format?: string;
}

/**
 * What `--rekey` did (or, with --dry-run, would do): the records' merge and the alerts that name them. `alerts`: alerts
 * rewritten; `alertIds`: those whose id changed, old → new (the old id still names the alert: AlertStore.movedTo), so
 * a ticket or a SIEM holding an old id can be mapped.
 */
type RekeyReport = RekeyResult & { alerts: number; alertIds: AlertRename[] };

/**
 * Exposes the store's optional maintenance: refreshing planner statistics (after a large import or a
 * long collection) and building or dropping the substring index (ADR 0033), which turns a rare-word or
 * object search over a million records from seconds into milliseconds; once built it is kept as records
 * arrive, and building again only catches up. Results never change with or without the index. `--rekey` first
 * merges what versions before ADR 0039 stored under an upper-case GUID tenant or Id into the lower-case key
 * (store/rekey.ts); `--dry-run` only says what it would change.
 */
export function register(program: Command, run: Runner): void {
  // Both flags set the one value textIndex (the last wins): which were typed is seen as commander parses them.
  const typed = new Set<string>();
  program
    .command('optimize')
    .description(
      'refresh query statistics; --text-index builds the substring index (fast --free-text and --object), --no-text-index drops it; --rekey merges records an earlier version keyed under an upper-case GUID',
    )
    .option('--text-index', 'build the substring index, or bring it up to date')
    .option('--no-text-index', 'drop the substring index')
    .option(
      '--rekey',
      'first move records stored under an upper-case GUID tenant or Id to the lower-case key, one record per key (and their alerts)',
    )
    .option('--dry-run', 'with --rekey: only say what it would change; nothing else is done')
    .addOption(formatOption(['table', 'json']))
    .on('option:text-index', () => typed.add('--text-index'))
    .on('option:no-text-index', () => typed.add('--no-text-index'))
    .action(
      run(async (ctx: CliContext, flags: OptimizeFlags, command: Command) => {
        if (typed.size > 1)
          throw new AppError('USAGE', '--text-index and --no-text-index say opposite things', {
            hint: 'Give --text-index to build the substring index, or --no-text-index to drop it, not both',
          });
        if (flags.dryRun && !flags.rekey)
          throw new AppError('USAGE', '--dry-run says what --rekey would change, and --rekey is not given', {
            hint: 'Run tenantwatch optimize --rekey --dry-run',
          });
        if (flags.dryRun && typed.size > 0)
          throw new AppError(
            'USAGE',
            `--dry-run only counts what --rekey would change; ${[...typed][0]} would change the store`,
            {
              hint: `Run tenantwatch optimize --rekey --dry-run first, then without --dry-run (with ${[...typed][0]})`,
            },
          );
        return optimize(ctx, flags, command.getOptionValueSource('textIndex') === 'cli');
      }),
    );
}

/** `given`: --text-index or --no-text-index was typed (commander defaults the value to true otherwise). */
async function optimize(ctx: CliContext, flags: OptimizeFlags, given: boolean): Promise<number> {
  const format = parseFormat(flags.format, ['table', 'json']);
  const store = await ctx.store('read');
  if (!store.records.optimize) {
    throw new AppError('NOT_IMPLEMENTED', `The ${store.kind} store has no optimize step`, {
      hint: 'Nothing to do: this store keeps its statistics itself',
    });
  }
  const rekey = flags.rekey ? await rekeyStore(ctx, store, flags.dryRun === true) : undefined;
  if (rekey?.dryRun) {
    if (format === 'json') ctx.out.write(JSON.stringify({ rekey }) + '\n');
    else ctx.out.write(rekeyLines(rekey));
    return 0;
  }
  const result = await store.records.optimize(given ? { textIndex: flags.textIndex !== false } : {});
  if (format === 'json') ctx.out.write(JSON.stringify(rekey ? { ...result, rekey } : result) + '\n');
  else {
    if (rekey) ctx.out.write(rekeyLines(rekey));
    ctx.out.write(`statistics refreshed in ${(result.analyzeMs / 1000).toFixed(1)} s\n`);
    ctx.out.write(
      `free-text index: ${result.textIndex ? 'built' : 'none'}${given ? ` (${(result.textIndexMs / 1000).toFixed(1)} s)` : ''}\n`,
    );
  }
  return 0;
}

/** The records' merge, then the alerts' (each finished on its own: a run stopped between them is run again). */
async function rekeyStore(ctx: CliContext, store: Store, dryRun: boolean): Promise<RekeyReport> {
  if (!store.records.rekey)
    throw new AppError('NOT_IMPLEMENTED', `The ${store.kind} store has no merge of GUID keys`, {
      hint: 'Nothing to do: this store keys every GUID in lower case',
    });
  const records = await store.records.rekey({ dryRun, signal: ctx.signal });
  const alerts = await store.alerts.rekey(ALERT_IDENTITY, { dryRun });
  return { ...records, alerts: alerts.changed, alertIds: alerts.renamed };
}

function rekeyLines(r: RekeyReport): string {
  const [move, merge, tenants, alerts, ids] = r.dryRun
    ? [
        'would move',
        'would merge',
        'tenant keys that would move',
        'alerts that would name',
        'alert ids that would change',
      ]
    : ['moved', 'merged', 'tenant keys moved', 'alerts now naming', 'alert ids changed'];
  const lines = [
    ...(r.dryRun ? ['dry run: nothing was changed'] : []),
    `GUID keys: ${countOf(r.scanned, 'record key')} read`,
    `  ${move} to the lower-case key: ${countOf(r.rekeyed, 'record')}`,
    `  ${merge} into the record stored first: ${countOf(r.duplicates, 'duplicate')}, ${countOf(r.conflicts, 'conflict')}` +
      (r.conflicts ? ' (their content kept as conflicts of that record)' : ''),
    ...(r.tenantKeys.length ? [`  ${tenants} to lower case: ${r.tenantKeys.map(terminalText).join(', ')}`] : []),
    `  ${alerts} their tenant and records in lower case: ${r.alerts.toLocaleString('en-US')}`,
    `  ${ids}: ${r.alertIds.length.toLocaleString('en-US')}` +
      (r.alertIds.length ? ' (the old ids still name them; --format json lists old → new)' : ''),
  ];
  return lines.join('\n') + '\n';
}
