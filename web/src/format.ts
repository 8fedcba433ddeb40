/** Display helpers: every time in the console is shown in UTC, as the records carry it. */
export function fmtTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.000Z$|Z$/, '')
    .replace(/\.\d{3}$/, '');
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
