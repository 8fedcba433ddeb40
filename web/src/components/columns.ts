import { fmtTime, visible } from '../format.js';
import { timeZone } from '../timezone.js';
import type { RecordSummary } from '../api.js';

export interface Column {
  key: keyof RecordSummary;
  label: string;
  width: number;
  render?: (r: RecordSummary) => string;
}

/** Every column a result row can show; the person picks which (kept in localStorage). */
export const COLUMNS: Column[] = [
  { key: 'creationTime', label: 'Date', width: 150, render: (r) => fmtTime(r.creationTime) },
  { key: 'tenant', label: 'Tenant', width: 120 },
  { key: 'userId', label: 'User', width: 210 },
  { key: 'operation', label: 'Activity', width: 170 },
  { key: 'workload', label: 'Workload', width: 110 },
  { key: 'recordTypeName', label: 'Record type', width: 150 },
  { key: 'objectId', label: 'Item', width: 330 },
  { key: 'clientIp', label: 'IP address', width: 120 },
  { key: 'outcome', label: 'Outcome', width: 70 },
  { key: 'resultStatus', label: 'Result status', width: 100 },
  { key: 'userType', label: 'User type', width: 70 },
  { key: 'source', label: 'Source', width: 120 },
  { key: 'id', label: 'Record Id', width: 280 },
];

export const DEFAULT_COLUMNS: (keyof RecordSummary)[] = [
  'creationTime',
  'tenant',
  'userId',
  'operation',
  'workload',
  'objectId',
  'clientIp',
  'outcome',
];

/** A column's heading; a time column names the zone its times are in ("Date (UTC)"). */
export function columnLabel(c: Column): string {
  return c.key === 'creationTime' ? `${c.label} (${timeZone()})` : c.label;
}

/** Headings are 12 px semibold with 8 px padding each side (styles.css .th), and may carry a sort arrow. */
const HEADING_PADDING = 16;
let canvas: CanvasRenderingContext2D | null | undefined;

/** The width `text` takes in a heading's font; an estimate where there is no canvas (tests in node). */
function headingTextWidth(text: string): number {
  if (canvas === undefined)
    canvas = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  if (!canvas) return text.length * 7.5;
  canvas.font = `600 12px ${getComputedStyle(document.body).fontFamily}`;
  return canvas.measureText(text).width;
}

/**
 * A column's width: its own, or wider when its heading needs it. "Date (America/New_York)" did not fit the
 * Date column's 150 px and was cut to "Date (America/New_"; the zone is the point of the heading.
 */
export function columnWidth(c: Column, measure: (text: string) => number = headingTextWidth): number {
  return Math.max(c.width, Math.ceil(measure(`${columnLabel(c)} ▼`)) + HEADING_PADDING + 2);
}

/** Tenant GUID → registered name, so rows read "contoso" rather than a GUID. */
export type TenantNames = ReadonlyMap<string, string>;

export function cellText(c: Column, r: RecordSummary, names?: TenantNames): string {
  if (c.render) return c.render(r);
  if (c.key === 'tenant') return visible(names?.get(r.tenant) ?? r.tenant);
  const v = r[c.key];
  return v === null || v === undefined ? '' : visible(String(v));
}

/**
 * The rows in a column's order, by what the column shows: a tenant by its name, an activity by its friendly name
 * (as the grid shows them; they were sorted by GUID and raw operation, so a column "sorted" A to Z was not), a time
 * as an instant, digits as numbers. Empty cells go last in either direction.
 */
export function sortRows(
  rows: readonly RecordSummary[],
  key: keyof RecordSummary,
  dir: 1 | -1,
  names: TenantNames,
  friendly: ReadonlyMap<string, string>,
): RecordSummary[] {
  const shown = (r: RecordSummary): string => {
    if (key === 'tenant') return names.get(r.tenant) ?? r.tenant;
    if (key === 'operation') return friendly.get(r.operation.toLowerCase()) ?? r.operation;
    const v = r[key];
    return v === null || v === undefined ? '' : String(v);
  };
  const keyed = rows.map((r) => ({ r, text: shown(r) }));
  keyed.sort((a, b) => {
    if (a.text === '' || b.text === '') return (a.text === '' ? 1 : 0) - (b.text === '' ? 1 : 0);
    const order =
      key === 'creationTime'
        ? Date.parse(a.text) - Date.parse(b.text)
        : a.text.localeCompare(b.text, 'en', { numeric: true, sensitivity: 'base' });
    return order * dir;
  });
  return keyed.map((k) => k.r);
}
