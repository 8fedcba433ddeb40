import { resolveOperations, resolveRecordType } from '../core/catalog/index.js';
import { AppError } from '../core/errors.js';
import { parseIpFilter } from '../core/ip.js';
import { quoted } from '../core/quote.js';
import type { IpFilter, SearchQuery } from '../core/search-query.js';
import { parseTimeInput } from '../core/time.js';
import { closeRecordTypeNames } from './suggest.js';
import { dedupe, dedupeBy, dedupeCaseless } from './dedupe.js';
import { freeTextForms } from './free-text.js';
import { columnInteger } from '../ingest/facts.js';

/**
 * A person's search filters, as text, exactly as they arrive from CLI flags, HTTP query parameters
 * or report parameters. Every list filter may be given several times and each value may hold
 * several comma-separated values (OR within a filter, AND across filters: DESIGN.md search model).
 */
export interface SearchFilterInput {
  start?: string;
  end?: string;
  user?: string[];
  operation?: string[];
  recordType?: string[];
  workload?: string[];
  ip?: string[];
  object?: string[];
  freeText?: string[];
  tenant?: string[];
}

/** Bounds that keep a pasted file or a runaway script from becoming a query the store chokes on. */
export const MAX_VALUES_PER_FILTER = 1_000;
export const MAX_VALUE_CHARS = 2_000;

/**
 * The name a person knows each filter by, in messages (the CLI flag; the API uses the camelCase key). Messages and
 * hints name the filter, never `--flag` alone: the API and the reports answer with them too.
 */
const LABEL: Record<keyof SearchFilterInput, string> = {
  start: 'start',
  end: 'end',
  user: 'user',
  operation: 'operation',
  recordType: 'record-type',
  workload: 'workload',
  ip: 'ip',
  object: 'object',
  freeText: 'free-text',
  tenant: 'tenant',
};

type ListKey = Exclude<keyof SearchFilterInput, 'start' | 'end'>;

/**
 * Turns filters into the validated SearchQuery every store understands. The one parser the CLI, the
 * HTTP API and the reports share, so a filter means the same thing everywhere. `now` anchors the
 * relative times (`7d`, `now`).
 * Throws BAD_TIME for a missing or unreadable time or an empty range, BAD_FILTER naming the filter,
 * the value and what is accepted for anything else.
 */
export function parseSearchFilters(input: SearchFilterInput, now: number): SearchQuery {
  const range = parseRange(input, now);
  const query: SearchQuery = { range };
  const tenants = values(input, 'tenant', true);
  if (tenants.length) query.tenants = dedupe(tenants);
  const users = values(input, 'user', true);
  if (users.length) query.users = dedupe(users.map((u) => u.toLowerCase()));
  const operations = parseOperations(input.operation);
  if (operations.length) query.operations = operations;
  const recordTypes = values(input, 'recordType', true).map(parseRecordType);
  if (recordTypes.length) query.recordTypes = [...new Set(recordTypes)];
  const workloads = values(input, 'workload', true);
  if (workloads.length) query.workloads = dedupeCaseless(workloads);
  const ips = values(input, 'ip', true).map(parseIp);
  if (ips.length) query.ips = dedupeBy(ips, (f) => JSON.stringify(f));
  // ObjectIds (URLs, paths) and free text may legitimately contain commas: those values are never split.
  const objects = values(input, 'object', false);
  if (objects.length) query.objects = dedupeCaseless(objects);
  const freeText = values(input, 'freeText', false);
  // Each term also in the forms raw JSON writes it (escaped quotes, backslashes, \u escapes): search/free-text.ts.
  if (freeText.length) query.freeText = dedupeCaseless(freeText.flatMap(freeTextForms));
  return query;
}

function parseRange(input: SearchFilterInput, now: number): { start: number; end: number } {
  if (input.start === undefined || input.start.trim() === '') {
    throw new AppError('BAD_TIME', 'A search needs a start time', {
      hint: 'Give --start (API: start=) as an ISO date such as 2026-11-01, a date-time, or a span back from now such as 7d',
    });
  }
  if (input.end === undefined || input.end.trim() === '') {
    throw new AppError('BAD_TIME', 'A search needs an end time', {
      hint: 'Give --end (API: end=) as an ISO date or date-time, or "now"',
    });
  }
  checkLength('start', input.start);
  checkLength('end', input.end);
  const start = parseTimeInput(input.start, now, 'start time');
  const end = parseTimeInput(input.end, now, 'end time');
  if (!(start < end)) {
    throw new AppError(
      'BAD_TIME',
      `The start (${new Date(start).toISOString()}) is not before the end (${new Date(end).toISOString()})`,
      {
        hint: 'The range is [start, end): give a start earlier than the end',
        details: { start: input.start, end: input.end },
      },
    );
  }
  return { start, end };
}

/**
 * The non-empty, trimmed values of one filter, split on commas when `split`; bounded in number and
 * size (counted before splitting further, so a pasted megabyte of commas fails fast).
 */
