import { createHash, timingSafeEqual } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { toAppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { CONTENT_TYPES, type ContentType } from '../core/record.js';
import { ManagementActivityClient, type ContentItem } from '../microsoft/management-activity.js';
import { apiRetryClass } from '../microsoft/management-errors.js';
import type { TenantConnection } from '../microsoft/types.js';
import { RetryPolicy } from '../net/retry.js';
import type { Store } from '../store/contract.js';
import { collectBlob } from './blob-task.js';
import { FairScheduler, TenantBudget } from './budget.js';
import type { CollectTenant } from './collect.js';
import { resolveOptions } from './collect.js';
import { emptyStats, type RunContext, type TenantRun, type WebhookSetting } from './context.js';
import { EVENTS } from './events.js';

/**
 * Management Activity API webhooks (spec §2.2, §2.8): one endpoint for every tenant. Microsoft POSTs
 * arrays of content objects, each carrying its `tenantId`; the receiver checks the `Webhook-AuthID`
 * (constant-time), and fetches the announced blobs at once through the collector's exactly-once path
 * (collectBlob: ledger.hasBlob, then records and the blob row in one commit), so a blob the poller lists
 * later is skipped, and one whose notification was lost is still fetched by the next poll.
 *
 * Health per tenant, for the console: the subscriptions' webhook status (told by the poller's listing,
 * `onState`), the last notification, and the delay from a blob's contentCreated to its records being
 * committed (searchable).
 */
export interface WebhookHealth {
  /** healthy: every content type's webhook enabled; disabled: Microsoft turned one off (re-enabled at the next poll). */
  status: 'healthy' | 'disabled' | 'pending' | 'failing';
  detail: string | null;
  lastNotificationAt: number | null;
  notifications: number;
  /** contentCreated → records committed, for the last blob a notification brought; null before the first. */
  lastDelayMs: number | null;
}

export interface WebhookReceiverOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  address: string;
  authId: string;
  tenants: readonly CollectTenant[];
}

