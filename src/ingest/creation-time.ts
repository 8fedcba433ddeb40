import { parseIsoUtc } from '../core/time.js';

/**
 * CreationTime per core/time.ts (no offset = UTC), read at import rates. Nearly every record writes
 * `YYYY-MM-DDTHH:MM:SS` with an optional fraction and `Z`: that shape is read digit by digit (the regex
 * of parseIsoUtc was 6% of an import's CPU); anything else — offsets, spaces, commas, a leap second, an
 * impossible date — goes to parseIsoUtc, and `creation-time.test.ts` checks both agree.
 * Real exports hold seconds past 59 (a Splunk example record has "2023-10-10T17:08:65"): rolled over
 * into the next minute rather than losing the record; `raw` keeps what was written.
 */
export function parseCreationTime(value: string): number | null {
  const fast = commonIso(value);
  if (fast !== null) return fast;
  const t = parseIsoUtc(value);
  if (t !== null) return t;
  const overflow = OVERFLOW_SECONDS.exec(value.trim());
  if (!overflow) return null;
  const base = parseIsoUtc(`${overflow[1]}:00${overflow[3]}`);
  return base === null ? null : base + Number(overflow[2]) * 1000;
}

const OVERFLOW_SECONDS = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}):([6-9]\d)(.*)$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `YYYY-MM-DDTHH:MM:SS[.f+][Z]` with a real calendar date and time, else null (the caller falls back). */
export function commonIso(v: string): number | null {
  const n = v.length;
  if (
    n < 19 ||
    v.charCodeAt(4) !== 45 ||
    v.charCodeAt(7) !== 45 ||
    v.charCodeAt(10) !== 84 ||
    v.charCodeAt(13) !== 58 ||
    v.charCodeAt(16) !== 58
  )
    return null;
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 2);
  const day = digits(v, 8, 2);
  const hour = digits(v, 11, 2);
  const minute = digits(v, 14, 2);
  const second = digits(v, 17, 2);
  if (
    year < 1000 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    hour < 0 ||
    minute < 0 ||
    second < 0
  )
    return null;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  if (day > DAYS[month - 1]! + leap) return null;
  let i = 19;
  let ms = 0;
  if (i < n && v.charCodeAt(i) === 46) {
    let count = 0;
    for (i++; i < n; i++, count++) {
      const c = v.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (count < 3) ms = ms * 10 + c;
    }
    if (count === 0) return null;
    for (; count < 3; count++) ms *= 10;
  }
  if (i < n && (v.charCodeAt(i) === 90 || v.charCodeAt(i) === 122)) i++;
  if (i !== n) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The number written by `length` ASCII digits at `from`, or -1. */
function digits(v: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}
