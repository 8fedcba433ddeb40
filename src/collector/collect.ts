import { setMaxListeners } from 'node:events';
import type { Clock } from '../core/clock.js';
import { AppError, toAppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { CONTENT_TYPES, type ContentType } from '../core/record.js';
import { ManagementActivityClient } from '../microsoft/management-activity.js';
import { apiRetryClass } from '../microsoft/management-errors.js';
import { RetryPolicy, type RetryOptions } from '../net/retry.js';
import type { TenantConnection } from '../microsoft/types.js';
import type { Store } from '../store/contract.js';
import { FairScheduler, TenantBudget } from './budget.js';
import {
  emptyStats,
  type ResolvedOptions,
  type RunContext,
  type TenantRun,
  type TenantStats,
  type WebhookSetting,
} from './context.js';
import { EVENTS } from './events.js';
import { ensureSubscriptions } from './subscriptions.js';
import { collectStream, scopeOf } from './stream.js';
import { isDeadLocalOwner, leaseOwner } from '../runtime/lease-owner.js';

/**
 * Collection of many tenants in one process: per (tenant, content type) streams, each under a lease
 * (several processes on one database share the work), a request budget per tenant and one bounded,
 * fair pool for blob fetches. A tenant that fails (audit log off, wrong secret) is reported and the
 * others go on. `follow` repeats passes every `intervalMs`, re-listing the recent windows each time.
 */
export interface CollectTenant {
  tenantId: string;
  name: string;
  /** Opens the tenant's connection; a failure here (secret missing) fails this tenant only. */
  connect(): TenantConnection;
}

export interface CollectOptions {
  tenants: readonly CollectTenant[];
  store: Store;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  /** First-run look-back, ms (default 7 days, capped by the API's horizon). */
  sinceMs?: number;
  follow?: boolean;
  intervalMs?: number;
  /** Blob fetches in flight across all tenants (default 8). */
  concurrency?: number;
  onProgress?: (stats: readonly TenantStats[]) => void;
  /**
   * Called after each pass, once what it collected is committed (e.g. live detections reading the
   * store's tail). A failure is logged and collection goes on: the records are safe in the store.
   */
  afterPass?: (pass: number) => Promise<void>;
  /** Subscriptions notify this webhook; polling goes on as the safety net for missed notifications. */
  webhook?: WebhookSetting;
  tuning?: Partial<ResolvedOptions> & { retry?: RetryOptions; owner?: string };
}

export interface CollectSummary {
  tenants: TenantStats[];
  passes: number;
  stopped: boolean;
  /** True when every tenant finished without a failure. */
  ok: boolean;
}

export function resolveOptions(o: CollectOptions): ResolvedOptions {
  const t = o.tuning ?? {};
  return {
    contentTypes: t.contentTypes ?? CONTENT_TYPES,
    sinceMs: o.sinceMs ?? t.sinceMs ?? 7 * 86_400_000,
    windowMs: Math.min(t.windowMs ?? 86_400_000, 86_400_000),
    relistMs: t.relistMs ?? (o.follow ? 2 * 3_600_000 : 0),
    horizonMarginMs: t.horizonMarginMs ?? 5 * 60_000,
    requestsPerMinute: t.requestsPerMinute ?? 1_800,
    batchSize: t.batchSize ?? 2_000,
    leaseMs: t.leaseMs ?? 120_000,
    requestTimeoutMs: t.requestTimeoutMs ?? 300_000,
  };
}

/**
 * The run's own signal, aborted with the caller's. Every stream, budget wait, retry pause and request in
 * flight listens to it at once — five content types per tenant plus the downloads — far beyond Node's
 * default of 10 listeners per signal: on the caller's signal that printed a MaxListenersExceededWarning in
 * the middle of `tenantwatch demo`. Each listener goes when its wait ends, so the count stays bounded by
 * the run's streams and concurrency; the caller's signal carries one listener, removed at the end.
 */
function runSignal(outer: AbortSignal): { signal: AbortSignal; dispose: () => void } {
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  const onAbort = (): void => inner.abort(outer.reason);
  if (outer.aborted) onAbort();
  else outer.addEventListener('abort', onAbort, { once: true });
  return { signal: inner.signal, dispose: () => outer.removeEventListener('abort', onAbort) };
}

export async function collect(o: CollectOptions): Promise<CollectSummary> {
  const linked = runSignal(o.signal);
  try {
    return await collectRun({ ...o, signal: linked.signal });
  } finally {
    linked.dispose();
  }
}

async function collectRun(o: CollectOptions): Promise<CollectSummary> {
  const options = resolveOptions(o);
  const ctx: RunContext = {
    store: o.store,
    clock: o.clock,
    logger: o.logger.child({ module: 'collector' }),
    signal: o.signal,
    options,
    retry: new RetryPolicy(apiRetryClass, o.tuning?.retry),
    scheduler: new FairScheduler(o.concurrency ?? 8),
    owner: o.tuning?.owner ?? leaseOwner(),
    webhook: o.webhook ?? null,
  };
  const stats = o.tenants.map((t) => emptyStats(t.tenantId, t.name));
  const runs = new Map<string, TenantRun>();
  ctx.logger.info(
    { event: EVENTS.runStarted, tenants: o.tenants.length, follow: !!o.follow, owner: ctx.owner },
    'collection started',
  );
  let passes = 0;
  for (;;) {
    passes++;
    await Promise.all(
      o.tenants.map((t, i) =>
        collectTenant(ctx, t, stats[i]!, runs, o.onProgress ? () => o.onProgress!(stats) : () => undefined),
      ),
    );
    o.onProgress?.(stats);
    if (o.afterPass && !o.signal.aborted)
      await o
        .afterPass(passes)
        .catch((error: unknown) =>
          ctx.logger.warn(
            { event: EVENTS.afterPassFailed, pass: passes, error: (error as Error).message },
            'the detection rules could not run after this collect pass',
          ),
        );
    if (!o.follow || o.signal.aborted) break;
    ctx.logger.info({ event: EVENTS.pollWaiting, intervalMs: o.intervalMs ?? 60_000 }, 'waiting for the next pass');
    try {
      await o.clock.sleep(o.intervalMs ?? 60_000, o.signal);
    } catch {
      break;
    }
  }
  for (const r of runs.values()) r.close?.();
  const summary = { tenants: stats, passes, stopped: o.signal.aborted, ok: stats.every((s) => s.state === 'done') };
  ctx.logger.info(
    { event: EVENTS.runFinished, passes, stopped: summary.stopped, ok: summary.ok },
    'collection finished',
  );
  return summary;
}

async function collectTenant(
  ctx: RunContext,
  t: CollectTenant,
  stats: TenantStats,
  runs: Map<string, TenantRun>,
  progress: () => void,
): Promise<void> {
  stats.state = 'running';
  stats.error = null;
  stats.streamsSkipped = [];
  try {
    let run = runs.get(t.tenantId);
    if (!run) {
      const conn: TenantConnection & { close?: () => void } = t.connect();
      run = {
        tenantId: t.tenantId,
        name: t.name,
        client: new ManagementActivityClient(conn),
        budget: new TenantBudget(ctx.clock, ctx.options.requestsPerMinute),
        stats,
        ...(conn.close ? { close: conn.close } : {}),
      };
      runs.set(t.tenantId, run);
    }
    const active = await ensureSubscriptions(ctx, run);
    const results = await Promise.all(
      active.map((ct) => withLease(ctx, run, ct, (beat) => collectStream(ctx, run, ct, beat))),
    );
    const tenantLevel = results.find((r) => r && !r.ok && r.scope === 'tenant');
    if (tenantLevel && !tenantLevel.ok) throw tenantLevel.error;
    for (const [i, r] of results.entries())
      if (r && !r.ok) stats.streamsSkipped.push({ contentType: active[i]!, reason: r.error.message });
    stats.state = results.some((r) => r && !r.ok) ? 'failed' : ctx.signal.aborted ? 'interrupted' : 'done';
    if (stats.state === 'failed')
      stats.error = {
        code: 'UPSTREAM',
        message: 'some content types could not be collected',
        hint: 'See streamsSkipped, and tenantwatch coverage --gaps',
      };
  } catch (e) {
    if (ctx.signal.aborted && !(e instanceof AppError)) {
      stats.state = 'interrupted';
      return;
    }
    const error = toAppError(e);
    stats.state = 'failed';
    stats.error = { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
    ctx.logger.error(
      {
        event: EVENTS.tenantFailed,
        tenant: t.tenantId,
        name: t.name,
        code: error.code,
        error: error.message,
        hint: error.hint,
      },
      'tenant failed',
    );
  } finally {
    stats.throttleWaitMs = Math.max(stats.throttleWaitMs, runs.get(t.tenantId)?.budget.waitedMs ?? 0);
    progress();
  }
}

/** Runs a stream under its lease; a stream another process holds is skipped this pass (it is being collected). */
async function withLease<T>(
  ctx: RunContext,
  run: TenantRun,
  ct: ContentType,
  work: (heartbeat: () => Promise<void>) => Promise<T>,
): Promise<T | null> {
  const key = `collect/${run.tenantId}/${ct}`;
  const take = (): Promise<boolean> =>
    ctx.store.ledger.acquireLease(key, ctx.owner, ctx.clock.now() + ctx.options.leaseMs, ctx.clock.now());
  if (!(await take()) && !(await reclaimFromDead(ctx, run, ct, key))) {
    ctx.logger.info(
      { event: EVENTS.leaseBusy, tenant: run.tenantId, name: run.name, contentType: ct },
      'another collector holds this stream',
    );
    run.stats.streamsSkipped.push({
      contentType: ct,
      reason: 'another collector holds this stream (lease); it is collected there',
    });
    return null;
  }
  try {
    // Renewed, never taken again: a lease that ran out (a paused process, a request sent again after a 401) may have
    // been taken over by another collector, which may have worked the stream and let it go since; acquiring it again
    // would do that work a second time, so only a lease still this collector's is extended (ledger.renewLease).
    const renew = (): Promise<boolean> =>
      ctx.store.ledger.renewLease(key, ctx.owner, ctx.clock.now() + ctx.options.leaseMs);
    return await work(async () => {
      if (!(await renew()))
        throw new AppError('CONFLICT', `Another collector took over ${ct} of ${run.name}`, {
          hint: 'Leases expire when a collector stops renewing them; this one stops the stream',
        });
    });
  } finally {
    await ctx.store.ledger.releaseLease(key, ctx.owner);
  }
}

/**
 * A collector killed on this machine leaves its leases to expire (`--lease`, 2 min), and a collector
 * started again at once would skip every stream until then. Owners are `host:pid:random`: a holder on
 * this host whose process no longer exists is gone, and its lease is taken at once (compare-and-set, so
 * one reclaimer wins). A live process, another host, or an owner named otherwise is left alone; a pid
 * reused since is alive, and the lease then simply expires.
 */
async function reclaimFromDead(ctx: RunContext, run: TenantRun, ct: ContentType, key: string): Promise<boolean> {
  const holder = await ctx.store.ledger.leaseHolder(key);
  if (!holder || !isDeadLocalOwner(holder.owner)) return false;
  const won = await ctx.store.ledger.reclaimLease(key, holder.owner, ctx.owner, ctx.clock.now() + ctx.options.leaseMs);
  if (won)
    ctx.logger.warn(
      { event: EVENTS.leaseReclaimed, tenant: run.tenantId, name: run.name, contentType: ct, from: holder.owner },
      'took over the stream of a collector that died on this machine',
    );
  return won;
}

export { scopeOf };
export { isDeadLocalOwner } from '../runtime/lease-owner.js';
