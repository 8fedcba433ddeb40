/**
 * Prints the coverage summary (src/coverage) in the CLI's formats. Nothing is computed here: the counts
 * in the table are the counts of the gap list, because both come from the same summary.
 */
import type { BlobEvidence } from '../../coverage/read.js';
import type { CoverageSummary, Gap, StreamSummary, TenantCoverage } from '../../coverage/types.js';
import { terminalText } from '../../core/terminal.js';
import { alignedTable, countOf, writeListing } from '../output.js';

export type CoverageFormat = 'table' | 'json' | 'jsonl' | 'csv';
type Out = NodeJS.WritableStream;

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString().replace('.000Z', 'Z'));
/** A time in json and jsonl: null when there is none, as every listing's JSON says it (a table leaves it blank). */
const isoJson = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function rowJson(s: StreamSummary): Record<string, unknown> {
  const { gaps, filled, ...rest } = s;
  return {
    ...rest,
    from: isoJson(s.from),
    to: isoJson(s.to),
    checkpoint: isoJson(s.checkpoint),
    gaps: gaps.length,
    filled: filled.length,
  };
}

export const gapJson = (g: Gap): Record<string, unknown> => ({ ...g, start: isoJson(g.start), end: isoJson(g.end) });

const tenantJson = (t: TenantCoverage): Record<string, unknown> => ({
  ...t,
  removed: t.removed && {
    ...t.removed,
    oldest: isoJson(t.removed.oldest),
    newest: isoJson(t.removed.newest),
    before: isoJson(t.removed.before),
    sweptAt: isoJson(t.removed.sweptAt),
  },
  auditing: {
    ...t.auditing,
    checkedAt: isoJson(t.auditing.checkedAt),
    requested: t.auditing.requested && {
      ...t.auditing.requested,
      at: isoJson(t.auditing.requested.at),
      appliesBy: isoJson(t.auditing.requested.appliesBy),
    },
  },
});

export async function renderCoverage(
  summary: CoverageSummary,
  options: { format: CoverageFormat; gapsOnly: boolean; blobs?: BlobEvidence[] | undefined },
  out: Out,
  err: Out,
): Promise<void> {
  const gaps = summary.streams.flatMap((s) => s.gaps);
  const filled = summary.streams.flatMap((s) => s.filled);
  const tenants = summary.tenants.map(tenantJson);
  if (options.format === 'json') {
    const body = options.gapsOnly
      ? { gaps: gaps.map(gapJson), filled: filled.map(gapJson), tenants }
      : {
          rows: summary.streams.map(rowJson),
          gaps: gaps.map(gapJson),
          filled: filled.map(gapJson),
          tenants,
          ...(options.blobs ? { blobs: options.blobs } : {}),
        };
    out.write(JSON.stringify(body, null, 2) + '\n');
    return;
  }
  const notes = tenantNotes(summary.tenants);
  if (options.format === 'jsonl' || options.format === 'csv') {
    // Machine formats keep one shape on stdout; what a tenant records goes to stderr beside them.
    if (options.format === 'jsonl')
      for (const r of options.gapsOnly ? gaps.map(gapJson) : summary.streams.map(rowJson))
        out.write(JSON.stringify(r) + '\n');
    // Through the listing writer, as every CSV the CLI prints (it wrote no byte order mark: Excel misread names).
    else await writeCsv(options.gapsOnly ? gapCells(gaps) : rowCells(summary.streams), out);
    for (const n of notes) err.write(`tenantwatch: ${terminalText(n)}\n`);
    return;
  }
  renderTable(summary, gaps, filled, notes, options.gapsOnly, out);
}

