/**
 * One JSON object per line: tenantwatch's envelope (tenant, id, time, type) with the original AuditData
 * object spliced in unchanged under `record` — the line parses back to exactly the record it came from.
 */
import type { Item } from '../alert.js';

export function encodeLine(item: Item): string {
  if (item.kind === 'alert')
    return JSON.stringify({ type: 'alert', tenant: item.alert.tenant, alert: item.alert }) + '\n';
  const r = item.record;
  const head = JSON.stringify({
    type: 'record',
    tenant: r.tenant,
    id: r.id,
    creationTime: new Date(r.creationTime).toISOString(),
  });
  return `${head.slice(0, -1)},"record":${oneLine(r.raw)}}\n`;
}

/**
 * A raw record pretty-printed at its source (an imported JSON file keeps its text) spans lines, which split it
 * into several broken lines of the file: a line break in JSON text is only ever white space between tokens (one
 * inside a string is written \n), so a space in its place keeps the record as it is.
 */
function oneLine(raw: string): string {
  return /[\r\n]/.test(raw) ? raw.replace(/[\r\n]/g, ' ') : raw;
}
