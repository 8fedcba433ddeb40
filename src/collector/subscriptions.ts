import type { ContentType } from '../core/record.js';
import { attempt } from './attempt.js';
import type { RunContext, TenantRun } from './context.js';
import { EVENTS } from './events.js';
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
  const enabled = new Set(listed.value.filter((s) => s.status === 'enabled').map((s) => s.contentType.toLowerCase()));
  const active: ContentType[] = [];
  for (const ct of ctx.options.contentTypes) {
    if (enabled.has(ct.toLowerCase())) {
      active.push(ct);
      continue;
    }
    const started = await attempt(ctx, run, 'start subscription', () => run.client.startSubscription(ct));
    if (started.ok) {
      ctx.logger.info({ event: EVENTS.subscribed, tenant: run.tenantId, contentType: ct }, 'subscription started');
      active.push(ct);
      continue;
    }
    const error = started.failure.error;
    if (scopeOf(error) === 'tenant') throw error;
    run.stats.streamsSkipped.push({ contentType: ct, reason: error.message });
    ctx.logger.warn(
      { event: EVENTS.streamSkipped, tenant: run.tenantId, contentType: ct, code: error.code, error: error.message },
      'content type skipped',
    );
  }
  return active;
}
