import { alertView, type AlertView } from '../detections/alerts/view.js';
import type { RuleProblem } from '../detections/contract.js';
import type { AlertRow, Store } from '../store/contract.js';
import { writeListing, type ListingColumn, type ListingFormat } from './output.js';

/**
 * How `detect` and `alerts list` print alerts: json is `{"count": N, "alerts": [...]}` with every alert
 * in full (rule id, tenant, severity and the ids of the records behind it), jsonl one alert per line,
 * table and csv the columns below.
 */
const COLUMNS: readonly ListingColumn[] = [
  { key: 'id', title: 'ALERT', max: 19 },
  { key: 'severity', title: 'SEVERITY', max: 13 },
  { key: 'status', title: 'STATUS', max: 14 },
  { key: 'tenantName', title: 'TENANT', max: 20, csv: 'tenant' },
  { key: 'ruleId', title: 'RULE', max: 36 },
  { key: 'title', title: 'TITLE', max: 50 },
  { key: 'hits', title: 'HITS', right: true },
  { key: 'recordTotal', title: 'RECORDS', right: true },
  { key: 'lastSeen', title: 'LAST SEEN', max: 24 },
];

export async function writeAlerts(
  store: Pick<Store, 'tenants'>,
  alerts: readonly AlertRow[],
  format: ListingFormat,
  out: NodeJS.WritableStream,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const views = alerts.map(alertView);
  if (format === 'json') {
    out.write(JSON.stringify({ count: views.length, alerts: views, ...extra }, null, 2) + '\n');
    return;
  }
  if (format === 'jsonl') {
    for (const v of views) out.write(JSON.stringify(v) + '\n');
    return;
  }
  const names = new Map((await store.tenants.list()).map((t) => [t.tenantId, t.name]));
  const rows = views.map((v: AlertView) => ({ ...v, tenantName: names.get(v.tenant) ?? v.tenant }));
  await writeListing(format, COLUMNS, rows, out, { noun: 'alert' });
}

/** A rule problem as a line on stderr: severity, file:line, the rule, what is wrong. */
export function problemLine(p: RuleProblem): string {
  return `tenantwatch: ${p.severity}: ${p.file}${p.line ? `:${p.line}` : ''}${p.rule ? ` (${p.rule})` : ''}: ${p.message}\n`;
}
