import { createHash } from 'node:crypto';
import type { AuditRecord } from '../core/record.js';
import { isODataAnnotation } from '../core/json.js';
import { canonicalKey } from '../core/guid.js';

/**
 * Records that share a stored record's (tenant, Id) but not its content (issue 18, acceptance: "duplicate
 * Ids with different content, counted as conflicts, not silently dropped"; docs/adr/0030-conflicts-large-records-heavy-queries.md).
 * The record stored first stays, unchanged (search, the tail and every consumer already saw it); the other
 * content goes to the `record_conflicts` table of the same store, in the same transaction, so it stays
 * recoverable whichever path brought it (collector or import). The same conflicting content seen again
 * (a re-import) is counted again but kept once (keyed by its sha256).
 */

/** The columns of record_conflicts, in insert order. */
export const CONFLICT_COLUMNS = ['tenant', 'id', 'raw_sha256', 'raw', 'source', 'seen_at'] as const;

export function conflictValues(r: AuditRecord, seenAt: number): (string | number)[] {
  return conflictRow(r, r.raw, r.source, seenAt);
}

/** The values of a record_conflicts row: this content seen for the stored key at `seenAt`. */
export function conflictRow(
  key: { tenant: string; id: string },
  raw: string,
  source: string,
  seenAt: number,
): (string | number)[] {
  return [key.tenant, key.id, sha256(raw), raw, source, seenAt];
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Whether two raw texts hold the same record: the same text, or the same JSON once key order and
 * whitespace are set aside (the same record exported by Purview and sent by the Management API is
 * not always written with its keys in one order), and without the OData annotations a Graph copy
 * carried. Parsing also makes a record stored with `\u` escapes (`Caf\u00e9`, before normalization wrote them
 * as characters: ADR 0011) the same as its copy collected since (`Café`). Anything else, a value changed,
 * added or removed, is a conflict.
 */
export function sameContent(stored: string, incoming: string): boolean {
  if (stored === incoming) return true;
  try {
    return canonicalRecord(JSON.parse(stored)) === canonicalRecord(JSON.parse(incoming));
  } catch {
    // Not JSON, or nested deeper than the stack allows (a record stored before the depth bound):
    // texts that differ are then different content.
    return false;
  }
}

/**
 * The record's canonical text without its top-level OData annotations: a Graph history fill stored them
 * inside raw before normalizing dropped them (ingest/normalize.ts withoutODataAnnotations), and the
 * Management API's copy of the same record, arriving later, has none. Its Id and OrganizationId are read as the
 * keys they are (a GUID in lower case, ADR 0039): the copy of a file that wrote them in upper case is the record
 * the Management API sends in lower case, not a conflict with it.
 */
function canonicalRecord(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return canonical(value);
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([k]) => !isODataAnnotation(k))
    .map(([k, v]) => (typeof v === 'string' && KEY_FIELDS.has(k.toLowerCase()) ? [k, canonicalKey(v)] : [k, v]));
  return canonical(Object.fromEntries(entries));
}

/** The top-level fields that hold a record's key (normalization reads them in any case of the name). */
const KEY_FIELDS = new Set(['id', 'organizationid']);

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
