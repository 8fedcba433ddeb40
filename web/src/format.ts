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

/**
 * A sentence from the server with its instants ("audit-config check of 2026-12-02T15:54:48Z") shown as the
 * console shows every time: in the chosen zone, with the zone said ("2026-12-02 10:54:48 America/New_York").
 * The CLI and the exports keep the ISO form.
 */
export function localTimes(text: string, zone: string = timeZone()): string {
  return text.replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z\b/g, (iso) => `${fmtTime(iso, zone)} ${zone}`);
}

export function fmtCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '…' : n.toLocaleString('en-US');
}

/**
 * A count and its noun as a sentence says it: "1 hit", "3 hits", "2 changes" (the page said "1 hit(s)"). The
 * CLI's own is src/core/words.ts; the console imports nothing from src but the API types, so it keeps this one.
 */
export function countOf(n: number, noun: string): string {
  const plural = /[^aeiou]y$/i.test(noun)
    ? `${noun.slice(0, -1)}ies`
    : /(s|x|z|ch|sh)$/i.test(noun)
      ? `${noun}es`
      : `${noun}s`;
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : plural}`;
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

/**
 * The explicit bidirectional controls (embeddings, overrides, isolates and their ends): in a value from a
 * record they make the text show in another order than it is — "invoice\u202Efdp.exe" reads "invoiceexe.pdf",
 * "admin\u202Eexe.txt" reads "admintxt.exe" (CVE-2021-42574, "Trojan Source"). The CLI turns them into spaces
 * (core/terminal.ts); the console shows where they are, which is what an investigator needs to know.
 */
// The direction marks too (U+200E, U+200F, U+061C): invisible, they move the neutral characters around them.
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text from a record or a person as the console shows it: each bidi control as a visible ⟨U+202E⟩. */
export function visible(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase()}⟩`);
}

export function fmtCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return visible(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return visible(JSON.stringify(v) ?? '');
}

/** A value as a person reads it: lists joined, objects as "name value" pairs, never a JSON literal. */
function plain(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  // An empty list or object ("query: " of a search with no filters) said nothing at all.
  if (Array.isArray(v)) return v.length ? v.map(plain).join(', ') : '(none)';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    return entries.length ? entries.map(([k, x]) => `${k} ${plain(x)}`).join(' · ') : '(none)';
  }
  return JSON.stringify(v) ?? '';
}

/**
 * An entry's details, one line per field ("query start 7d · end now · workload SharePoint", "status 200"):
 * they showed as a raw JSON line. The exact JSON stays on hover and in the exports.
 */
export function detailLines(details: Record<string, unknown>): string[] {
  return Object.entries(details).map(([k, v]) => visible(`${k}: ${plain(v)}`));
}

/**
 * Whether a time typed into a form looks complete (`now`, a span such as `7d`, a date or a date-time): a loose
 * mirror of the server's grammar (src/core/time.ts), which still decides. Background lookups wait for it, so a
 * date half typed ("2026-1") does not send a request the server can only refuse.
 */
export function looksLikeTime(text: string): boolean {
  const v = text.trim();
  return (
    /^now$/i.test(v) ||
    /^\d+(?:\.\d+)?\s*(?:ms|s|m|min|h|d|w|y)$/i.test(v) ||
    /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)?$/.test(v)
  );
}

/**
 * A rule's runbook as paragraphs: the pack writes it in YAML wrapped at about 100 columns, and those breaks, kept,
 * cut every line short in a narrow pane. A line joins the one before it unless it starts a paragraph: after a blank
 * line, or as a label ("Check:", "Do:"), a bullet ("- ", "* ", "• ") or a number ("1. ", "2) ").
 */
export function runbookParagraphs(text: string): string[] {
  const paragraphs: string[] = [];
  let blank = true;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) {
      blank = true;
      continue;
    }
    const starts = blank || /^([A-Z][\w ]{0,24}:\s|[-*•]\s|\d+[.)]\s)/.test(line);
    if (starts || paragraphs.length === 0) paragraphs.push(line);
    else paragraphs[paragraphs.length - 1] += ` ${line}`;
    blank = false;
  }
  return paragraphs;
}

/**
 * A formatter of short times for one table: "12-28 09:05" while every time it shows falls in one year (of the zone
 * shown), "2026-12-28 09:05" when they do not. The coverage ledger and the alert list dropped the year always, so a
 * ledger across New Year read "12-28 09:05 → 01-03 17:40", and history filled a year back looked like this year.
 */
export function shortTimes(
  times: readonly (number | null | undefined)[],
  zone: string = timeZone(),
): (t: number | string | null | undefined) => string {
  const years = new Set(times.filter((t) => t !== null && t !== undefined).map((t) => fmtTime(t, zone).slice(0, 4)));
  const from = years.size > 1 ? 0 : 5;
  return (t) => (t === null || t === undefined ? '—' : fmtTime(t, zone).slice(from, 16));
}
