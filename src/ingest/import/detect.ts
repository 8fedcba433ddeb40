import type { ImportFormat } from './types.js';

/**
 * Recognises the format from the start of the decoded text, never from the file name:
 * - `[` → JSON (array of records: Management API content blob, saved array);
 * - `{` → NDJSON when the first line is a whole JSON value, else JSON (pretty-printed records,
 *   a Graph records page);
 * - a header line with an AuditData column (after an optional `#TYPE …` line from Export-Csv) → CSV.
 * Returns null when it is none of these.
 */
export interface Detected {
  format: ImportFormat;
  /** CSV: lines before the header (the `#TYPE` line). */
  skipLines: number;
}

export function detectFormat(head: string): Detected | null {
  const text = head.trimStart();
  if (text.startsWith('[')) return { format: 'json', skipLines: 0 };
  if (text.startsWith('{')) return { format: firstLineIsJson(text) ? 'ndjson' : 'json', skipLines: 0 };
  const lines = text.split(/\r?\n/, 2);
  const typeLine = lines[0]!.startsWith('#TYPE') ? 1 : 0;
  const header = lines[typeLine] ?? '';
  if (/(^|[,;\t"])AuditData("|[,;\t]|$)/i.test(header)) return { format: 'csv', skipLines: typeLine };
  return null;
}

function firstLineIsJson(text: string): boolean {
  const end = text.indexOf('\n');
  if (end < 0) return true;
  try {
    JSON.parse(text.slice(0, end));
    return true;
  } catch {
    return false;
  }
}
