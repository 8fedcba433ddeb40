import { timeZone, UTC, wallClock } from './timezone.js';

/**
 * A time as the console shows it: "2026-11-20 11:40:10" in the zone chosen in the top bar (UTC unless
 * another is chosen; timezone.ts). Every place that shows one also says the zone (zoneLabel).
 */
export function fmtTime(value: string | number | null | undefined, zone: string = timeZone()): string {
  if (value === null || value === undefined || value === '') return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  if (zone === UTC)
    return d
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d{3}Z$|Z$/, '');
  const w = wallClock(zone, d.getTime());
  const two = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)} ${two(w.hour)}:${two(w.minute)}:${two(w.second)}`;
}

export function fmtCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '…' : n.toLocaleString('en-US');
}

export function fmtLag(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 60_000) return 'now';
  const m = Math.round(ms / 60_000);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}

export function fmtCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? '';
}
