import type { Command } from 'commander';
import { parseLimit } from '../../core/limits.js';
import { readResultNotes } from '../../coverage/result-notes.js';
import type { SearchQuery } from '../../core/search-query.js';
import { parseSearchFilters, type SearchFilterInput } from '../../search/filters.js';
import { recordChunks, RECORD_FORMATS, type RecordFormat } from '../../search/formats.js';
import { resolveTenantKeys } from '../../search/tenants.js';
import { noticeLine, unseenFilterValues } from '../../search/unseen.js';
import type { CliContext } from '../context.js';
import { countOf, formatOption, parseFormat, writeChunks } from '../output.js';
import type { Runner } from '../run.js';

/** The filters of the search model, plus how many to print and how. */
export interface SearchFlags extends SearchFilterInput {
  limit?: string;
  /** As typed: searchCommand checks it (parseFormat), so a bad one is answered as every command answers it. */
  format: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function register(program: Command, run: Runner): void {
  program
    .command('search')
    .description(
      'search stored audit records like Purview audit search, with no cap: newest first, every match, the count always reported',
    )
    .option('--start <time>', 'start of the range (inclusive): 2026-11-01, 2026-11-01T08:30Z, 7d, 24h')
    .option('--end <time>', 'end of the range (exclusive): a date, a date-time, or now', 'now')
    .option('--user <upn>', 'UserId, case-insensitive (repeatable; commas separate values)', collect)
    .option(
      '--operation <name>',
      'operation (FileAccessed) or Purview activity name ("Accessed file") (repeatable)',
      collect,
    )
    .option('--record-type <type>', 'record type name or number (SharePointFileOperation, 6) (repeatable)', collect)
    .option(
      '--workload <name>',
      'workload (Exchange, SharePoint, OneDrive, AzureActiveDirectory …) (repeatable)',
      collect,
    )
    .option('--ip <address|cidr>', 'client IP (port ignored) or CIDR block (repeatable)', collect)
    .option('--object <text>', 'substring of the ObjectId: file, folder, site, mailbox item (repeatable)', collect)
    .option(
      '--free-text <text>',
      'text anywhere in the raw record, case-insensitive (repeatable); a value matches as it reads (C:\\Users\\…, "quoted", accented letters) however the record escapes it (--object matches the ObjectId itself)',
      collect,
    )
    .option('--tenant <name>', 'tenant name, GUID or import label (repeatable)', collect)
    .option('--limit <n>', 'print at most N records (the count still says how many matched)')
    .addOption(formatOption(RECORD_FORMATS))
    .action(run(async (ctx, flags: SearchFlags) => searchCommand(ctx, flags)));
}

/**
 * Runs one search and prints every match (or --limit of them), streamed so memory stays flat for a
 * million rows. The number of matches is always given: the table's footer, json's "count", and for
 * jsonl and csv (whose stdout is data only) a line on stderr.
 */
export async function searchCommand(ctx: CliContext, flags: SearchFlags): Promise<number> {
  const format = parseFormat(flags.format, RECORD_FORMATS);
  const limit = limitFlag(flags.limit);
  const store = await ctx.store('read');
  const query = parseSearchFilters(filterInput(flags), ctx.clock.now());
  if (query.tenants?.length) query.tenants = await resolveTenantKeys(store, query.tenants);
  // Without a limit every match is printed, so the streamed rows are the count: no second query needed,
  // except for json, whose count comes first.
  const count = limit !== undefined || format === 'json' ? await store.records.count(query) : undefined;
  const rows = store.records.search(query, { ...(limit !== undefined ? { limit } : {}), signal: ctx.signal });
  const notes = await readResultNotes(store, query.tenants, ctx.clock.now());
  const options = { tenantNames: notes.names, notices: notes.lines, ...(count === undefined ? {} : { count }) };
  let written: number;
  try {
    written = await writeChunks(recordChunks(format, rows, options), ctx.out);
  } catch (e) {
    if ((e as { code?: string }).code === 'EPIPE') return 0; // `| head` closed the pipe: nothing wrong.
    throw e;
  }
  report(ctx, format, query, written, count ?? written, limit);
  // A tenant that records nothing (or misses mailbox actions) is said next to the result: 0 is not "nothing happened".
  for (const line of notes.lines) ctx.err.write(`tenantwatch: ${line}\n`);
  // A filter value no record ever had is said next to the result, so a typo never reads as "nothing happened".
  for (const notice of await unseenFilterValues(store.records, query))
    ctx.err.write(`tenantwatch: ${noticeLine(notice)}\n`);
  return 0;
}

function report(
  ctx: CliContext,
  format: RecordFormat,
  query: SearchQuery,
  written: number,
  count: number,
  limit: number | undefined,
): void {
  ctx.logger.info(
    { event: 'search.done', written, count, filters: Object.keys(query).filter((k) => k !== 'range') },
    'search finished',
  );
  if (format === 'jsonl' || format === 'csv') {
    const shown = written === count ? '' : ` (${written.toLocaleString('en-US')} written: --limit ${limit})`;
    ctx.err.write(`${countOf(count, 'matching record')}${shown}\n`);
  }
  if (limit === undefined && written !== count) {
    // Only json counts first; records stored while it streamed can make the two differ.
    ctx.err.write(
      `tenantwatch: ${countOf(written, 'record')} ${written === 1 ? 'was' : 'were'} written but ${count.toLocaleString('en-US')} matched when counted; records arrived during the search. Run it again for a stable answer\n`,
    );
  }
}

function filterInput(flags: SearchFlags): SearchFilterInput {
  const input: SearchFilterInput = {};
  if (flags.start !== undefined) input.start = flags.start;
  if (flags.end !== undefined) input.end = flags.end;
  for (const key of ['user', 'operation', 'recordType', 'workload', 'ip', 'object', 'freeText', 'tenant'] as const) {
    const values = flags[key];
    if (values !== undefined) input[key] = values;
  }
  return input;
}

/** No cap by default; a limit must be a whole number of at least 1 (at most MAX_LIMIT). */
function limitFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  return parseLimit(text, {
    what: '--limit',
    hint: 'Give --limit 100 to print the newest 100 matches, or leave it out to print every match',
  });
}
