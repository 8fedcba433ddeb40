import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { formatOption, parseFormat } from '../output.js';
import type { Runner } from '../run.js';

interface OptimizeFlags {
  textIndex?: boolean;
  format?: string;
}

/**
 * Exposes the store's optional maintenance: refreshing planner statistics (after a large import or a
 * long collection) and building or dropping the substring index (ADR 0033), which turns a rare-word or
 * object search over a million records from seconds into milliseconds; once built it is kept as records
 * arrive, and building again only catches up. Results never change with or without the index.
 */
export function register(program: Command, run: Runner): void {
  // Both flags set the one value textIndex (the last wins): which were typed is seen as commander parses them.
  const typed = new Set<string>();
  program
    .command('optimize')
    .description(
      'refresh query statistics; --text-index builds the substring index (fast --free-text and --object), --no-text-index drops it',
    )
    .option('--text-index', 'build the substring index, or bring it up to date')
    .option('--no-text-index', 'drop the substring index')
    .addOption(formatOption(['table', 'json']))
    .on('option:text-index', () => typed.add('--text-index'))
    .on('option:no-text-index', () => typed.add('--no-text-index'))
    .action(
      run(async (ctx: CliContext, flags: OptimizeFlags, command: Command) => {
        if (typed.size > 1)
          throw new AppError('USAGE', '--text-index and --no-text-index say opposite things', {
            hint: 'Give --text-index to build the substring index, or --no-text-index to drop it, not both',
          });
        return optimize(ctx, flags, command.getOptionValueSource('textIndex') === 'cli');
      }),
    );
}

/** `given`: --text-index or --no-text-index was typed (commander defaults the value to true otherwise). */
async function optimize(ctx: CliContext, flags: OptimizeFlags, given: boolean): Promise<number> {
  const format = parseFormat(flags.format, ['table', 'json']);
  const store = await ctx.store();
  if (!store.records.optimize) {
    throw new AppError('NOT_IMPLEMENTED', `The ${store.kind} store has no optimize step`, {
      hint: 'Nothing to do: this store keeps its statistics itself',
    });
  }
  const result = await store.records.optimize(given ? { textIndex: flags.textIndex !== false } : {});
  if (format === 'json') ctx.out.write(JSON.stringify(result) + '\n');
  else {
    ctx.out.write(`statistics refreshed in ${(result.analyzeMs / 1000).toFixed(1)} s\n`);
    ctx.out.write(
      `free-text index: ${result.textIndex ? 'built' : 'none'}${given ? ` (${(result.textIndexMs / 1000).toFixed(1)} s)` : ''}\n`,
    );
  }
  return 0;
}
