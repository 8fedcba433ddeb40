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
import { classifyNetworkError, SinkFailure, STAGE_LABEL } from './failure.js';
import { runWithRetry, type Outcome } from '../net/retry.js';
import { sinkFailureOf, type RetryPolicy } from './retry.js';
import { countOf } from '../core/words.js';

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
  /** Waits between attempts instead of one clock.sleep (the forwarder renews its lease while it waits). */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * Runs before each request; what it throws ends the delivery (the forwarder renews its lease here: one batch read
   * from the store is several requests, each of which can take minutes).
   */
  beforeAttempt?: () => Promise<void>;
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

/**
 * Sends `items` until every one is confirmed or dead-lettered. Waiting is net's one retry loop
 * (`runWithRetry`, ADR 0016) with the sink's policy; one step sends what is still pending, so a bulk
 * answer that asks for a few items again retries only those.
 */
async function sendAll(ctx: DeliverContext, items: readonly Item[], out: DeliverOutcome): Promise<void> {
  let pending = items;
  // What beforeAttempt throws ends the delivery: the retry loop would take a throw for a failed attempt and try
  // again (a lost lease would be retried as if the receiver had failed).
  const ended = new AbortController();
  const signal = AbortSignal.any([ctx.signal, ended.signal]);
  const step = async (): Promise<Outcome<SinkFailure | null, SinkFailure>> => {
    for (;;) {
      try {
        await ctx.beforeAttempt?.();
      } catch (error) {
        ended.abort(error);
        throw error;
      }
      let result;
      try {
        result = await ctx.driver.send(pending, ctx.signal);
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        const failure = classifyNetworkError(e);
        ctx.onFailure?.(failure);
        // Content at fault: no retry can help; the caller bisects.
        if (failure.aboutContent) return { ok: true, value: failure };
        return { ok: false, failure };
      }
      for (const r of result.rejected) out.dead.push(deadLetter(ctx, pending[r.index]!, r.reason));
      out.delivered += pending.length - result.rejected.length - result.retry.length;
      if (result.retry.length === 0) return { ok: true, value: null };
      pending = result.retry.map((r) => pending[r.index]!);
      if (result.retryNow) continue;
      const failure = new SinkFailure('throttled', `${countOf(pending.length, 'item')}: ${result.retry[0]!.reason}`, {
        retryable: true,
        retryAfterMs: result.retryAfterMs,
      });
      ctx.onFailure?.(failure);
      return { ok: false, failure };
    }
  };
  const result = await runWithRetry(step, ctx.policy, ctx.clock, signal, {
    ...(ctx.wait ? { wait: (decision) => ctx.wait!(decision.delayMs, ctx.signal) } : {}),
    onRetry: (decision, failed, attempt) => {
      const failure = sinkFailureOf(failed);
      // A request that failed after it left may have been kept by the receiver: resending it may double.
      if (!ctx.driver.idempotent && failure.stage !== 'dns' && failure.stage !== 'tls' && failure.stage !== 'throttled')
        out.resent += pending.length;
      // At warn, so a person sees it without -v: a one-shot run says it is still trying, a daemon that it
      // keeps trying (at least once: the records wait in the store until the receiver takes them).
      ctx.logger.warn(
        { event: EVENTS.retry, sink: ctx.sink, stage: failure.stage, attempt, delayMs: decision.delayMs },
        retryLine(ctx.policy, attempt, decision.delayMs, `${STAGE_LABEL[failure.stage]}: ${decision.why}`),
      );
    },
  });
  if (!result.ok) {
    const failure = sinkFailureOf(result.failed);
    ctx.logger.warn({ event: EVENTS.gaveUp, sink: ctx.sink, stage: failure.stage, why: result.why }, 'sink gave up');
    if (result.attempts < 2) throw failure;
    throw new SinkFailure(failure.stage, `${failure.message} (gave up after ${result.attempts} attempts)`, {
      ...failure.options,
      cause: failure,
    });
  }
  if (result.value) await bisect(ctx, pending, result.value, out);
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

function deadLetter(ctx: DeliverContext, item: Item, given: string): DeadLetter {
  const key = itemKey(item);
  // A receiver's reason may quote the record (Elastic's mapper_parsing_exception shows the field's value), a NUL
  // in it too: PostgreSQL text cannot hold U+0000, the dead letter could not be stored, and the sink failed on that
  // batch at every try. Kept as the six characters \u0000, as the store keeps it in a record's columns.
  const reason = (ctx.scrub ? ctx.scrub(given) : given).replaceAll('\u0000', '\\u0000');
  ctx.logger.warn(
    { event: EVENTS.deadLetter, sink: ctx.sink, tenant: key.tenant, id: key.id, reason },
    'receiver refused an item for good',
  );
  return { sink: ctx.sink, kind: key.kind, tenant: key.tenant, itemId: key.id, reason, failedAt: ctx.clock.now() };
}

/** "attempt 2 of at most 6 failed (…); trying again in 1 s", or with no bound, that it goes on trying. */
export function retryLine(policy: RetryPolicy, attempt: number, delayMs: number, why: string): string {
  const wait = delayMs >= 1_000 ? `${Math.round(delayMs / 100) / 10} s` : `${delayMs} ms`;
  if (Number.isFinite(policy.maxAttempts))
    return `attempt ${attempt} of at most ${policy.maxAttempts} failed (${why}); trying again in ${wait}`;
  return `attempt ${attempt} failed (${why}); trying again in ${wait}, and until the receiver takes the records (they wait in the store)`;
}
