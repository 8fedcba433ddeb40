import type { EmuRequest, Reply } from '../http.js';
import { jsonBody } from '../http.js';
import type { FaultGate } from '../faults.js';
import type { SubscriptionState, WebhookState } from '../state.js';
import type { World } from '../world.js';
import type { BlobCatalog } from './blobs.js';
import { AF, mapiJson } from './errors.js';
import { contentTypeOf, gate, isReply } from './gate.js';
import { validateWebhook } from './webhooks.js';

/**
 * /subscriptions/start, /stop and /list (spec §2.2–2.4; behaviours 12, 14–18): AF20024 on an identical
 * repeated start, the 15-minute start throttle per content type, the odd 400 when UAL is off, webhook
 * validation before anything changes, and the gap after a stop (content made while stopped is lost).
 */
function view(sub: SubscriptionState): Record<string, unknown> {
  const w = sub.webhook;
  return {
    contentType: sub.contentType,
    status: sub.status,
    webhook: w ? { status: w.status, address: w.address, authId: w.authId, expiration: w.expiration } : null,
  };
}

function parseWebhook(body: unknown, now: number): { webhook: WebhookState | null } | Reply {
  if (body === undefined) return { webhook: null };
  if (body === null || typeof body !== 'object') return AF.badParameter('body', 'JSON object');
  const hook = (body as { webhook?: unknown }).webhook;
  if (hook === undefined || hook === null) return { webhook: null };
  if (typeof hook !== 'object') return AF.badParameter('webhook', 'object');
  const h = hook as { address?: unknown; authId?: unknown; expiration?: unknown };
  if (typeof h.address !== 'string' || !h.address) return AF.missingParameter('webhook.address');
  const expiration = typeof h.expiration === 'string' && h.expiration ? h.expiration : null;
  if (expiration !== null) {
    const t = Date.parse(expiration);
    if (Number.isNaN(t)) return AF.badParameter('webhook.expiration', 'DateTime');
    if (t < now) return AF.pastExpiration(expiration);
  }
  return {
    webhook: {
      status: 'enabled',
      address: h.address,
      authId: typeof h.authId === 'string' && h.authId ? h.authId : null,
      expiration,
    },
  };
}

function sameWebhook(a: WebhookState | null, b: WebhookState | null): boolean {
  const key = (w: WebhookState | null): string =>
    w ? JSON.stringify([w.status, w.address, w.authId, w.expiration]) : 'null';
  return key(a) === key(b);
}

export function subscriptionHandlers(world: World, faults: FaultGate, blobs: BlobCatalog) {
  const start = async (req: EmuRequest): Promise<Reply> => {
    const call = gate(world, faults, req, 'StartSubscription');
    if (isReply(call)) return call;
    const ct = contentTypeOf(world, req, call);
    if (isReply(ct)) return ct;
    const now = world.now();
    if (!world.ualEnabledNow(call.tenantId)) return AF.ualOff(call.tenantId, ct.given, call.appId, call.publisherId);
    const parsed = parseWebhook(jsonBody(req), now);
    if (isReply(parsed)) return parsed;
    const state = world.state.tenant(call.tenantId);
    const existing = state.subscriptions[ct.ct];
    if (existing?.status === 'enabled' && sameWebhook(existing.webhook, parsed.webhook)) return AF.alreadyEnabled();
    const last = existing?.enabledAt;
    if (last !== undefined && now - last < world.tuning.startThrottleMs)
      return AF.startTooSoon(world.tuning.startThrottleMs - (now - last));
    if (parsed.webhook) {
      const problem = await validateWebhook(world, parsed.webhook.address, parsed.webhook.authId);
      if (problem) return AF.webhook(parsed.webhook.address, problem);
    }
    const sub = world.state.update(call.tenantId, (t) => {
      const prev = t.subscriptions[ct.ct];
      const stoppedSpans = prev?.stoppedSpans ?? [];
      const open = stoppedSpans.at(-1);
      if (open && open[1] === null) open[1] = now;
      const next: SubscriptionState = {
        contentType: ct.given,
        status: 'enabled',
        webhook: parsed.webhook,
        enabledAt: now,
        stoppedSpans,
        notifiedUpTo: now,
      };
      t.subscriptions[ct.ct] = next;
      t.lastStartAt = now;
      return next;
    });
    blobs.invalidate(call.tenantId);
    return mapiJson(200, view(sub));
  };

  const stop = (req: EmuRequest): Reply => {
    const call = gate(world, faults, req, 'StopSubscription');
    if (isReply(call)) return call;
    const ct = contentTypeOf(world, req, call);
    if (isReply(ct)) return ct;
    const now = world.now();
    const found = world.state.update(call.tenantId, (t) => {
      const sub = t.subscriptions[ct.ct];
      if (!sub) return false;
      if (sub.status === 'enabled') sub.stoppedSpans.push([now, null]);
      sub.status = 'disabled';
      return true;
    });
    if (!found) return AF.noSubscription();
    return { status: 200, headers: {} };
  };

  const list = (req: EmuRequest): Reply => {
    const call = gate(world, faults, req, 'ListSubscriptions');
    if (isReply(call)) return call;
    const subs = Object.values(world.state.tenant(call.tenantId).subscriptions);
    return mapiJson(200, subs.map(view));
  };

  return { start, stop, list };
}
