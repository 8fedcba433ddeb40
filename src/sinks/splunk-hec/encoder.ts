/**
 * HEC event envelopes, concatenated (help.splunk.com "Format events for HTTP Event Collector"): `time`
 * is the record's CreationTime in epoch seconds, `event` is the original AuditData object spliced in as
 * its JSON text (never re-serialised: the evidence stays byte for byte, and it is fast), and `fields`
 * carry the tenant and record Id, since Splunk does not de-duplicate and a person may want to.
 */
import type { Item } from '../alert.js';
import type { HecConfig } from './config.js';

export function encodeEvent(item: Item, config: HecConfig): string {
  if (item.kind === 'alert') {
    const a = item.alert;
    return JSON.stringify({
      time: a.raisedAt / 1000,
      host: config.host ?? a.tenant,
      source: 'tenantwatch',
      sourcetype: config.alertSourcetype,
      ...(config.index ? { index: config.index } : {}),
      event: a,
      fields: { tenant: a.tenant, alert_id: a.id, rule_id: a.ruleId, severity: a.severity },
    });
  }
  const r = item.record;
  const head = JSON.stringify({
    time: r.creationTime / 1000,
    host: config.host ?? r.tenant,
    source: config.source,
    sourcetype: config.sourcetype,
    ...(config.index ? { index: config.index } : {}),
    fields: { tenant: r.tenant, record_id: r.id },
  });
  return `${head.slice(0, -1)},"event":${r.raw}}`;
}

export function encodeBatch(items: readonly Item[], config: HecConfig): string {
  let out = '';
  for (const item of items) out += encodeEvent(item, config) + '\n';
  return out;
}
