import data from './data/fields.json' with { type: 'json' };
import { lookupKey } from './lookup-key.js';

/**
 * Which top-level AuditData fields each record type documents (spec/schema/fields.json, through
 * scripts/sync-schema.mjs). Names are compared as lookup keys (case and spaces ignored: the schema
 * writes "Delivery Action" where records write DeliveryAction). Undocumented types have no entry.
 */
const common = new Set(data.common.map(lookupKey));
const byType = new Map<number, Set<string>>(
  (data.recordTypes as [number, string[]][]).map(([t, names]) => [t, new Set(names.map(lookupKey))]),
);
const everywhere = new Set([...common, ...[...byType.values()].flatMap((s) => [...s])]);

/** True when the field is documented for the record type (unknown types: for any type). */
export function recordTypeHasField(recordType: number, name: string): boolean {
  const key = lookupKey(name);
  if (common.has(key)) return true;
  const own = byType.get(recordType);
  return own ? own.has(key) : everywhere.has(key);
}

/** True when some record type documents the field. */
export function anyRecordTypeHasField(name: string): boolean {
  return everywhere.has(lookupKey(name));
}
