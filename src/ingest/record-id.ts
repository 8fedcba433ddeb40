import { createHash } from 'node:crypto';

/**
 * A stable Id for a record that has none (Id is the de-duplication key, DESIGN.md data model).
 * sha256 over a canonical form of the record (keys sorted at every level), so the same record read
 * from a CSV cell or an NDJSON line gets the same Id. The `derived:` prefix means it can never equal
 * a real Microsoft Id (a GUID).
 */
export const DERIVED_ID_PREFIX = 'derived:';

export function derivedRecordId(record: unknown): string {
  const digest = createHash('sha256').update(canonicalJson(record)).digest('hex');
  return DERIVED_ID_PREFIX + digest.slice(0, 40);
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => JSON.stringify(key) + ':' + canonicalJson((value as Record<string, unknown>)[key]));
  return '{' + entries.join(',') + '}';
}
