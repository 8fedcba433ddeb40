import { parseBoundedJson } from '../core/json.js';
import type { AuditRecord } from '../core/record.js';
import { emptyExtracted, extractFields, type Extracted } from './extract.js';
import { nameValues } from './fields.js';
import { wellFormedText } from './well-formed.js';

/** The fields of a record that reports read often enough to keep as columns beside the raw text. */
export type RecordFacts = Pick<AuditRecord, 'userAgent' | 'appId' | 'logonType'>;

/**
 * The user agent (UserAgent, or ExtendedProperties' UserAgent in Entra sign-ins: ecs-mapping.md), the
 * acting application (ClientAppId, else AppId, lower case) and Exchange's LogonType (a number or a
 * numeric string: schema.md, coerce), from a record's extracted top-level fields.
 */
export function recordFacts(f: Extracted): RecordFacts {
  return {
    userAgent: nonEmpty(f.userAgent) ?? extendedUserAgent(f.extendedProperties),
    appId: (nonEmpty(f.clientAppId) ?? nonEmpty(f.appId))?.toLowerCase() ?? null,
    logonType: toInteger(f.logonType),
  };
}

/**
 * The same facts from a stored raw AuditData text: for rows stored before these columns existed (the
 * stores' backfill). A text that is not a JSON object has none.
 */
export function recordFactsFromRaw(raw: string): RecordFacts {
  const parsed = parseBoundedJson(raw);
  const fields = emptyExtracted();
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
    extractFields(parsed as Record<string, unknown>, fields, false);
  return recordFacts(fields);
}

function extendedUserAgent(value: unknown): string | null {
  if (value === undefined) return null;
  for (const [name, values] of nameValues({ ExtendedProperties: value }, 'ExtendedProperties')) {
    if (name.toLowerCase() === 'useragent') return nonEmpty(values[0]);
  }
  return null;
}

/** A non-empty string, lone surrogates as U+FFFD (well-formed.ts), as normalize.ts keeps every text column. */
function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? wellFormedText(value) : null;
}

function toInteger(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return columnInteger(n) ? n : null;
}

/**
 * Whether a number fits the stores' integer columns (record_type, user_type, logon_type): PostgreSQL's
 * `integer` is 32 bits, and one value past it (a RecordType of 3000000000 in an edited export) failed the
 * whole statement, so the import stopped and a collector could never commit the blob holding it. SQLite would
 * have kept it: the same bound for both keeps their answers alike. Microsoft's values are small enumerations.
 */
export function columnInteger(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= -2_147_483_648 && n <= 2_147_483_647;
}
