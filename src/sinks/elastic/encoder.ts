/**
 * Bulk request bodies: `create` actions (data streams only take create) with an `_id` derived from the
 * tenant and the record Id, so a resend after a crash or a retried request answers 409 "already
 * exists" instead of storing a second copy (spec siem-protocols.md).
 */
import * as crypto from 'node:crypto';
import type { Item } from '../alert.js';
import type { ElasticConfig } from './config.js';
import { ecsDocumentText } from './ecs.js';

/** The document id: sha256 of `tenant|id`, base64url, 32 characters. Stable across versions. */
export function documentId(tenant: string, id: string): string {
  return sha256(`${tenant}|${id}`).slice(0, 32);
}

/** Node's one-shot crypto.hash (20.12+) is several times cheaper per record than createHash; same digest. */
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'base64url') => string }).hash;
const sha256 = oneShot
  ? (text: string): string => oneShot('sha256', text, 'base64url')
  : (text: string): string => crypto.createHash('sha256').update(text).digest('base64url');

export function encodeBulk(items: readonly Item[], config: ElasticConfig, now: number): string {
  let out = '';
  for (const item of items) {
    if (item.kind === 'record') {
      const r = item.record;
      out += `{"create":{"_index":${JSON.stringify(config.recordIndex)},"_id":"${documentId(r.tenant, r.id)}"}}\n`;
      out += ecsDocumentText(r, config.namespace) + '\n';
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
