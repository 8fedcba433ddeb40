import type { ContentType } from '../core/record.js';
import { attempt } from './attempt.js';
import type { RunContext, TenantRun } from './context.js';
import { EVENTS } from './events.js';
import { holdUntilFirstContent } from './first-content.js';
import { scopeOf } from './stream.js';

/**
 * Makes sure each content type is subscribed (§2.2): one list call, then a start for each one not
 * enabled (AF20024 "already enabled" counts as success). A tenant-wide refusal — audit log off, sign-in
 * failed — fails the tenant; a content type the app may not read (DLP.All without ActivityFeed.ReadDlp)
 * is skipped with its reason. Returns the content types to collect.
 */
export async function ensureSubscriptions(ctx: RunContext, run: TenantRun): Promise<ContentType[]> {
  const listed = await attempt(ctx, run, 'list subscriptions', () => run.client.listSubscriptions());
  if (!listed.ok) throw listed.failure.error;
  const hook = ctx.webhook ?? null;
  const byType = new Map(listed.value.map((s) => [s.contentType.toLowerCase(), s]));
  const active: ContentType[] = [];
  for (const ct of ctx.options.contentTypes) {
    const sub = byType.get(ct.toLowerCase());
    const hookStatus = sub?.webhook
      ? sub.webhook.address === hook?.address
        ? sub.webhook.status
        : 'other'
      : 'missing';
    if (hook) hook.onState?.(run.tenantId, ct, hookStatus);
    // With a webhook configured, a subscription without it (or whose webhook Microsoft disabled after
    // failed deliveries, or let expire) is started again with it: the same call re-enables (§2.2, §2.8).
    if (sub?.status === 'enabled' && (!hook || hookStatus === 'enabled')) {
      active.push(ct);
      continue;
    }
    const started = await attempt(ctx, run, 'start subscription', () =>
      run.client.startSubscription(ct, undefined, hook ?? undefined),
    );
    if (started.ok && hook) hook.onState?.(run.tenantId, ct, 'enabled');
    if (started.ok) {
      if (sub?.status !== 'enabled') {
        run.stats.subscriptionsStarted++;
        await holdUntilFirstContent(ctx, run.tenantId, ct);
      }
      ctx.logger.info(
        { event: EVENTS.subscribed, tenant: run.tenantId, name: run.name, contentType: ct },
        'subscription started',
      );
      active.push(ct);
      continue;
    }
    const error = started.failure.error;
    if (sub?.status === 'enabled') {
      // The webhook could not be set (validation failed, start throttled): polling still collects.
      hook?.onState?.(run.tenantId, ct, `failed: ${error.message}`);
      ctx.logger.warn(
        {
          event: EVENTS.webhookNotSet,
          tenant: run.tenantId,
          name: run.name,
          contentType: ct,
          code: error.code,
          error: error.message,
        },
        'the webhook could not be set on the subscription; polling goes on',
      );
      active.push(ct);
      continue;
    }
    if (scopeOf(error) === 'tenant') throw error;
    run.stats.streamsSkipped.push({ contentType: ct, reason: error.message });
    ctx.logger.warn(
      {
        event: EVENTS.streamSkipped,
        tenant: run.tenantId,
        name: run.name,
        contentType: ct,
        code: error.code,
        error: error.message,
      },
      'content type skipped',
    );
  }
  return active;
}