export class WebhookReceiver {
  private readonly ctx: RunContext;
  private readonly runs = new Map<string, TenantRun>();
  private readonly byTenant: Map<string, CollectTenant>;
  private readonly states = new Map<string, Map<ContentType, string>>();
  private readonly health = new Map<string, WebhookHealth>();
  private readonly expected: Buffer;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly o: WebhookReceiverOptions) {
    this.byTenant = new Map(o.tenants.map((t) => [t.tenantId.toLowerCase(), t]));
    this.expected = digest(o.authId);
    this.ctx = {
      store: o.store,
      clock: o.clock,
      logger: o.logger.child({ module: 'collector', part: 'webhook' }),
      signal: o.signal,
      options: resolveOptions({
        tenants: o.tenants,
        store: o.store,
        clock: o.clock,
        logger: o.logger,
        signal: o.signal,
      }),
      retry: new RetryPolicy(apiRetryClass),
      scheduler: new FairScheduler(4),
      owner: `webhook:${randomUUID().slice(0, 8)}`,
      webhook: null,
    };
  }

  /** What the poller passes to `collect({ webhook })`: subscriptions carry this webhook, and report on it. */
  setting(): WebhookSetting {
    return {
      address: this.o.address,
      authId: this.o.authId,
      onState: (tenantId, ct, status) => this.noteState(tenantId, ct, status),
    };
  }

  /** True when the header carries the configured authId (compared in constant time, via digests). */
  authorized(header: string | undefined): boolean {
    return header !== undefined && timingSafeEqual(digest(header), this.expected);
  }

  /**
   * Takes one notification body (already authorized) and starts fetching its blobs; returns at once so
   * Microsoft gets its 200 quickly. Items of unknown tenants or content types are counted and ignored.
   */
  accept(items: unknown[]): { accepted: number; ignored: number } {
    const work: { tenant: CollectTenant; ct: ContentType; item: ContentItem }[] = [];
    let ignored = 0;
    for (const raw of items) {
      const parsed = parseItem(raw);
      const tenant = parsed ? this.byTenant.get(parsed.tenantId.toLowerCase()) : undefined;
      if (!parsed || !tenant) {
        ignored++;
        continue;
      }
      work.push({ tenant, ct: parsed.contentType, item: parsed.item });
    }
    const at = this.o.clock.now();
    for (const w of work) {
      const h = this.healthOf(w.tenant.tenantId);
      h.lastNotificationAt = at;
      h.notifications++;
    }
    this.ctx.logger.info(
      { event: EVENTS.webhookNotified, blobs: work.length, ignored },
      'webhook notification received',
    );
    this.pending = this.pending.then(() => this.fetchAll(work)).catch(() => undefined);
    return { accepted: work.length, ignored };
  }

  /** Resolves when every accepted notification has been handled (tests; shutdown). */
  idle(): Promise<void> {
    return this.pending;
  }

  status(tenantId: string): WebhookHealth | null {
    return this.health.get(tenantId.toLowerCase()) ?? null;
  }

  /** Called on a refused notification, so the log says who was refused without echoing the header. */
  refused(remote: string, hadHeader: boolean): void {
    this.ctx.logger.warn(
      { event: EVENTS.webhookRefused, remote, authIdPresent: hadHeader },
      'webhook notification refused: Webhook-AuthID does not match',
    );
  }

  close(): void {
    for (const r of this.runs.values()) r.close?.();
  }

  private async fetchAll(work: { tenant: CollectTenant; ct: ContentType; item: ContentItem }[]): Promise<void> {
    const windowMs = this.ctx.options.windowMs;
    await Promise.all(
      work.map(async ({ tenant, ct, item }) => {
        try {
          const run = this.runOf(tenant);
          const windowStart = Math.floor(item.contentCreated / windowMs) * windowMs;
          const outcome = await collectBlob(this.ctx, run, ct, windowStart, item);
          if (outcome === 'fetched' || outcome === 'skipped')
            this.healthOf(tenant.tenantId).lastDelayMs = this.o.clock.now() - item.contentCreated;
        } catch (e) {
          const error = toAppError(e);
          this.ctx.logger.warn(
            { event: EVENTS.webhookBlobFailed, tenant: tenant.tenantId, contentId: item.contentId, code: error.code },
            'a notified blob could not be fetched; the next poll lists it again',
          );
        }
      }),
    );
  }

  private runOf(t: CollectTenant): TenantRun {
    let run = this.runs.get(t.tenantId);
    if (!run) {
      const conn: TenantConnection & { close?: () => void } = t.connect();
      run = {
        tenantId: t.tenantId,
        name: t.name,
        client: new ManagementActivityClient(conn),
        budget: new TenantBudget(this.o.clock, this.ctx.options.requestsPerMinute),
        stats: emptyStats(t.tenantId, t.name),
        ...(conn.close ? { close: conn.close } : {}),
      };
      this.runs.set(t.tenantId, run);
    }
    return run;
  }

  private healthOf(tenantId: string): WebhookHealth {
    const key = tenantId.toLowerCase();
    let h = this.health.get(key);
    if (!h)
      this.health.set(
        key,
        (h = { status: 'pending', detail: null, lastNotificationAt: null, notifications: 0, lastDelayMs: null }),
      );
    return h;
  }

  private noteState(tenantId: string, ct: ContentType, status: string): void {
    const key = tenantId.toLowerCase();
    let m = this.states.get(key);
    if (!m) this.states.set(key, (m = new Map()));
    m.set(ct, status);
    const h = this.healthOf(tenantId);
    const bad = [...m.entries()].filter(([, s]) => s !== 'enabled');
    const disabled = bad.find(([, s]) => s === 'disabled' || s === 'expired');
    const failing = bad.find(([, s]) => s.startsWith('failed'));
    h.status = disabled ? 'disabled' : failing ? 'failing' : bad.length ? 'pending' : 'healthy';
    h.detail = bad.length ? bad.map(([c, s]) => `${c}: ${s}`).join('; ') : null;
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** One notification item (§2.8): a content object plus tenantId and clientId. */
function parseItem(raw: unknown): { tenantId: string; contentType: ContentType; item: ContentItem } | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const ct = CONTENT_TYPES.find((c) => c.toLowerCase() === text(r.contentType).toLowerCase());
  const created = Date.parse(text(r.contentCreated));
  if (typeof r.tenantId !== 'string' || !ct || typeof r.contentId !== 'string' || typeof r.contentUri !== 'string')
    return null;
  if (Number.isNaN(created)) return null;
  const expiration = Date.parse(text(r.contentExpiration));
  return {
    tenantId: r.tenantId,
    contentType: ct,
    item: {
      contentType: ct,
      contentId: r.contentId,
      contentUri: r.contentUri,
      contentCreated: created,
      contentExpiration: Number.isNaN(expiration) ? null : expiration,
    },
  };
}
