import type { ImportFormat } from './types.js';

/**
 * Recognises the format from the start of the decoded text, never from the file name:
 * - `[` → JSON (array of records: Management API content blob, saved array);
 * - `{` → NDJSON when the first line is a whole JSON value (or, that line broken, the next one is), else JSON
 *   (pretty-printed records, a Graph records page);
 * - a header line with an AuditData column (after an optional `#TYPE …` line from Export-Csv) → CSV;
 * - NDJSON after comment lines (`#`, `//`).
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
  if (text.startsWith('{'))
    return { format: firstLineIsJson(text) || nextLineIsRecord(text) ? 'ndjson' : 'json', skipLines: 0 };
  const lines = text.split(/\r?\n/, 2);
  const typeLine = lines[0]!.startsWith('#TYPE') ? 1 : 0;
  const header = lines[typeLine] ?? '';
  if (/(^|[,;\t"])AuditData("|[,;\t]|$)/i.test(header)) return { format: 'csv', skipLines: typeLine };
  // NDJSON behind comment lines (`# exported …`, `// …`): each comment is then a rejected row, not the whole file.
  const records = afterComments(text);
  if (records !== null && records.startsWith('{') && firstLineIsJson(records))
    return { format: 'ndjson', skipLines: 0 };
  return null;
}

/**
 * NDJSON whose first line is not a whole value (cut short, a brace missing): read as JSON, that line left an object
 * open that never closed, and every record after it was lost in it. Pretty-printed JSON opens with `{` alone and
 * never has a whole object on a later line of its own; an NDJSON file has one on the next line.
 */
function nextLineIsRecord(text: string): boolean {
  let end = text.indexOf('\n');
  if (end < 0 || text.slice(0, end).trim() === '{') return false;
  for (let from = end + 1; (end = text.indexOf('\n', from)) >= 0; from = end + 1) {
    const line = text.slice(from, end).trimEnd();
    if (line === '') continue;
    if (!line.startsWith('{')) return false;
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    } catch {
      return false;
    }
  }
  return false;
}

/** The text after its leading comment lines (`#` or `//`), or null when it has none or nothing else. */
function afterComments(text: string): string | null {
  let from = 0;
  while (text.startsWith('#', from) || text.startsWith('//', from)) {
    const end = text.indexOf('\n', from);
    if (end < 0) return null;
    from = end + 1;
    while (from < text.length && text.charCodeAt(from) <= 32) from++;
  }
  return from === 0 ? null : text.slice(from);
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
