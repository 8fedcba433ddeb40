import { recordTypeName } from '../../core/catalog/index.js';
import type { AuditRecord } from '../../core/record.js';
import type { SearchFilterInput } from '../filters.js';
import { OPERATIONS, RARE_WORD, TENANTS, UNCOMMON_WORD } from './generate.js';

/**
 * Random search filters for the property test, drawn from the records themselves (so most queries
 * find something) mixed with values that find nothing, in the spellings people type: any case,
 * friendly operation names, record type names, IPs with ports or ::ffff:, CIDR blocks, LIKE wildcards.
 */
export function randomFilters(
  next: () => number,
  records: readonly AuditRecord[],
  span: { start: number; end: number },
  always?: keyof SearchFilterInput,
): SearchFilterInput {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const sample = (): AuditRecord => pick(records);
  const input: SearchFilterInput = timeRange(next, sample, span);
  const makers: [keyof SearchFilterInput, () => string][] = [
    [
      'user',
      () => (next() < 0.9 ? recase(next, sample().userId ?? 'nobody@nowhere.example') : 'nobody@nowhere.example'),
    ],
    [
      'operation',
      () =>
        pick([
          ...OPERATIONS.map((o) => recase(next, o[0])),
          'Accessed file',
          'Shared file, folder, or site',
          'New-Widget',
          'fileaccessed, send',
        ]),
    ],
    [
      'recordType',
      () => (next() < 0.5 ? String(sample().recordType) : recase(next, recordTypeName(sample().recordType))),
    ],
    ['workload', () => recase(next, sample().workload ?? 'Exchange')],
    ['ip', () => ipSpelling(next, sample().clientIp)],
    ['object', () => substring(next, sample().objectId ?? '/sites/Team1/', 3, 25)],
    [
      'freeText',
      () =>
        pick([
          RARE_WORD,
          UNCOMMON_WORD.toLowerCase(),
          'iPhone',
          'ROADMAP',
          'S-1-5-21',
          '50126',
          'forwardingsmtpaddress',
          '%',
          '_adatum_',
          '"Type":5',
          'überweisung',
          substring(next, sample().raw, 4, 20),
        ]),
    ],
    ['tenant', () => pick(TENANTS)],
  ];
  // Long ranges get at least two filters, as real investigations do (and the test stays fast).
  const long = Date.parse(input.end!) - Date.parse(input.start!) > 7 * 86_400_000;
  const wanted = (long ? 2 : 1) + Math.floor(next() * 3);
  for (let i = 0; i < wanted; i++) {
    // `always` (e.g. freeText) is the first filter drawn, to aim queries at one store path.
    const [key, make] = i === 0 && always ? makers.find(([k]) => k === always)! : pick(makers);
    const values = Array.from({ length: next() < 0.75 ? 1 : 2 }, make);
    (input[key] as string[] | undefined) = [...((input[key] as string[] | undefined) ?? []), ...values];
  }
  return input;
}

/**
 * Ranges of a few hours up to the whole span, in every spelling the parser takes; a third start or
 * end exactly on a record's instant, so [start, end) is checked at its edges.
 */
function timeRange(
  next: () => number,
  sample: () => AuditRecord,
  span: { start: number; end: number },
): SearchFilterInput {
  // Mostly the ranges investigations use (hours to a week); a month or everything now and then.
  const lengths = [
    3_600_000,
    6 * 3_600_000,
    86_400_000,
    86_400_000,
    7 * 86_400_000,
    7 * 86_400_000,
    30 * 86_400_000,
    span.end - span.start,
  ];
  const length = lengths[Math.floor(next() * lengths.length)]!;
  let start = span.start + Math.floor(next() * Math.max(1, span.end - span.start - length));
  let end = start + length;
  if (next() < 0.33) start = sample().creationTime;
  if (next() < 0.33) end = sample().creationTime;
  if (end <= start) end = start + length;
  const iso = (t: number): string =>
    next() < 0.5 ? new Date(t).toISOString() : new Date(t + 2 * 3_600_000).toISOString().slice(0, 19) + '+02:00';
  return { start: iso(start), end: iso(end) };
}

function recase(next: () => number, text: string): string {
  const r = next();
  if (r < 0.4) return text;
  if (r < 0.6) return text.toLowerCase();
  if (r < 0.8) return text.toUpperCase();
  return [...text].map((c) => (next() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
}

function substring(next: () => number, text: string, min: number, max: number): string {
  const length = Math.min(text.length, min + Math.floor(next() * (max - min)));
  const from = Math.floor(next() * Math.max(1, text.length - length));
  const part = text.slice(from, from + length).replace(/,/g, ' ');
  return recase(next, part.trim() === '' ? 'x' : part);
}

function ipSpelling(next: () => number, ip: string | null): string {
  const r = next();
  if (ip === null || r < 0.1)
    return ['203.0.113.0/24', '10.0.0.0/8', '2001:db8::/32', '2001:db8:3::/48', '198.51.100.0/25', '192.0.2.1'][
      Math.floor(next() * 6)
    ]!;
  if (ip.includes(':')) return r < 0.5 ? ip.toUpperCase() : `[${ip}]:443`;
  if (r < 0.4) return ip;
  if (r < 0.6) return `${ip}:50123`;
  if (r < 0.8) return `::ffff:${ip}`;
  return `${ip.split('.').slice(0, 3).join('.')}.0/24`;
}
