import type { Clock } from '../core/clock.js';
import type { ApiFailure } from '../microsoft/management-errors.js';

/**
 * When to try again, as a small policy object (DESIGN: never a function that calls itself): each
 * failure gets a decision — retry after a delay (and why) or give up (and why). Capped exponential
 * backoff with full jitter for errors; throttling waits the service's hint or a short fixed pause, so
 * the budget is used again as soon as it refills (the bench targets ≥ 90 % of it).
 */
export type RetryDecision = { retry: true; delayMs: number; why: string } | { retry: false; why: string };

export interface RetryOptions {
  /** Attempts per step before giving up (default 8). */
  maxAttempts?: number;
  baseMs?: number;
  capMs?: number;
  /** Pause after a throttled answer without a hint (default 5 s). */
  throttleMs?: number;
  /** Throttled answers in a row before giving up (default 200: throttling is expected, not an error). */
  maxThrottled?: number;
  /** [0,1) source for jitter; injected so tests are deterministic. */
  random?: () => number;
}

export class RetryPolicy {
  readonly maxAttempts: number;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly throttleMs: number;
  private readonly maxThrottled: number;
  private readonly random: () => number;

  constructor(options: RetryOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseMs = options.baseMs ?? 1_000;
    this.capMs = options.capMs ?? 60_000;
    this.throttleMs = options.throttleMs ?? 5_000;
    this.maxThrottled = options.maxThrottled ?? 200;
    this.random = options.random ?? Math.random;
  }

  /** `attempt` counts failures so far for this step (1 after the first failure). */
  decide(
    failure: Pick<ApiFailure, 'disposition' | 'throttled' | 'retryAfterMs' | 'error'>,
    attempt: number,
  ): RetryDecision {
    if (failure.throttled) {
      if (attempt > this.maxThrottled) return { retry: false, why: `still throttled after ${attempt} tries` };
      const hinted = failure.retryAfterMs;
      const delayMs = hinted !== null ? hinted : Math.round(this.throttleMs * (0.5 + this.random()));
      return { retry: true, delayMs, why: 'throttled' };
    }
    if (failure.disposition !== 'retry-later' && failure.disposition !== 'renew-token')
      return { retry: false, why: failure.error.message };
    if (attempt >= this.maxAttempts)
      return { retry: false, why: `gave up after ${attempt} attempts: ${failure.error.message}` };
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** (attempt - 1));
    return { retry: true, delayMs: Math.round(ceiling * (0.5 + this.random() / 2)), why: failure.error.message };
  }

  /** Network errors and timeouts are transient: retried like a 5xx. */
  decideError(error: Error, attempt: number): RetryDecision {
    return this.decide(
      { disposition: 'retry-later', throttled: false, retryAfterMs: null, error: error as ApiFailure['error'] },
      attempt,
    );
  }
}

/** Sleeps on the injected clock; an abort rejects at once. */
export function wait(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return clock.sleep(ms, signal);
}
