/**
 * A report result as a file: the one writer behind `tenantwatch report ID --format csv|json` and the
 * console's report export (POST /api/reports/:id/export), so both give the same bytes for the same
 * result. CSV goes through search/csv.ts, the Excel-safe writer every CSV of tenantwatch uses.
 */
import { csvLine, UTF8_BOM } from '../search/csv.js';
import { REPORTS } from './registry.js';
import type { ReportResult, ReportRow } from './types.js';

/** The fields the rows have: every field any row has, in the order first seen (rows differ by kind). */
export function rowFields(rows: readonly ReportRow[]): string[] {
  const keys = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) keys.add(key);
  return [...keys];
}

/**
 * The columns of a result's file: the report's declared columns, with the tenant's name beside its key
 * (withTenantNames), whatever rows were found — an empty result still has its header, and two runs of one
 * report have the same columns in the same order whichever kinds of rows each found. A field no column
 * declares (never, per the reports' tests) comes after them rather than being left out.
 */
export function reportColumns(result: ReportResult): string[] {
  const declared = REPORTS.find((r) => r.id === result.report)?.columns ?? [];
  const columns = declared.flatMap((c) => (c === 'tenant' ? ['tenant', 'tenantName'] : [c]));
  const known = new Set(columns);
  return [...columns, ...rowFields(result.rows).filter((key) => !known.has(key))];
}

/**
 * The result with each row's tenant name beside its tenant key (`tenantName`, right after `tenant`), for
 * every registered tenant: a file someone opens later must say "contoso", not only a GUID (issue 17 item
 * 4). Rows of an unregistered key (an import label) stay as they are, as in search exports.
 */
export function withTenantNames(result: ReportResult, names: ReadonlyMap<string, string>): ReportResult {
  if (names.size === 0) return result;
  const named = (row: ReportRow): ReportRow => {
    const name = names.get(row.tenant);
    if (name === undefined || 'tenantName' in row) return row;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) {
      out[key] = value;
      if (key === 'tenant') out.tenantName = name;
    }
    return out as ReportRow;
  };
  return { ...result, rows: result.rows.map(named) };
}

/** The rows as CSV (the data only, as the CLI's csv format): BOM, header (even with no rows), one line per row. */
export async function* reportCsvChunks(result: ReportResult): AsyncGenerator<string, number> {
  const columns = reportColumns(result);
  yield UTF8_BOM + csvLine(columns);
  for (const row of result.rows) yield csvLine(columns.map((c) => row[c]));
  return result.rows.length;
}

/** The whole result, `{"report", "parameters", "summary", "rows"}`, indented for people. */
export function reportJsonText(result: ReportResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}
