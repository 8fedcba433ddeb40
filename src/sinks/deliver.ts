/**
 * Delivers one batch to one receiver, completely: every item ends up confirmed by the receiver or
 * dead-lettered with the receiver's reason, or the call throws (the receiver cannot be reached or
 * refuses the sink itself) and the caller keeps its cursor where it was. Retries follow the policy;
 * a payload refused as a whole is bisected down to the records at fault, so one bad record never
 * holds back the others (Vector's "release only once confirmed", with a per-record dead end).
 */
import type { Clock } from '../core/clock.js';
import type { DeadLetter } from '../core/sink.js';
import type { Logger } from '../core/log.js';
import { itemKey, type Item } from './alert.js';
import type { SinkDriver } from './driver.js';
import { EVENTS } from './events.js';
import { classifyNetworkError, SinkFailure } from './failure.js';
import type { RetryPolicy } from './retry.js';

export interface DeliverContext {
  sink: string;
  driver: SinkDriver;
  policy: RetryPolicy;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  /** Told of each failure (the forwarder keeps the last one for `sink status`). */
  onFailure?: (failure: SinkFailure) => void;
  /** Removes secrets from a receiver's reason before it is kept. */
  scrub?: (text: string) => string;
}

export interface DeliverOutcome {
  delivered: number;
  dead: DeadLetter[];
  /** Items sent more than once within this batch (a retried request the receiver may have kept). */
  resent: number;
}

export async function deliverItems(ctx: DeliverContext, items: readonly Item[]): Promise<DeliverOutcome> {
  const out: DeliverOutcome = { delivered: 0, dead: [], resent: 0 };
  for (let i = 0; i < items.length; i += ctx.driver.maxBatch) {
    await sendAll(ctx, items.slice(i, i + ctx.driver.maxBatch), out);
  }
  return out;
}

async function sendAll(ctx: DeliverContext, items: readonly Item[], out: DeliverOutcome): Promise<void> {
  let pending = items;
  let failed = 0;
  while (pending.length > 0) {
    ctx.signal.throwIfAborted();
    let result;
    try {
      result = await ctx.driver.send(pending, ctx.signal);
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      const failure = classifyNetworkError(e);
      ctx.onFailure?.(failure);
      if (failure.aboutContent) return bisect(ctx, pending, failure, out);
      failed++;
      await wait(ctx, failed, failure);
      if (!ctx.driver.idempotent && failure.stage !== 'dns' && failure.stage !== 'tls') out.resent += pending.length;
      continue;
    }
    for (const r of result.rejected) out.dead.push(deadLetter(ctx, pending[r.index]!, r.reason));
    out.delivered += pending.length - result.rejected.length - result.retry.length;
    if (result.retry.length === 0) return;
    const again = result.retry.map((r) => pending[r.index]!);
    if (result.retryNow) {
      pending = again;
      continue;
    }
    const failure = new SinkFailure('throttled', `${again.length} item(s): ${result.retry[0]!.reason}`, {
      retryable: true,
      retryAfterMs: result.retryAfterMs,
    });
    ctx.onFailure?.(failure);
    failed++;
    await wait(ctx, failed, failure);
    pending = again;
  }
}

/** A refused payload: halves are sent on their own until the single items at fault are found. */
async function bisect(ctx: DeliverContext, items: readonly Item[], failure: SinkFailure, out: DeliverOutcome) {
  if (items.length === 1) {
    out.dead.push(deadLetter(ctx, items[0]!, failure.message));
    return;
  }
  const half = Math.ceil(items.length / 2);
  await sendAll(ctx, items.slice(0, half), out);
  await sendAll(ctx, items.slice(half), out);
}

async function wait(ctx: DeliverContext, failed: number, failure: SinkFailure): Promise<void> {
  const decision = ctx.policy.decide(failed, failure);
  if (!decision.retry) {
    ctx.logger.warn({ event: EVENTS.gaveUp, sink: ctx.sink, stage: failure.stage, why: decision.why }, 'sink gave up');
    throw failure;
  }
  ctx.logger.info(
    { event: EVENTS.retry, sink: ctx.sink, stage: failure.stage, attempt: failed, delayMs: decision.delayMs },
    decision.why,
  );
  await ctx.clock.sleep(decision.delayMs, ctx.signal);
}

function deadLetter(ctx: DeliverContext, item: Item, given: string): DeadLetter {
  const key = itemKey(item);
  const reason = ctx.scrub ? ctx.scrub(given) : given;
  ctx.logger.warn(
    { event: EVENTS.deadLetter, sink: ctx.sink, tenant: key.tenant, id: key.id, reason },
    'receiver refused an item for good',
  );
  return { sink: ctx.sink, kind: key.kind, tenant: key.tenant, itemId: key.id, reason, failedAt: ctx.clock.now() };
}
