import { randomBytes } from 'node:crypto';
import { CONTENT_TYPES } from '../../src/core/record.js';
import { DAY } from '../../src/core/time.js';
import type { WebhookState } from '../state.js';
import { httpsPost } from '../util/https-post.js';
import type { World } from '../world.js';
import { contentIdOf, type BlobCatalog, type BlobRef } from './blobs.js';

/**
 * Webhooks (spec §2.2 handshake, §2.8 notifications; behaviour 18). Validation POSTs
 * {"validationCode"} with Webhook-ValidationCode (and Webhook-AuthID); anything but 200 fails the start.
 * Notifications POST arrays of content objects (plus tenantId and clientId) as blobs become available.
 */
export async function validateWebhook(world: World, address: string, authId: string | null): Promise<string | null> {
  if (!/^https:\/\//i.test(address)) return 'The address must begin with HTTPS.';
  const code = randomBytes(16).toString('hex');
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Webhook-ValidationCode': code,
  };
  if (authId) headers['Webhook-AuthID'] = authId;
  try {
    const res = await httpsPost(address, JSON.stringify({ validationCode: code }), headers, world.tls.caPem);
    return res.status === 200 ? null : 'The endpoint did not return HTTP 200.';
  } catch (e) {
    world.logger.warn(
      { event: 'emulator.webhook.validation_failed', address, err: (e as Error).message },
      'webhook validation failed',
    );
    return 'The endpoint did not return HTTP 200.';
  }
}

/** Failed deliveries in a row after which a webhook is disabled (the real count is undocumented). */
export const WEBHOOK_FAILURES_TO_DISABLE = 3;

export function contentObject(base: string, b: BlobRef): Record<string, string> {
  const contentId = contentIdOf(b);
  return {
    contentType: b.contentType,
    contentId,
    contentUri: `${base}/api/v1.0/${b.tenantId}/activity/feed/audit/${contentId}`,
    contentCreated: new Date(b.contentCreated).toISOString(),
    contentExpiration: new Date(b.contentCreated + 7 * DAY).toISOString(),
  };
}

/** Sends notifications for every blob that became available since the last delivery, per subscription. */
export async function deliverNotifications(world: World, blobs: BlobCatalog, base: string): Promise<void> {
  const now = world.now();
  for (const tenant of world.sim.tenants) {
    const subs = world.state.tenant(tenant.tenantId).subscriptions;
    for (const ct of CONTENT_TYPES) {
      const sub = subs[ct];
      if (!sub || sub.status !== 'enabled' || sub.webhook?.status !== 'enabled') continue;
      const from = Math.max(sub.notifiedUpTo, now - DAY);
      if (from >= now) continue;
      const ready = blobs.blobsCreatedIn(tenant.tenantId, ct, from, now + 1).filter((b) => b.contentCreated <= now);
      await notify(
        world,
        tenant.tenantId,
        tenant.clientId,
        sub.webhook,
        ready.map((b) => contentObject(base, b)),
        ct,
      );
      world.state.update(tenant.tenantId, (t) => {
        t.subscriptions[ct]!.notifiedUpTo = now + 1;
      });
    }
  }
}

async function notify(
  world: World,
  tenantId: string,
  clientId: string,
  hook: WebhookState,
  items: Record<string, string>[],
  ct: string,
): Promise<void> {
  for (let i = 0; i < items.length; i += 100) {
    const batch: Record<string, string>[] = items.slice(i, i + 100).map((o) => ({ ...o, tenantId, clientId }));
    const headers: Record<string, string> = { 'Content-Type': 'application/json; utf-8' };
    if (hook.authId) headers['Webhook-AuthID'] = hook.authId;
    let status = 'success';
    if (world.faults.dropNotifications > 0) {
      // A lost notification (fault): never sent, and not retried; polling must catch the blobs.
      world.faults = { ...world.faults, dropNotifications: world.faults.dropNotifications - 1 };
      status = 'dropped';
    } else {
      try {
        const res = await httpsPost(hook.address, JSON.stringify(batch), headers, world.tls.caPem);
        if (res.status !== 200) status = `failed: HTTP ${res.status}`;
      } catch (e) {
        status = `failed: ${(e as Error).message}`;
      }
    }
    const sent = new Date(world.now()).toISOString();
    world.state.update(tenantId, (t) => {
      // After repeated failed deliveries Microsoft disables the webhook (§2.8); /start re-enables it.
      const sub = t.subscriptions[ct];
      if (sub?.webhook) {
        const failures = status.startsWith('failed') ? (sub.webhook.failures ?? 0) + 1 : 0;
        sub.webhook.failures = failures;
        if (failures >= WEBHOOK_FAILURES_TO_DISABLE) sub.webhook.status = 'disabled';
      }
      for (const o of batch)
        t.notifications.push({
          contentType: ct,
          contentId: o.contentId!,
          contentUri: o.contentUri!,
          contentCreated: o.contentCreated!,
          contentExpiration: o.contentExpiration!,
          notificationSent: sent,
          notificationStatus: status,
        });
      if (t.notifications.length > 20_000) t.notifications.splice(0, t.notifications.length - 20_000);
    });
  }
}
