/**
 * JSON text with its needless `\uXXXX` escapes written as the characters themselves (ADR 0011).
 *
 * Free text (search, the console, the word index of ADR 0033) and Sigma keywords match substrings of a
 * record's raw JSON text, but JSON lets a writer escape any character: Python's json.dumps (ensure_ascii,
 * its default) writes `Café` as `Caf\u00e9`, .NET's System.Text.Json writes `R&D` as `R\u0026D`. A search
 * for "café" or "R&D" then missed a record that holds it. Normalization writes raw with those escapes
 * undone, so raw holds a value's characters as a person types them.
 *
 * Textual on purpose: JSON.stringify of the parsed record would rewrite numbers (1.0 → 1, 1e2 → 100) and
 * lose integers past 2^53. Only escapes change; everything else, key order and whitespace included, stays.
 */

/**
 * The text with each `\uXXXX` escape replaced by its character, except where the escape is needed or the
 * character is better kept written out (`keptEscaped`); a valid surrogate pair written as two escapes
 * becomes its one character. The result parses to the same value as `text`. `text` must be valid JSON (a
 * backslash only inside strings, each starting an escape): normalization parsed it before.
 */
export function unescapeJsonText(text: string): string {
  // Fast path: no `\u` at all (most records). One native search.
  if (text.indexOf('\\u') === -1) return text;
  let out = '';
  let copied = 0;
  // Walk the escapes from the start: every backslash begins one, so `\\u0041` (an escaped backslash, then
  // the letters u0041) is stepped over whole and never read as an escape.
  for (let at = text.indexOf('\\'); at !== -1;) {
    if (text.charCodeAt(at + 1) !== U) {
      at = text.indexOf('\\', at + 2);
      continue;
    }
    const code = hex4(text, at + 2);
    let end = at + 6;
    let char: string | null = null;
    if (code >= 0xd800 && code <= 0xdbff) {
      // A high surrogate is a character only with the low one written right after it as an escape too.
      const low = text.charCodeAt(end) === BACKSLASH && text.charCodeAt(end + 1) === U ? hex4(text, end + 2) : -1;
      if (low >= 0xdc00 && low <= 0xdfff) {
        char = String.fromCharCode(code, low);
        end += 6;
      }
    } else if (code >= 0 && !keptEscaped(code)) char = String.fromCharCode(code);
    if (char !== null) {
      out += text.slice(copied, at) + char;
      copied = end;
    }
    at = text.indexOf('\\', end);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Characters whose escape stays: those JSON requires escaped (`"`, `\`, controls below U+0020); lone
 * surrogates (no UTF-8 text can hold one, ADR 0011: the caller's low surrogates fall here too); and
 * characters that are line breaks or terminal controls to someone: DEL and the C1 controls (U+009B is a
 * terminal's CSI), U+2028 and U+2029 (line breaks to JavaScript before ES2019 and to many NDJSON readers).
 * No one searches for those, and written out they could split a line or drive a terminal.
 */
function keptEscaped(code: number): boolean {
  return (
    code < 0x20 ||
    code === 0x22 ||
    code === 0x5c ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0xd800 && code <= 0xdfff)
  );
}

const U = 0x75;
const BACKSLASH = 0x5c;

/** The value of the four hexadecimal digits at `at`, or -1. */
function hex4(text: string, at: number): number {
  let value = 0;
  for (let i = at; i < at + 4; i++) {
    const c = text.charCodeAt(i);
    const d =
      c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) return -1;
    value = value * 16 + d;
  }
  return value;
}
