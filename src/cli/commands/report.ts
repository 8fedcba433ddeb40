import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import type { LiveConnection } from '../../config/tenants.js';
import { reportCsvChunks, reportJsonText, rowFields, withTenantNames } from '../../reports/export.js';
import { findReport, listReports, runReport } from '../../reports/registry.js';
import type { ReportResult } from '../../reports/types.js';
import type { CliContext } from '../context.js';
import {
  countOf,
  formatOption,
  parseFormat,
  writeChunks,
  writeListing,
  type ListingColumn,
  type ListingFormat,
} from '../output.js';
import type { Runner } from '../run.js';
import { readResultNotes } from '../../coverage/result-notes.js';
import { noticeLine } from '../../search/unseen.js';
import { reportFilterNotices } from '../../reports/notices.js';
import { reportDeps } from '../tenants.js';
import { kebab, reportOptions, reportParams } from './report-flags.js';

/**
 * `tenantwatch report list` and `tenantwatch report ID [--parameter value …] [--format table|json|jsonl|csv]`.
 * Each report is a sub-command whose flags are its parameters (report-flags.ts), so `report ID --help`
 * and docs/reference/cli.md list them; a typo is refused by name. A report id in other capitals goes
 * through parseFlags, the generic `--name value` reading. Output goes through the CLI's listing writer
 * (the same Excel-safe CSV as search); `--format json` is the whole result,
 * `{"report", "parameters", "summary", "rows"}` (issue 6).
 */
export function register(program: Command, run: Runner): void {
  const report = program
    .command('report')
    .description('ready investigations: report list | report ID [--parameter value …]; report ID --help lists them')
    .usage('list | ID [--parameter value …] [--format table|json|jsonl|csv]')
    .argument('[id]', 'report id (tenantwatch report list)')
    .argument('[params...]', 'report parameters as --name value, and --format')
    .allowUnknownOption()
    .action(
      run(async (ctx, first: string | undefined, more: string[]) => {
        // `report --format json`: an option where the id would be (commander passes unknown options on as operands).
        // Then the id, if any, is the first word that is not a flag or its value: `report --format csv sign-ins`
        // said "Unexpected argument "sign-ins". Give report parameters as --name value" to a line that did.
        const optionsFirst = first?.startsWith('-') === true;
        const { params, format, id: later } = parseFlags(optionsFirst ? [first, ...more] : more, optionsFirst);
        const id = optionsFirst ? later : first;
        if (!id) return writeReportList(ctx, format);
        return runAndWrite(ctx, findReport(id).id, params, format);
      }),
    );
  report
    .command('list')
    .description('the reports: id and title (json/csv: with their parameters)')
    .addOption(formatOption())
    .action(run(async (ctx, opts: { format: string }) => writeReportList(ctx, parseFormat(opts.format))));
  for (const info of listReports()) {
    const command = report.command(info.id).summary(info.title).description(`${info.title}.\n\n${info.description}`);
    for (const option of reportOptions(info.parameters)) command.addOption(option);
    command.addOption(formatOption());
    command.action(
      run(async (ctx, flags: Record<string, unknown> & { format: string }) =>
        runAndWrite(ctx, info.id, reportParams(info.parameters, flags), parseFormat(flags.format)),
      ),
    );
  }
}

/** Runs a report against the store (Graph for role holders when a tenant is registered) and prints it. */
async function runAndWrite(
  ctx: CliContext,
  id: string,
  params: Record<string, unknown>,
  format: ListingFormat,
): Promise<void> {
  const opened: LiveConnection[] = [];
  try {
    const store = await ctx.store('read');
    const result = await runReport(id, params, reportDeps(ctx, store, opened), {
      nameOf: (parameter) => `--${kebab(parameter)}`,
      describedIn: (report) => `tenantwatch report ${report} --help`,
    });
    // A report's notes (totals named …Notes: where the role holders came from, why no address is new).
    for (const [key, notes] of Object.entries(result.summary.totals))
      if (key.endsWith('Notes') && typeof notes === 'string')
        for (const note of notes.split(' | ')) ctx.err.write(`tenantwatch: note: ${note}\n`);
    const covered = result.parameters.tenant;
    const said = await readResultNotes(
      store,
      Array.isArray(covered) ? covered.map(String) : undefined,
      ctx.clock.now(),
    );
    // Next to the result: a tenant that records nothing makes an empty report mean nothing (issue 18 item 1).
    for (const line of said.lines) ctx.err.write(`tenantwatch: ${line}\n`);
    await writeResult(ctx, withTenantNames(result, said.names), format, said.recordsNothing.size);
    // A user no stored record names, or a workload Microsoft 365 does not record, is said as in search: a typo
    // must not read as "No findings".
    for (const notice of await reportFilterNotices(store.records, result))
      ctx.err.write(`tenantwatch: ${noticeLine(notice)}\n`);
  } finally {
    for (const c of opened) c.close();
  }
}

