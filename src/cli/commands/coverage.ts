import { Option, type Command } from 'commander';
import { buildCoverage, type CoverageRow, type Gap } from '../../collector/coverage.js';
import { AppError } from '../../core/errors.js';
import { csvLine } from '../../search/csv.js';
import type { TenantRow } from '../../store/contract.js';
import type { CliContext } from '../context.js';
import type { Runner } from '../run.js';

/** `tenantwatch coverage [tenants…] [--gaps] [--format table|json|csv]`: the ledger and its gaps. */
export function register(program: Command, run: Runner): void {
  program
    .command('coverage')
    .description('the collection ledger per tenant and content type, and its gaps')
    .argument('[tenants...]', 'tenant names or ids (default: all registered)')
    .option('--gaps', 'list only the gaps')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .action(
      run(async (ctx: CliContext, names: string[], flags: { gaps?: boolean; format: 'table' | 'json' | 'csv' }) => {
        const store = await ctx.store();
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
        const report = await buildCoverage(store, tenants, { blobs: flags.format === 'json' && !flags.gaps });
        if (flags.format === 'json')
          return void ctx.out.write(
            JSON.stringify(
              flags.gaps
                ? { gaps: report.gaps.map(gapJson) }
                : { ...report, rows: report.rows.map(rowJson), gaps: report.gaps.map(gapJson) },
              null,
              2,
            ) + '\n',
          );
        const [head, body] = flags.gaps ? gapCells(report.gaps) : rowCells(report.rows);
        if (flags.format === 'csv') return void ctx.out.write([head, ...body].map((r) => csvLine(r)).join(''));
        if (flags.gaps && !body.length)
          return void ctx.out.write('no gaps: every window and every listed blob is fetched\n');
        ctx.out.write(table([head, ...body]));
        if (flags.gaps) return;
        const [gh, gb] = gapCells(report.gaps);
        ctx.out.write(report.gaps.length ? `\n${report.gaps.length} gap(s):\n${table([gh, ...gb])}` : '\nno gaps\n');
      }),
    );
}

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString().replace('.000Z', 'Z'));
const rowJson = (r: CoverageRow): Record<string, unknown> => ({
  ...r,
  from: iso(r.from),
  to: iso(r.to),
  checkpoint: iso(r.checkpoint),
});
const gapJson = (g: Gap): Record<string, unknown> => ({ ...g, start: iso(g.start), end: iso(g.end) });

function rowCells(rows: CoverageRow[]): [string[], string[][]] {
  const head = [
    'tenant',
    'stream',
    'from',
    'to',
    'windows',
    'fetched',
    'failed',
    'expired',
    'blobs',
    'blob issues',
    'records',
    'checkpoint',
  ];
  return [
    head,
    rows.map((r) => [
      r.name,
      r.stream,
      iso(r.from),
      iso(r.to),
      String(r.windows),
      String(r.fetched),
      String(r.failed),
      String(r.expired),
      String(r.blobs),
      String(r.blobIssues),
      String(r.records),
      iso(r.checkpoint),
    ]),
  ];
}

function gapCells(gaps: Gap[]): [string[], string[][]] {
  return [
    ['tenant', 'stream', 'start', 'end', 'state', 'reason'],
    gaps.map((g) => [g.name, g.stream, iso(g.start), iso(g.end), g.state, g.reason]),
  ];
}

function table(cells: string[][]): string {
  if (!cells.length) return '';
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map(
      (r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd() + '\n',
    )
    .join('');
}
