import { isAppError, type AppError } from '../core/errors.js';
import type { ApiFailure } from '../microsoft/management-errors.js';
import type { Step } from '../microsoft/management-activity.js';
import type { RunContext, TenantRun } from './context.js';
import { EVENTS } from './events.js';

/**
 * Runs one API step under the tenant's budget and the retry policy: takes a budget token, calls, and
 * on failure asks the policy — wait and repeat (throttling pauses the whole tenant), or hand the
 * failure back with its disposition for the caller to act on (resubscribe, shift the window, skip
 * the blob, give up). Network errors and cut bodies inside `step` are retried the same way.
 * Sign-in failures and refused URLs are not retried: they are thrown.
 */

export async function attempt<T>(
  ctx: RunContext,
  run: TenantRun,
  what: string,
  step: () => Promise<Step<T>>,
): Promise<Step<T> | { ok: false; failure: ApiFailure }> {
  for (let n = 1; ; n++) {
    await run.budget.take(ctx.signal);
    let result: Step<T>;
    try {
      result = await step();
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      if (!isAppError(e) || !['NETWORK', 'TIMEOUT', 'UPSTREAM'].includes(e.code)) throw e;
      const decision = ctx.retry.decideError(e, n);
      if (!decision.retry) return { ok: false, failure: asFailure(e) };
      run.stats.retries++;
      ctx.logger.debug(
        { event: EVENTS.retry, tenant: run.tenantId, what, attempt: n, delayMs: decision.delayMs, why: decision.why },
        'retrying',
      );
      await ctx.clock.sleep(decision.delayMs, ctx.signal);
      continue;
    }
    if (result.ok) return result;
    const failure = result.failure;
    const decision = ctx.retry.decide(failure, n);
    if (!decision.retry) return result;
    if (failure.throttled) {
      run.stats.throttled++;
      run.stats.throttleWaitMs += decision.delayMs;
      run.budget.pause(decision.delayMs);
      ctx.logger.info({ event: EVENTS.throttled, tenant: run.tenantId, what, delayMs: decision.delayMs }, 'throttled');
      continue;
    }
    run.stats.retries++;
    ctx.logger.debug(
      {
        event: EVENTS.retry,
        tenant: run.tenantId,
        what,
        attempt: n,
        delayMs: decision.delayMs,
        why: decision.why,
        status: failure.status,
        code: failure.code,
      },
      'retrying',
    );
    await ctx.clock.sleep(decision.delayMs, ctx.signal);
  }
}

function asFailure(e: AppError): ApiFailure {
  return {
    disposition: 'fatal',
    status: 0,
    code: null,
    message: e.message,
    retryAfterMs: null,
    throttled: false,
    error: e,
  };
}
