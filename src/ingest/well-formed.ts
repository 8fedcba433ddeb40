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
