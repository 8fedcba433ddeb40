import data from './data/record-types.json' with { type: 'json' };
import { lookupKey } from './lookup-key.js';

/**
 * AuditLogRecordType catalogue (spec/schema/record-types.json). Unknown numbers are kept as numbers
 * and labelled `RecordType_<n>` (schema.md "Completeness and gaps": a parser must keep them).
 */
export interface RecordTypeInfo {
  value: number;
  name: string;
  /** Product area; matches the literal Workload for most types; null when unsure. */
  workload: string | null;
  description: string;
}

type Row = [number, string, string | null, string, string, string | null, string[]?];

const rows = data.rows as unknown as Row[];
const byValue = new Map<number, RecordTypeInfo>();
const byKey = new Map<string, number>();

for (const [value, name, workload, description] of rows) {
  byValue.set(value, { value, name, workload, description });
}
// Names first and current entries before graph-inferred ones, so that a name claimed twice
// (MicrosoftGraphDataConnectConsent: 217 per the doc, 219 per Graph enum order) resolves to the documented number.
const ranked = [...rows].sort((a, b) => rank(a[4]) - rank(b[4]));
for (const [value, name, , , , graphMember] of ranked) {
  claim(name, value);
  if (graphMember) claim(graphMember, value);
}
for (const [value, , , , , , aliases] of ranked) for (const alias of aliases ?? []) claim(alias, value);

function rank(status: string): number {
  return status === 'current' ? 0 : status === 'historical' ? 1 : 2;
}

function claim(name: string, value: number): void {
  const key = lookupKey(name);
  if (!byKey.has(key)) byKey.set(key, value);
}

/** Number → name; unknown numbers become `RecordType_<n>`. */
export function recordTypeName(n: number): string {
  return byValue.get(n)?.name ?? `RecordType_${n}`;
}

export function recordTypeInfo(n: number): RecordTypeInfo | undefined {
  return byValue.get(n);
}

const UNKNOWN_LABEL = /^recordtype_(-?\d+)$/;
const INTEGER = /^-?\d+$/;

/**
 * A record type as a person or a record spells it: a number, a numeric string ("15", also "1.5e1"
 * from stringly JSON), a name (`SharePointFileOperation`), an alias (`Yammer`), a Graph member
 * (`sharePointFileOperation`) or our own `RecordType_<n>` label. Case-insensitive, spaces ignored.
 */
export function resolveRecordType(input: string | number): number | null {
  if (typeof input === 'number') return Number.isInteger(input) ? input : null;
  const key = lookupKey(input);
  if (key === '') return null;
  if (INTEGER.test(key)) return Number(key);
  const known = byKey.get(key);
  if (known !== undefined) return known;
  const label = UNKNOWN_LABEL.exec(key);
  if (label) return Number(label[1]);
  const numeric = Number(key);
  return Number.isInteger(numeric) ? numeric : null;
}

/** Every known record type, in number order (for pickers and docs). */
export function recordTypes(): RecordTypeInfo[] {
  return [...byValue.values()].sort((a, b) => a.value - b.value);
}