function renderTable(
  summary: CoverageSummary,
  gaps: Gap[],
  filled: Gap[],
  notes: string[],
  gapsOnly: boolean,
  out: Out,
): void {
  const quiet = summary.tenants.some((t) => t.auditing.recordsNothing);
  const noteLines = notes.length ? `\n${notes.map((n) => `${terminalText(n)}\n`).join('')}` : '';
  if (!summary.streams.length && !quiet) {
    // An empty ledger proves nothing: "no gaps" over it read as complete, e.g. over imported records only.
    out.write(`${nothingToJudge(summary.tenants.length)}\n`);
    out.write(noteLines);
    return;
  }
  if (gapsOnly) {
    out.write(
      gaps.length
        ? table(gapCells(gaps))
        : `no gaps${quiet ? ' in the ledger' : ''}: every window and every listed blob is fetched\n`,
    );
    out.write(noteLines);
    return;
  }
  out.write(table(rowCells(summary.streams)));
  if (gaps.length) out.write(`\n${countOf(gaps.length, 'gap')}:\n${table(gapCells(gaps))}`);
  else out.write(quiet ? '\nno gaps in the ledger, but a tenant below records nothing\n' : '\nno gaps\n');
  if (filled.length)
    out.write(`\n${countOf(filled.length, 'gap')} filled by a later history fill:\n${table(filledCells(filled))}`);
  out.write(noteLines);
}

/**
 * Said instead of "no gaps" when the ledger holds no window: completeness is shown only for what `collect`
 * fetched from Microsoft (windows, blobs, checkpoints); imported records come with no such proof.
 */
export function nothingToJudge(tenants: number): string {
  const what = tenants
    ? 'no window in the ledger yet'
    : 'no registered tenant (tenantwatch tenant add, then tenantwatch collect)';
  return `nothing collected to judge: ${what}; imported records carry no proof of completeness`;
}

/** Per tenant, what its audit settings mean for everything above, or that nothing was collected. */
function tenantNotes(tenants: readonly TenantCoverage[]): string[] {
  const out: string[] = [];
  for (const t of tenants) {
    if (t.auditing.note) out.push(`${t.name}: ${t.auditing.note}`);
    if (t.removed) out.push(`${t.name}: ${removedLine(t.removed)}`);
    if (t.streams === 0 && !t.auditing.recordsNothing)
      out.push(`${t.name}: nothing collected yet (tenantwatch collect ${t.name})`);
  }
  return out;
}

/** What retention removed, in words: never shown as a gap. */
function removedLine(r: NonNullable<TenantCoverage['removed']>): string {
  const span = r.oldest === null ? '' : ` from ${iso(r.oldest)} to ${iso(r.newest)}`;
  const limit = r.before === null ? ' (a sweep is under way)' : `; nothing older than ${iso(r.before)} is kept`;
  return `removed by retention: ${countOf(r.records, 'record')}${span}${limit}`;
}

function rowCells(rows: readonly StreamSummary[]): [string[], string[][]] {
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
    'stored',
    'checkpoint',
    'gaps',
    'filled',
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
      String(r.newRecords),
      iso(r.checkpoint),
      String(r.gaps.length),
      String(r.filled.length),
    ]),
  ];
}

function gapCells(gaps: readonly Gap[]): [string[], string[][]] {
  return [
    ['tenant', 'stream', 'start', 'end', 'state', 'reason'],
    gaps.map((g) => [g.name, g.stream, iso(g.start), iso(g.end), g.state, g.reason]),
  ];
}

function filledCells(gaps: readonly Gap[]): [string[], string[][]] {
  return [
    ['tenant', 'stream', 'start', 'end', 'state', 'filled by'],
    gaps.map((g) => [g.name, g.stream, iso(g.start), iso(g.end), g.state, g.filledBy ?? '']),
  ];
}

/** Header and rows as the CLI's CSV listing: the header's words are the columns. */
async function writeCsv([head, body]: [string[], string[][]], out: Out): Promise<void> {
  const columns = head.map((key) => ({ key, title: key }));
  await writeListing(
    'csv',
    columns,
    body.map((r) => Object.fromEntries(head.map((key, i) => [key, r[i]]))),
    out,
  );
}

/**
 * An aligned table; every cell made safe for a terminal (a gap's reason quotes what Microsoft answered). Columns of
 * counts are aligned right, so their digits line up.
 */
function table([head, body]: [string[], string[][]]): string {
  const counts = head.map((_, i) => body.length > 0 && body.every((row) => /^\d+$/.test(row[i] ?? '')));
  return alignedTable(head, body, (i) => counts[i]!);
}