/** `--name value` pairs and --format; with `idAmong`, the one bare word among them is the report id. */
export function parseFlags(
  args: string[],
  idAmong = false,
): { params: Record<string, unknown>; format: ListingFormat; id?: string } {
  const params: Record<string, string | string[]> = {};
  let format: ListingFormat = 'table';
  let id: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--([A-Za-z][\w-]*)(?:=(.*))?$/.exec(arg);
    if (!m && idAmong && id === undefined && !arg.startsWith('-')) {
      id = arg;
      continue;
    }
    if (!m)
      throw new AppError('USAGE', `Unexpected argument "${arg}"`, {
        hint: 'Give report parameters as --name value, e.g. --user adele@contoso.com',
      });
    const name = m[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new AppError('USAGE', `--${m[1]} needs a value`, { hint: `Write --${m[1]} VALUE` });
    if (name === 'format') {
      format = parseFormat(value);
      continue;
    }
    const prior = params[name];
    params[name] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  return id === undefined ? { params, format } : { params, format, id };
}

async function writeReportList(ctx: CliContext, format: ListingFormat): Promise<void> {
  const columns: ListingColumn[] =
    format === 'table'
      ? [
          { key: 'id', title: 'REPORT' },
          { key: 'title', title: 'TITLE', max: 70 },
        ]
      : [
          { key: 'id', title: 'id' },
          { key: 'title', title: 'title' },
          { key: 'description', title: 'description' },
          { key: 'parameters', title: 'parameters' },
        ];
  await writeListing(
    format,
    columns,
    listReports().map((r) => ({ ...r })),
    ctx.out,
    { name: 'reports', noun: 'report' },
  );
}

/** json: the whole result; table: a summary header, then the rows; csv/jsonl: the rows only (data, nothing else). */
export async function writeResult(
  ctx: Pick<CliContext, 'out'>,
  result: ReportResult,
  format: ListingFormat,
  /** How many of the tenants covered record nothing: then an empty result is never "No findings". */
  recordingNothing = 0,
): Promise<void> {
  if (format === 'json') {
    ctx.out.write(reportJsonText(result));
    return;
  }
  if (format === 'csv') {
    await writeChunks(reportCsvChunks(result), ctx.out);
    return;
  }
  if (format === 'table') {
    ctx.out.write(summaryLines(result));
    if (result.rows.length === 0) {
      ctx.out.write(
        recordingNothing > 0
          ? `No rows — but ${recordingNothing === 1 ? 'a tenant covered records' : `${recordingNothing} tenants covered record`} nothing (unified audit log off): this does not show that nothing happened.\n`
          : 'No findings.\n',
      );
      return;
    }
  }
  const columns = rowFields(result.rows).map((key) => ({ key, title: key }));
  await writeListing(format, columns, result.rows, ctx.out, { noun: 'row' });
}

function summaryLines(result: ReportResult): string {
  const s = result.summary;
  const lines = [
    `${result.report}: ${countOf(s.rows, 'row')}, ${countOf(s.records, 'record')}, ${String(result.parameters.start)} – ${String(result.parameters.end)}`,
  ];
  for (const [k, v] of Object.entries(s.totals)) lines.push(`  ${k}: ${String(v)}`);
  return lines.join('\n') + '\n\n';
}
