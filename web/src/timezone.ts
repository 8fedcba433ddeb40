import { useSyncExternalStore } from 'react';

/**
 * The time zone the console shows times in: UTC (as the records carry them) unless the person picks
 * another in the top bar. Kept in localStorage so it survives a reload; every place that shows a time
 * also says the zone (zoneLabel), because a time without its zone is the mistake this guards against.
 * Searches and exports stay in UTC on the server: a time typed without an offset means UTC, and the
 * date pickers write the offset of the chosen zone.
 */
export const UTC = 'UTC';
const KEY = 'tenantwatch.timeZone';
const listeners = new Set<() => void>();

function valid(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

let current: string = (() => {
  try {
    const saved = localStorage.getItem(KEY);
    return saved && valid(saved) ? saved : UTC;
  } catch {
    return UTC;
  }
})();

export function timeZone(): string {
  return current;
}

export function setTimeZone(zone: string): void {
  if (!valid(zone) || zone === current) return;
  current = zone;
  try {
    localStorage.setItem(KEY, zone);
  } catch {
    // private mode: the choice lasts for this page only
  }
  for (const l of listeners) l();
}

/** Re-renders the caller when the zone changes; returns the zone. */
export function useTimeZone(): string {
  return useSyncExternalStore((l) => (listeners.add(l), () => listeners.delete(l)), timeZone, timeZone);
}

/** The browser's own zone, offered first after UTC. */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || UTC;
}

/** Every zone the browser knows (IANA names), UTC and the local zone first. */
export function zoneChoices(): string[] {
  const all = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return [...new Set([UTC, localZone(), ...all])];
}

/** The wall-clock fields of instant `at` in `zone` (month 1–12, hour 0–23). */
export function wallClock(
  zone: string,
  at: number,
): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number> {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** Minutes east of UTC of `zone` at `at` (Berlin in winter: 60). */
export function offsetMinutes(zone: string, at: number): number {
  if (zone === UTC) return 0;
  const w = wallClock(zone, at);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(at / 1000) * 1000) / 60_000);
}

export function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** The zone as a heading says it: "UTC", or "Europe/Berlin, UTC+01:00" (the offset now). */
export function zoneLabel(zone: string = current, at: number = Date.now()): string {
  return zone === UTC ? UTC : `${zone}, UTC${offsetText(offsetMinutes(zone, at))}`;
}

/**
 * A wall-clock time picked in `zone` ("2026-11-20T10:00" from a datetime-local input) as ISO 8601 with
 * that zone's offset, which the API reads exactly ("2026-11-20T10:00:00+01:00"). The offset is the one
 * in force at that moment (daylight saving), found by two passes.
 */
export function wallClockToIso(local: string, zone: string = current): string {
  const withSeconds = local.length === 16 ? `${local}:00` : local;
  if (zone === UTC) return `${withSeconds}Z`;
  const naive = Date.parse(`${withSeconds}Z`);
  let offset = offsetMinutes(zone, naive);
  offset = offsetMinutes(zone, naive - offset * 60_000);
  return `${withSeconds}${offsetText(offset)}`;
}

const ABSOLUTE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * What a period field holds as a datetime-local value in `zone` ("2026-11-20T10:00"), so that its calendar opens
 * on it: the calendar's own value was never set and opened on today. A time without an offset is UTC, as the
 * API reads it; a span or "now" has no one instant to show and gives "".
 */
export function isoToWallClock(text: string, zone: string = current): string {
  const m = ABSOLUTE.exec(text.trim());
  if (!m) return '';
  // "+01" and "+0100" as Date.parse takes them: "+01:00".
  const offset =
    !m[4] || /^z$/i.test(m[4]) ? 'Z' : m[4].replace(/^([+-]\d{2}):?(\d{2})?$/, (_, h, mm) => `${h}:${mm ?? '00'}`);
  const at = Date.parse(`${m[1]}T${m[2] ?? '00:00'}:${m[3] ?? '00'}${offset}`);
  if (Number.isNaN(at)) return '';
  const w = wallClock(zone, at);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}`;
}
