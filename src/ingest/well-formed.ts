/**
 * Lone UTF-16 surrogates: a JSON escape such as `"Id":"a\ud800b"` parses to a string UTF-8 cannot carry, and the
 * two stores then keep different text. PostgreSQL's driver sends it as U+FFFD (one character); better-sqlite3
 * writes the surrogate's three bytes as they are, which SQLite keys on and reads back as three U+FFFD. The same
 * record collected into each store got a different Id, so their de-duplication and exactly-once comparisons
 * disagreed. Normalization decides one form before either store sees it (ADR 0011).
 */

/** No lone surrogate (ES2024's String.prototype.isWellFormed, in Node since 20; the project's lib is ES2023). */
export function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * A field's text with each lone surrogate replaced by U+FFFD (String.prototype.toWellFormed): what PostgreSQL
 * would have stored, so a record stored there before keeps its identity.
 */
export function wellFormedText(text: string): string {
  return isWellFormed(text) ? text : (text as string & { toWellFormed(): string }).toWellFormed();
}

/** A lone surrogate: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A record's JSON text with each lone surrogate written as its JSON escape (`\ud800`, six characters). A raw text
 * holds one when it was decoded from JSON itself (a Graph record's auditData string) or from UTF-16: SQLite kept
 * the three bytes and read back three U+FFFD, PostgreSQL one, and SQLite called the same record arriving again a
 * conflict with itself. JSON allows such a character only inside a string, and never after an escaping
 * backslash, so the escape parses to exactly the same value in every store (as U+0000 is kept: columns.ts).
 */
export function wellFormedJson(text: string): string {
  if (isWellFormed(text)) return text;
  return text.replace(LONE_SURROGATE, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}
