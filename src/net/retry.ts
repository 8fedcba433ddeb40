import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { isTransientError } from './failures.js';

/**
 * The one retry loop and its policy, for every outbound call (Microsoft's APIs today, sinks next).
 * A step answers ok, answers a failure in its own service's shape, or throws; the service's classifier
 * turns that into a FailureClass (transient, throttled, permanent), and the policy object decides: retry
 * after a delay (and why) or give up (and why) — capped exponential backoff with jitter, the service's
 * Retry-After honoured (within a bound), attempts bounded, an AbortSignal ending any wait. The loop is a
 * loop (DESIGN: never a function that calls itself) and waits only on the injected clock.
 */

/** One failed attempt in terms every service shares; a service's classifier says which. */
export type FailureClass =
  /** Worth repeating after a backoff (5xx, network, timeouts); `retryAfterMs` when the service said. */
  | { kind: 'transient'; why: string; retryAfterMs?: number | null }
  /** The service asked to slow down: expected, not an error; waits its hint or a short pause. */
  | { kind: 'throttled'; why: string; retryAfterMs: number | null }
  /** Retrying cannot help (permission, bad input, untrusted certificate). */
  | { kind: 'permanent'; why: string };

export type RetryDecision =
  { retry: true; delayMs: number; why: string; throttled: boolean } | { retry: false; why: string };

/** A failed attempt: the failure the step answered with, or what it threw. */
export type Failed<F> = { thrown: false; failure: F } | { thrown: true; error: unknown };

export type Outcome<T, F> = { ok: true; value: T } | { ok: false; failure: F };

export type RetryResult<T, F> =
  { ok: true; value: T } | { ok: false; why: string; attempts: number; failed: Failed<F> };

export interface RetryOptions {
  /** Attempts per step before giving up on transient failures (default 8). */
  maxAttempts?: number;
  /** First backoff step, ms (default 1 s); doubles per attempt. */
  baseMs?: number;
  /** Cap of one backoff step, ms (default 60 s). */
  capMs?: number;
  /** Share of each wait that is random, 0..1 (default 0.5: a wait falls in [½, 1] of its step). */
  jitter?: number;
  /** Pause after a throttled answer without a hint (default 5 s). */
  throttleMs?: number;
  /** Throttled answers in a row before giving up (default 200: throttling is expected, not an error). */
  maxThrottled?: number;
  /** Bound on a wait the service asks for (default 1 h), so a bad header cannot park a stream for days. */
  maxRetryAfterMs?: number;
  /** [0,1) source for jitter; injected so tests are deterministic. */
  random?: () => number;
}

/**
 * Retry-After (RFC 9110 §10.2.3) in ms: delay-seconds, or an HTTP-date measured against the answer's own
 * Date header (so neither clock skew nor a wall clock enters); null when absent or unreadable.
 */
export function retryAfterMs(headers: Record<string, string | undefined>): number | null {
  const value = headers['retry-after']?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  const date = Date.parse(headers['date'] ?? '');
  return Number.isFinite(at) && Number.isFinite(date) ? Math.max(0, at - date) : null;
}

/** Thrown errors as the generic classes: network trouble and timeouts are transient, the rest permanent. */
export function classifyThrown(error: unknown): FailureClass {
  const why = error instanceof Error ? error.message : String(error);
  return isTransientError(error) ? { kind: 'transient', why } : { kind: 'permanent', why };
}

/**
 * The error a step threw, as the caller reports it once the policy gave up after `attempts` tries: the hint
 * then says it was tried that many times. net/failures.ts's hints never claim a retry, since not every client
 * retries a thrown error (the Exchange admin client reports one at once); only a client that did may say so.
 */
export function afterRetries(error: unknown, attempts: number): unknown {
  if (!(error instanceof AppError) || attempts < 2) return error;
  return new AppError(error.code, error.message, {
    cause: error,
    ...(error.details ? { details: error.details } : {}),
    hint: `Tried ${attempts} times${error.hint ? `; ${error.hint}` : ''}`,
  });
}

export class RetryPolicy<F> {
  readonly maxAttempts: number;
  private readonly o: Required<Omit<RetryOptions, 'maxAttempts'>>;

