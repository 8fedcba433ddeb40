import { dedupeCaseless } from './dedupe.js';

/**
 * Free text is matched against the stored raw JSON, where a value is written escaped: a path
 * `C:\Users\bob` is `C:\\Users\\bob` there, a quote `\"`, and some writers (System.Text.Json, which
 * escapes non-ASCII and `"&'+<>` as `\uXXXX`) write `Boîte` as `Bo\u00eete`: normalization writes those
 * escapes as their characters (ADR 0011), but records stored before keep them. A value that is itself JSON
 * inside a string (Exchange's Parameters, a Power BI payload) is escaped twice, and keeps its escapes. So a
 * person's term is searched as it reads and in each of those written forms: a record matches when its raw
 * holds any of them (free-text terms are OR-ed already), and a term without such characters is searched as it
 * is, alone.
 * The search oracle reads the same expanded terms, so results stay identical with and without an index.
 */
export function freeTextForms(term: string): string[] {
  const once = jsonEscaped(term);
  const escapedAll = systemTextJsonEscaped(term);
  return dedupeCaseless([term, once, escapedAll, jsonEscaped(once), jsonEscaped(escapedAll)]);
}

/** The text between the quotes JSON.stringify writes: `\` → `\\`, `"` → `\"`, control characters escaped. */
function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** How .NET's System.Text.Json writes a string by default: beyond printable ASCII, and `"&'+<>\``, as \uXXXX. */
function systemTextJsonEscaped(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ch = text[i]!;
    if (ch === '\\') out += '\\\\';
    else if (c < 0x20 || c > 0x7e || '"&\'+<>`'.includes(ch)) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}
