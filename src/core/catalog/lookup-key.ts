/**
 * The one way catalogue lookups compare names: case-insensitive, spaces ignored, en/em dashes read as
 * hyphens (schema.md "How to use them together" step 2, and quirk 8: one Entra operation is emitted
 * with an en dash and a trailing space).
 */
export function lookupKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\s\u00a0]+/g, '')
    .replace(/[\u2013\u2014]/g, '-');
}