  constructor(
    private readonly classify: (failed: Failed<F>) => FailureClass,
    options: RetryOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.o = {
      baseMs: options.baseMs ?? 1_000,
      capMs: options.capMs ?? 60_000,
      jitter: Math.min(1, Math.max(0, options.jitter ?? 0.5)),
      throttleMs: options.throttleMs ?? 5_000,
      maxThrottled: options.maxThrottled ?? 200,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 3_600_000,
      random: options.random ?? Math.random,
    };
  }

  /**
   * The longest runWithRetry can take under this policy when no attempt takes longer than `attemptMs`: every
   * attempt it may make, and before each but the first the longest wait it may choose. Infinity when attempts are
   * unbounded.
   */
  longestRunMs(attemptMs: number): number {
    const tries = this.mostAttempts();
    return tries * attemptMs + (tries - 1) * this.longestWaitMs();
  }

  /**
   * The longest wait decide() may choose between two attempts: a backoff step at its cap, a Retry-After at its
   * bound, or a throttling pause with its jitter. Who renews a lease before each attempt needs a term longer than
   * one attempt and this (alert routing's claims, ADR 0026).
   */
  longestWaitMs(): number {
    const { o } = this;
    return Math.max(o.capMs, o.maxRetryAfterMs, Math.round(o.throttleMs * (1 + o.jitter)));
  }

  /**
   * The most attempts decide() lets a step make: a transient failure is retried while fewer than maxAttempts
   * were made, a throttled one while no more than maxThrottled (attempts count failures of every kind).
   */
  protected mostAttempts(): number {
    return Math.max(this.maxAttempts, this.o.maxThrottled + 1);
  }

  /** `attempt` counts the failures so far for this step (1 after the first). */
  decide(failed: Failed<F>, attempt: number): RetryDecision {
    const c = this.classify(failed);
    const { o } = this;
    if (c.kind === 'permanent') return { retry: false, why: c.why };
    const hinted = c.retryAfterMs != null ? Math.min(o.maxRetryAfterMs, Math.max(0, c.retryAfterMs)) : null;
    if (c.kind === 'throttled') {
      if (attempt > o.maxThrottled) return { retry: false, why: `still throttled after ${attempt} tries` };
      const delayMs = hinted ?? Math.round(o.throttleMs * (1 - o.jitter + 2 * o.jitter * o.random()));
      return { retry: true, delayMs, why: c.why, throttled: true };
    }
    if (attempt >= this.maxAttempts) return { retry: false, why: `gave up after ${attempt} attempts: ${c.why}` };
    const step = Math.min(o.capMs, o.baseMs * 2 ** (attempt - 1));
    const delayMs = hinted ?? Math.round(step * (1 - o.jitter + o.jitter * o.random()));
    return { retry: true, delayMs, why: c.why, throttled: false };
  }
}

export interface RetryHooks<F> {
  /** Sees each retry before its wait (logs, counters). */
  onRetry?: (decision: RetryDecision & { retry: true }, failed: Failed<F>, attempt: number) => void;
  /**
   * Waits out a retry; by default sleeps `delayMs` on the clock. The collector waits a throttling pause
   * on the tenant's request budget instead, so every stream of the tenant holds back, not only this one.
   */
  wait?: (decision: RetryDecision & { retry: true }, signal?: AbortSignal) => Promise<void>;
}

/**
 * Runs `step` until it answers ok or the policy gives up; returns the last failure with the reason. An
 * abort (signal) rejects at once, from the step or from a wait; nothing else is thrown.
 */
export async function runWithRetry<T, F>(
  step: (attempt: number) => Promise<Outcome<T, F>>,
  policy: RetryPolicy<F>,
  clock: Clock,
  signal?: AbortSignal,
  hooks: RetryHooks<F> = {},
): Promise<RetryResult<T, F>> {
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    let failed: Failed<F>;
    try {
      const outcome = await step(attempt);
      if (outcome.ok) return outcome;
      failed = { thrown: false, failure: outcome.failure };
    } catch (error) {
      if (signal?.aborted) throw error;
      failed = { thrown: true, error };
    }
    const decision = policy.decide(failed, attempt);
    if (!decision.retry) return { ok: false, why: decision.why, attempts: attempt, failed };
    hooks.onRetry?.(decision, failed, attempt);
    await (hooks.wait ? hooks.wait(decision, signal) : clock.sleep(decision.delayMs, signal));
  }
}
