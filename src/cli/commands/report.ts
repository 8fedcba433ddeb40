import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { listReports, runReport } from '../../reports/registry.js';
import type { ReportResult } from '../../reports/types.js';
import type { Runner } from '../run.js';

/**
 * `tenantwatch report list` and `tenantwatch report ID [--name value …] [--format table|json|csv]`.
 * Every report parameter is a flag of the same name (repeat a flag for a list); the reports engine
 * validates them, so a typo is refused with the report's parameter names.
 */
export function register(program: Command, run: Runner): void {
  program
    .command('report')
    .description('ready investigations: report list | report ID [--tenant T] [--start 7d] [--end now] [--user U] [--name value …] [--format table|json|csv]')
    .argument('[id]', 'report id, or "list"')
    .argument('[params...]', 'report parameters as --name value')
    .allowUnknownOption()
    .helpOption(false)
    .action(
      run(async (ctx, id: string | undefined, rest: string[]) => {
        if (!id || id === 'list') {
          for (const r of listReports()) ctx.out.write(`${r.id.padEnd(20)} ${r.title}\n`);
          return;
        }
        const { params, format } = parseFlags(rest);
        const store = await ctx.store();
        const result = await runReport(id, params, { store, clock: ctx.clock, logger: ctx.logger, signal: ctx.signal });
        ctx.out.write(render(result, format));
      }),
    );
}

export function parseFlags(args: string[]): { params: Record<string, unknown>; format: 'table' | 'json' | 'csv' } {
  const params: Record<string, string | string[]> = {};
  let format: 'table' | 'json' | 'csv' = 'table';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--([A-Za-z][\w-]*)(?:=(.*))?$/.exec(arg);
    if (!m) throw new AppError('USAGE', `Unexpected argument "${arg}"`, { hint: 'Give report parameters as --name value, e.g. --user adele@contoso.com' });
    const name = m[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new AppError('USAGE', `--${m[1]} needs a value`, { hint: `Write --${m[1]} VALUE` });
    if (name === 'format') {
      if (value !== 'table' && value !== 'json' && value !== 'csv') throw new AppError('USAGE', `--format ${value} is not table, json or csv`, { hint: 'Use --format table, json or csv' });
      format = value;
      continue;
    }
    const prior = params[name];
    params[name] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  return { params, format };
}

export function render(result: ReportResult, format: 'table' | 'json' | 'csv'): string {
  if (format === 'json') return JSON.stringify(result, null, 2) + '\n';
  const columns = [...new Set(result.rows.flatMap((r) => Object.keys(r)))];
  if (format === 'csv') return [columns.map(csvCell).join(','), ...result.rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
  const lines = [`${result.report}: ${result.summary.rows} rows, ${result.summary.records} records, ${result.parameters.start as string} – ${result.parameters.end as string}`];
  for (const [k, v] of Object.entries(result.summary.totals)) lines.push(`  ${k}: ${String(v)}`);
  const cells = result.rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((row) => row[i]!.length))));
  lines.push(columns.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  for (const row of cells) lines.push(row.map((v, i) => v.slice(0, widths[i]).padEnd(widths[i]!)).join('  '));
  return lines.join('\n') + '\n';
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '';
}

/** RFC 4180 quoting; a leading = + - @ is defused so the file opens safely in Excel. */
function csvCell(v: unknown): string {
  let s = cell(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
