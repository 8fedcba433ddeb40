/**
 * Pure readers over a parsed AuditData object, for reports and detections (schema.md quirks 6 and 7).
 * Field names are matched without regard to case, because the same field arrives as PascalCase,
 * lowerCamel or lower case depending on the transport.
 */

import { parseBoundedJson } from '../core/json.js';

type Json = Record<string, unknown>;

/** Case-insensitive top-level lookup; an exact match wins over a case-folded one. */
export function field(record: object, name: string): unknown {
  const obj = record as Json;
  if (name in obj) return obj[name];
  const wanted = name.toLowerCase();
  for (const key in obj) if (key.toLowerCase() === wanted) return obj[key];
  return undefined;
}

/**
 * A Name/Value array (Parameters, ExtendedProperties, OperationProperties, DeviceProperties, Settings…)
 * as a map from name to every value given under it, in order (names can repeat). Accepts the array,
 * or the same array JSON-encoded in a string (stringly records: OperationProperties "[{…}]"). A plain
 * string that is not such an array (Parameters of Security & Compliance records) gives an empty map:
 * read it with `field()`.
 */
export function nameValues(record: object, fieldName: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const item of asArray(field(record, fieldName))) {
    if (typeof item !== 'object' || item === null) continue;
    const name = field(item, 'Name');
    if (typeof name !== 'string') continue;
    const value = valueText(field(item, 'Value'));
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

export interface ModifiedProperty {
  name: string;
  oldValue: string | null;
  newValue: string | null;
}

/**
 * ModifiedProperties in its two shapes: `{Name, OldValue, NewValue}` objects (Entra, Exchange admin,
 * SharePoint), where Entra JSON-encodes values (`"[\"a\"]"` → `a`, several values joined by ", "); and
 * the plain string array of ExchangeMailboxItem records (property names only, no values).
 */
export function modifiedProperties(record: object): ModifiedProperty[] {
  const out: ModifiedProperty[] = [];
  for (const item of asArray(field(record, 'ModifiedProperties'))) {
    if (typeof item === 'string') {
      out.push({ name: item, oldValue: null, newValue: null });
      continue;
    }
    if (typeof item !== 'object' || item === null) continue;
    const name = field(item, 'Name');
    if (typeof name !== 'string') continue;
    out.push({ name, oldValue: decodeValue(field(item, 'OldValue')), newValue: decodeValue(field(item, 'NewValue')) });
  }
  return out;
}

function asArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' && value.trimStart().startsWith('[')) {
    // Not an encoded array (or one too deep to walk): the caller reads the string itself.
    const parsed = parseBoundedJson(value);
    if (Array.isArray(parsed)) return parsed;
  }
  return [];
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

/** Entra writes `"[\"value\"]"` / `"[]"`; anything that is not a JSON array of scalars stays as written. */
function decodeValue(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const textValue = valueText(value);
  const trimmed = textValue.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) return textValue;
  // "[] => [[Id: …]]" and other free text: kept as written.
  const parsed = parseBoundedJson(trimmed);
  if (Array.isArray(parsed) && parsed.every((v) => v === null || typeof v !== 'object')) {
    return parsed.map((v) => (v === null ? '' : String(v as string | number | boolean))).join(', ');
  }
  return textValue;
}
