import { terminalText } from '../../core/terminal.js';
import type { AlertDetail } from '../../detections/alerts/detail.js';
import { countOf } from '../output.js';

/**
 * `alerts show` for a person: the alert, its facts, the runbook, the records behind it, the history. Record
 * fields, rule parameters and notes are attacker- or user-given: each line goes through terminalText, so none
 * can carry an escape sequence or a line break of its own (`--format json` keeps them exact).
 */
export function printDetail(out: NodeJS.WritableStream, d: AlertDetail, tenantName?: string): void {
  const a = d.alert;
  // The name first, as `alerts list` shows it ("tailspin"), with the GUID beside it for lookups.
  const tenant = tenantName && tenantName !== a.tenant ? `${tenantName} (${a.tenant})` : a.tenant;
  const lines = [
    `${a.id}  ${a.severity.toUpperCase()}  ${a.status.replace('_', ' ')}${a.statusBy ? ` (by ${a.statusBy} at ${a.statusAt})` : ''}`,
    a.title,
    `rule     ${a.ruleId}${d.rule ? ` (${d.rule.title})` : ''}`,
    `tenant   ${tenant}${a.groupKey ? `   group ${a.groupKey}` : ''}`,
    `seen     ${a.firstSeen} … ${a.lastSeen}   ${countOf(a.hits, 'hit')}, ${countOf(a.recordTotal, 'record')}`,
    ...(a.snoozedUntil ? [`snoozed  until ${a.snoozedUntil}`] : []),
    ...Object.entries(a.facts).map(([k, v]) => `  ${k}: ${v}`),
  ];
  if (d.rule?.runbook) lines.push('', 'Runbook:', ...d.rule.runbook.split('\n').map((l) => `  ${l}`));
  lines.push('', `Records (${d.records.length} of ${a.recordTotal}):`);
  for (const r of d.records)
    lines.push(
      `  ${r.creationTime}  ${r.operation}  ${r.userId ?? ''}  ${r.clientIp ?? ''}  ${r.objectId ?? ''}  [${r.id}]`,
    );
  for (const id of d.missing) lines.push(`  ${id}  (no longer stored)`);
  lines.push('', 'History:');
  for (const h of d.history)
    lines.push(`  ${h.at}  ${h.actor}  ${h.action}${h.to ? ` → ${h.to}` : ''}${h.note ? `: ${h.note}` : ''}`);
  out.write(lines.map(terminalText).join('\n') + '\n');
}
