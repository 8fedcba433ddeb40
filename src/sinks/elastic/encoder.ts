/**
 * Bulk request bodies: `create` actions (data streams only take create) with an `_id` derived from the
 * tenant and the record Id, so a resend after a crash or a retried request answers 409 "already
 * exists" instead of storing a second copy (spec siem-protocols.md).
 */
import { createHash } from 'node:crypto';
import type { Item } from '../alert.js';
import type { ElasticConfig } from './config.js';
import { ecsDocument } from './ecs.js';

/** The document id: sha256 of `tenant|id`, base64url, 32 characters. Stable across versions. */
export function documentId(tenant: string, id: string): string {
  return createHash('sha256').update(`${tenant}|${id}`).digest('base64url').slice(0, 32);
}

export function encodeBulk(items: readonly Item[], config: ElasticConfig, now: number): string {
  let out = '';
  for (const item of items) {
    if (item.kind === 'record') {
      const r = item.record;
      out += `{"create":{"_index":${JSON.stringify(config.recordIndex)},"_id":"${documentId(r.tenant, r.id)}"}}\n`;
      out += JSON.stringify(ecsDocument(r, config.namespace)) + '\n';
    } else {
      const a = item.alert;
      out += `{"create":{"_index":${JSON.stringify(config.alertIndex)},"_id":"${documentId(a.tenant, `alert:${a.id}`)}"}}\n`;
      out +=
        JSON.stringify({
          '@timestamp': new Date(a.raisedAt || now).toISOString(),
          event: { kind: 'alert', id: a.id, severity: a.severity, dataset: 'tenantwatch.alert' },
          rule: { id: a.ruleId, name: a.title, description: a.description ?? undefined },
          tenantwatch: { tenant: a.tenant, alert: a },
        }) + '\n';
    }
  }
  return out;
}
