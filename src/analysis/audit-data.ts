/**
 * Reading the raw AuditData of a record for the finer rules of reports and detections. Keys are
 * matched without regard to case (schema.md quirk 15: casing drifts), through ingest/fields.ts;
 * Name/Value arrays (`Parameters`, `ExtendedProperties`, `OperationProperties`) are looked up by
 * lower-cased name. A raw text that is not JSON yields an empty object: one bad record never stops a
 * report.
 */
import { parseBoundedJson } from '../core/json.js';
import type { StoredRecord } from '../core/record.js';
import {
  field as ingestField,
  modifiedProperties as ingestModified,
  nameValues as ingestNameValues,
} from '../ingest/fields.js';

export type AuditData = Record<string, unknown>;

export function auditData(record: Pick<StoredRecord, 'raw'>): AuditData {
  // Bounded: a record stored before the depth bound must not crash a report (core/json.ts).
  const value = parseBoundedJson(record.raw);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as AuditData) : {};
}

/** A top-level field, case-insensitive name (ingest/fields.ts). */
export const field = ingestField;

/** A field as text: strings as they are, numbers and booleans printed, anything else ''. */
export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** Name/Value array → Map keyed by lower-cased name, first value of each (names can repeat). */
export function nameValues(data: AuditData, name: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, values] of ingestNameValues(data, name)) {
    const lower = key.toLowerCase();
    if (!out.has(lower)) out.set(lower, values[0] ?? '');
  }
  return out;
}

export interface ModifiedProperty {
  name: string;
  newValue: string;
  oldValue: string;
}

/** ModifiedProperties with Entra's JSON-encoded values decoded (ingest/fields.ts); absent values are ''. */
export function modifiedProperties(data: AuditData): ModifiedProperty[] {
  return ingestModified(data).map((p) => ({ name: p.name, newValue: p.newValue ?? '', oldValue: p.oldValue ?? '' }));
}

/** One modified property by name (case-insensitive). */
export function modified(data: AuditData, name: string): ModifiedProperty | undefined {
  const lower = name.toLowerCase();
  return modifiedProperties(data).find((p) => p.name.toLowerCase() === lower);
}

export function safeJson(value: string): unknown {
  return parseBoundedJson(value);
}
