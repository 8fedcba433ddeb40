import { AppError } from './errors.js';

/**
 * Time rules, in one place:
 * - Inside tenantwatch every instant is epoch milliseconds, UTC.
 * - Microsoft's CreationTime carries no offset ("2015-06-29T20:03:19") and means UTC; a value that does
 *   carry an offset ("Z", "+02:00") is honoured. Fractions beyond milliseconds (".1234567") are truncated.
 * - A person's input may be an ISO date (midnight UTC), an ISO date-time with or without offset,
 *   `now`, or a relative span back from now (`30m`, `24h`, `7d`, `2w`).
 */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Parses an ISO-8601 instant; no offset means UTC. Returns null when the text is not such a time. */
export function parseIsoUtc(text: string): number | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return null;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  // 24:00 is ISO 8601's end of a day (the next one's start); 24:30 is no time. A second of 60 is a leap second's,
  // read as the next minute's start.
  if (hour === 24 && (minute > 0 || second > 0 || ms > 0)) return null;
  // Date.UTC reads years 0-99 as 1900-1999 (0099 became 1999): set the full year explicitly.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // Date rolls 2026-02-31 over into March; a real calendar date does not.
  if (date.getUTCDate() !== day) return null;
  let t = date.getTime() + hour * HOUR + minute * MINUTE + second * 1000 + ms;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2, 4) || '0');
    // Real offsets run from -12:00 to +14:00; +14:01 and +99:99 are no time zone.
    if (hours * 60 + minutes > 14 * 60 || minutes > 59) return null;
    t -= sign * (hours * HOUR + minutes * MINUTE);
  }
  return t;
}

const SPAN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d|w|y)$/i;
/** A year is 365 days, as retention periods are counted ("keep 1y" = 365d); months are too uneven to offer. */
const UNIT: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: MINUTE,
  min: MINUTE,
  h: HOUR,
  d: DAY,
  w: 7 * DAY,
  y: 365 * DAY,
};

/**
 * The longest span a person can give: 100 years, longer than any audit log is kept, and `now` minus (or plus)
 * it is still a date. Without it `--end 999999999d` became "Invalid time value" deep in a command, and
 * `retention set --keep 99999999999d` was saved and broke every later sweep.
 */
export const MAX_SPAN_MS = 36_500 * DAY;

/**
 * "90m", "24h", "7d", "2w", "1y" → milliseconds; null when the text is not a span. A span longer than MAX_SPAN_MS
 * is refused here (BAD_TIME), so every command and route that reads one says so the same way; `what` names the
 * flag or field it came from ("--keep") in that message; `orDate` says a date is taken there too (a time input):
 * without it the hint offered "a date such as 2026-11-01" to --keep, which refuses one.
 */
export function parseDuration(text: string, what?: string, orDate = false): number | null {
  const m = SPAN.exec(text.trim());
  if (!m) return null;
  const ms = Math.round(Number(m[1]) * UNIT[m[2]!.toLowerCase()]!);
  if (ms > MAX_SPAN_MS) {
    const shown = text.trim().length > 40 ? `${text.trim().slice(0, 40)}…` : text.trim();
    throw new AppError(
      'BAD_TIME',
      `${what ? `The ${what} span` : 'The span'} ${shown} is longer than tenantwatch accepts: the most is 36500d (100 years)`,
      {
        hint: `Give a shorter span such as 7d, 90d or 365d${orDate ? ', or a date such as 2026-11-01' : ''}`,
        details: { input: text, maxMs: MAX_SPAN_MS },
      },
    );
  }
  return ms;
}

/**
 * A time a person typed: an ISO date or date-time (offset honoured, none means UTC), `now`, or a
 * span back from `now` (`7d` means seven days ago). `what` names the input in the error message.
 */
export function parseTimeInput(text: string, now: number, what = 'time'): number {
  const value = text.trim();
  if (value.toLowerCase() === 'now') return now;
  const span = parseDuration(value, what, true);
  if (span !== null) return now - span;
  const t = parseIsoUtc(value);
  if (t !== null) return t;
  throw new AppError('BAD_TIME', `The ${what} "${text}" is not a date or time tenantwatch understands`, {
    hint: 'Use an ISO date such as 2026-11-01, a date-time such as 2026-11-01T08:30:00Z or 2026-11-01T09:30+01:00, "now", or a span back from now such as 24h, 7d or 2w',
    details: { input: text },
  });
}

/** The largest instant a Date holds, either side of 1970. */
const MAX_DATE_MS = 8_640_000_000_000_000;

/** Milliseconds → "2026-11-01T08:30:00.000Z", exactly as Date.toISOString prints it. */
export function toIso(ms: number): string {
  // Date itself where it throws (NaN, beyond its range) or keeps a fraction of a millisecond.
  if (!Number.isInteger(ms) || Math.abs(ms) > MAX_DATE_MS) return new Date(ms).toISOString();
  // The date part formatted once per day, the time by arithmetic: a search page or an export prints one per
  // row, and Date.toISOString was a tenth of the console's first page.
  const into = ms - Math.floor(ms / DAY) * DAY;
  const seconds = Math.floor(into / 1000);
  const millis = into % 1000;
  return `${datePrefix(ms - into)}${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

/** Milliseconds → "2026-11-01T08:30:00Z" (no fraction when it is zero): what people read. */
export function toIsoSeconds(ms: number): string {
  const into = ms - Math.floor(ms / DAY) * DAY;
  if (into % 1000 !== 0) {
    const iso = new Date(ms).toISOString();
    return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
  }
  // Whole seconds (nearly every audit record): the date part formatted once per day, the time by
  // arithmetic. Reports print two of these per row for 100,000+ rows; Date.toISOString cost 0.5 µs each.
  const seconds = into / 1000;
  return `${datePrefix(ms - into)}${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}Z`;
}

const datePrefixes = new Map<number, string>();

/** "2026-11-01T" for a UTC midnight (any year Date can print), remembered for up to 4,096 days. */
function datePrefix(midnight: number): string {
  let prefix = datePrefixes.get(midnight);
  if (prefix === undefined) {
    if (datePrefixes.size >= 4096) datePrefixes.clear();
    const iso = new Date(midnight).toISOString();
    datePrefixes.set(midnight, (prefix = iso.slice(0, iso.indexOf('T') + 1)));
  }
  return prefix;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A half-open interval [start, end) in epoch ms. */
export interface TimeRange {
  start: number;
  end: number;
}

/** Floors an instant to the start of its UTC day. */
export function utcDay(ms: number): number {
  return ms - (((ms % DAY) + DAY) % DAY);
}
