/**
 * CSV that a spreadsheet opens safely (issue 2 §6), shared by every CSV tenantwatch writes: search
 * results, the console's export, and the CLI's listings (tenants, coverage, reports).
 * - RFC 4180: fields holding a comma, a quote, CR or LF are quoted, quotes doubled; lines end in CRLF.
 * - Formula injection (OWASP "CSV injection"): a cell that starts with = + - @, a tab or a CR would be
 *   read by Excel as a formula or control. Audit data is attacker-controlled (a file named
 *   `=HYPERLINK(…)`, a user agent, a mail subject), so such a cell gets a leading apostrophe, which Excel
 *   shows as text and does not display.
 * - A UTF-8 byte order mark first, without which Excel reads the file as the local ANSI code page.
 */
export const UTF8_BOM = '\uFEFF';

const DANGEROUS_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** Text of one cell: null/undefined empty, numbers and booleans as written, objects as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** One escaped, neutralized CSV field. Numbers are left alone: a negative number is data, not a formula. */
export function csvCell(value: unknown): string {
  let text = cellText(value);
  if (typeof value === 'string' && DANGEROUS_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line, CRLF-terminated. */
export function csvLine(values: readonly unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}
