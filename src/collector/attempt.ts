import type { AppError } from '../core/errors.js';
import { isTransientError } from '../net/failures.js';
import { afterRetries, runWithRetry, type RetryHooks } from '../net/retry.js';
import type { ApiFailure } from '../microsoft/management-errors.js';
import type { Step } from '../microsoft/management-activity.js';
import type { RunContext, TenantRun } from './context.js';
import { EVENTS } from './events.js';

/**
 * Runs one Management API step under the tenant's budget and the run's retry policy (net/runWithRetry,
 * classified by the AF table): each try takes a budget token; a throttled answer pauses the whole
 * tenant's budget instead of sleeping this call alone; other retries sleep on the clock. A final failure
 * is handed back with its disposition for the caller to act on (resubscribe, shift the window, skip the
 * blob, give up); network errors and cut bodies that stayed failing come back as a fatal failure.
 * Sign-in failures, refused URLs and certificate failures are not retried: they are thrown. A stream renews its lease
 * in its client, right before each request goes out (ManagementActivityClient.beforeEachSend, stream-lease.ts).
 */
export async function attempt<T>(
  ctx: RunContext,
  run: TenantRun,
  what: string,
  step: () => Promise<Step<T>>,
): Promise<Step<T>> {
  const budgeted = async (): Promise<Step<T>> => {
    await run.budget.take(ctx.signal);
    return step();
  };
  const result = await runWithRetry(budgeted, ctx.retry, ctx.clock, ctx.signal, hooks(ctx, run, what));
  if (result.ok) return result;
  if (!result.failed.thrown) return { ok: false, failure: result.failed.failure };
  const error = afterRetries(result.failed.error, result.attempts);
  if (isTransientError(error)) return { ok: false, failure: asFailure(error as AppError) };
  throw error;
}

/** Counters and log lines per retry; a throttling pause goes on the tenant's budget, not this call's clock. */
function hooks(ctx: RunContext, run: TenantRun, what: string): RetryHooks<ApiFailure> {
  return {
    onRetry: (decision, failed, n) => {
      if (decision.throttled) {
        run.stats.throttled++;
        run.stats.throttleWaitMs += decision.delayMs;
        ctx.logger.info(
          { event: EVENTS.throttled, tenant: run.tenantId, name: run.name, what, delayMs: decision.delayMs },
          'throttled',
        );
        return;
      }
      run.stats.retries++;
      const f = failed.thrown ? null : failed.failure;
      ctx.logger.debug(
        {
          event: EVENTS.retry,
          tenant: run.tenantId,
          name: run.name,
          what,
          attempt: n,
          delayMs: decision.delayMs,
          why: decision.why,
          ...(f ? { status: f.status, code: f.code } : {}),
        },
        'retrying',
      );
    },
    // Every stream of the tenant holds back: the next budget.take waits the pause out.
    wait: (decision, signal) =>
      decision.throttled
        ? Promise.resolve(run.budget.pause(decision.delayMs))
        : ctx.clock.sleep(decision.delayMs, signal),
  };
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