function values(input: SearchFilterInput, key: ListKey, split: boolean): string[] {
  const given = input[key];
  if (given === undefined) return [];
  const out: string[] = [];
  for (const raw of given) {
    const parts = split ? raw.split(',') : [raw];
    checkCount(key, out.length + parts.length);
    for (const part of parts) out.push(nonEmpty(key, checkLength(key, part), raw));
  }
  return out;
}

/**
 * Operations: an exact operation in any case or a Purview friendly name ("Accessed file"), resolved
 * through the activity catalogue. A whole value is tried first, since friendly names hold commas
 * ("Shared file, folder, or site"); otherwise it is split on commas. A name the catalogue does not
 * know is still searched as given: any Exchange cmdlet can be an operation.
 */
function parseOperations(given: string[] | undefined): string[] {
  if (!given) return [];
  const out: string[] = [];
  let count = 0;
  for (const raw of given) {
    const whole = raw.trim();
    const parts = whole.includes(',') && resolveOperations(whole).length === 0 ? raw.split(',') : [raw];
    count += parts.length;
    checkCount('operation', count);
    for (const part of parts) {
      const value = nonEmpty('operation', checkLength('operation', part), raw);
      out.push(...resolveOperations(value), value);
    }
  }
  return dedupeCaseless(out);
}

/** The largest record type number a record can carry (a 32-bit column; ingest stores none past it). */
const MAX_RECORD_TYPE = 2_147_483_647;

function parseRecordType(value: string): number {
  const n = resolveRecordType(value);
  // Past 32 bits no record is stored (ingest refuses it), and PostgreSQL fails the query on such a number. Microsoft's
  // record types are numbered from 0: -1 was taken and matched nothing, which read as "no such activity".
  if (columnInteger(n) && n >= 0) return n;
  if (n !== null) {
    throw new AppError(
      'BAD_FILTER',
      `The record type ${quoted(value)} is not a record type number: a record type is a name or a whole number from 0 to ${MAX_RECORD_TYPE}`,
      {
        hint: 'Use a record type name such as SharePointFileOperation or AzureActiveDirectoryStsLogon, or its number (6, 15)',
        details: { filter: 'record-type', value: clip(value), suggestions: [] },
      },
    );
  }
  const close = closeRecordTypeNames(value);
  throw new AppError('BAD_FILTER', `The record type ${quoted(value)} is neither a record type name nor a number`, {
    hint: close.length
      ? `Did you mean ${close.join(', ')}? A number such as 6 or 15 is accepted too`
      : 'Use a record type name such as SharePointFileOperation or AzureActiveDirectoryStsLogon, or its number (6, 15)',
    details: { filter: 'record-type', value: clip(value), suggestions: close },
  });
}

function parseIp(value: string): IpFilter {
  const filter = parseIpFilter(value);
  if (filter) return filter;
  throw new AppError('BAD_FILTER', `The IP filter ${quoted(value)} is not an IP address or CIDR block`, {
    hint: 'Use an IPv4 or IPv6 address (a port is ignored: 203.0.113.7:443, [2001:db8::1]:443) or a block such as 203.0.113.0/24 or 2001:db8::/32',
    details: { filter: 'ip', value: clip(value) },
  });
}

function nonEmpty(key: ListKey, part: string, raw: string): string {
  const value = part.trim();
  if (value !== '') return value;
  throw new AppError(
    'BAD_FILTER',
    `The ${LABEL[key]} filter has an empty value${raw.trim() === '' ? '' : ` in ${quoted(raw)}`}`,
    {
      hint: `Leave no ${LABEL[key]} value empty: separate several with single commas, or repeat the filter`,
      details: { filter: LABEL[key], value: clip(raw) },
    },
  );
}

/**
 * Bounds one value's length, and refuses the NUL character: no audit field holds one, and SQLite's
 * string functions stop at it, so "\0abc" would otherwise silently become "match everything".
 */
function checkLength(key: keyof SearchFilterInput, value: string): string {
  if (value.includes('\u0000')) {
    throw new AppError('BAD_FILTER', `The ${LABEL[key]} value contains a NUL character`, {
      hint: 'Remove the NUL (\\0) character; no audit record contains one',
      details: { filter: LABEL[key] },
    });
  }
  if (value.length <= MAX_VALUE_CHARS) return value;
  throw new AppError(
    'BAD_FILTER',
    `The ${LABEL[key]} value is ${value.length} characters long; the most accepted is ${MAX_VALUE_CHARS}`,
    {
      hint: 'Search for a shorter, distinctive part of the value',
      details: { filter: LABEL[key], length: value.length },
    },
  );
}

function checkCount(key: ListKey, n: number): void {
  if (n <= MAX_VALUES_PER_FILTER) return;
  throw new AppError(
    'BAD_FILTER',
    `The ${LABEL[key]} filter has ${n} values; the most accepted in one search is ${MAX_VALUES_PER_FILTER}`,
    {
      hint: 'Split the search into several, or narrow it with a CIDR block or another filter',
      details: { filter: LABEL[key], count: n },
    },
  );
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
