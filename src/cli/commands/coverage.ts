import type { Command } from 'commander';
import { readBlobEvidence, readCoverage } from '../../coverage/read.js';
import { AppError } from '../../core/errors.js';
import type { TenantRow } from '../../store/contract.js';
import type { CliContext } from '../context.js';
import { formatOption, parseFormat } from '../output.js';
import type { Runner } from '../run.js';
import { renderCoverage, type CoverageFormat } from './coverage-print.js';

/**
 * `tenantwatch coverage [tenants…] [--gaps] [--format table|json|jsonl|csv]`: the ledger and its gaps, as
 * src/coverage summarizes them (the console shows the same summary).
 */
export function register(program: Command, run: Runner): void {
  program
    .command('coverage')
    .description('the collection ledger per tenant and content type, and its gaps')
    .argument('[tenants...]', 'tenant names or ids (default: all registered)')
    .option('--gaps', 'list only the gaps')
    .addOption(formatOption())
    .action(
      run(async (ctx: CliContext, names: string[], flags: { gaps?: boolean; format: string }) => {
        const format = parseFormat<CoverageFormat>(flags.format);
        const store = await ctx.store('read');
        let tenants: Pick<TenantRow, 'tenantId' | 'name'>[] = await store.tenants.list();
        if (names.length) {
          tenants = [];
          for (const n of names) {
            const row = await store.tenants.get(n);
            if (!row)
              throw new AppError('UNKNOWN_TENANT', `No tenant "${n}" is registered`, {
                hint: 'See tenantwatch tenant list',
              });
            tenants.push(row);
          }
        }
        const summary = await readCoverage(store, tenants, ctx.clock.now());
        const blobs = format === 'json' && !flags.gaps ? await readBlobEvidence(store, tenants) : undefined;
        await renderCoverage(summary, { format, gapsOnly: flags.gaps === true, blobs }, ctx.out, ctx.err);
      }),
    );
}
