/**
 * The sinks' retry policy: net's RetryPolicy (ADR 0016: capped exponential backoff with jitter, the
 * receiver's Retry-After honoured within a bound, attempts bounded) with the sinks' classifier, so
 * deliver.ts waits in net's one retry loop (`runWithRetry`) like every other outbound call.
 *
 * Failures a retry can cure (throttling, 5xx, cut connections) get `maxAttempts`; failures of the sink
 * itself (refused credential, untrusted certificate) get `maxAttemptsPermanent`, since a person must usually
 * act — but a daemon still tries again later (the store holds the records meanwhile).
 */
import { RetryPolicy as NetRetryPolicy, type Failed, type FailureClass, type RetryDecision } from '../net/retry.js';
import { classifyNetworkError, type SinkFailure } from './failure.js';

export type { RetryDecision };
export type RetryPolicy = NetRetryPolicy<SinkFailure>;

export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  /** Longest Retry-After honoured as given (a receiver asking for an hour is waited on for this long). */
  retryAfterCapMs?: number;
  maxAttempts?: number;
  maxAttemptsPermanent?: number;
  /** In [0, 1): the jitter source (tests pass a constant). */
  random?: () => number;
}

export const DAEMON_RETRY: BackoffOptions = {
  baseMs: 500,
  capMs: 60_000,
  maxAttempts: Infinity,
  maxAttemptsPermanent: Infinity,
};
/**
 * One-shot runs (`forward --once`, `sink replay`): a person is waiting, so give up and say why within
 * about a quarter of a minute of waiting for a receiver that fails (500, nothing listening): six
 * attempts, waits of 0.5, 1, 2, 4 and 8 s at most (15.5 s), a Retry-After honoured up to 15 s. Before,
 * twelve attempts with waits up to 30 s kept a run silent for one and a half to three minutes.
 */
export const ONCE_RETRY: BackoffOptions = {
  baseMs: 500,
  capMs: 8_000,
  retryAfterCapMs: 15_000,
  maxAttempts: 6,
  maxAttemptsPermanent: 2,
};

/** The failure a failed attempt stands for: the one answered, or what was thrown, classified. */
export function sinkFailureOf(failed: Failed<SinkFailure>): SinkFailure {
  return failed.thrown ? classifyNetworkError(failed.error) : failed.failure;
}

/** A receiver's failure in net's classes: 429/408 throttled, other retryable transient, the rest permanent. */
export function sinkRetryClass(failed: Failed<SinkFailure>): FailureClass {
  const f = sinkFailureOf(failed);
  const after = f.options.retryAfterMs ?? null;
  const why = after !== null ? `the receiver asked to wait ${after} ms (Retry-After) after: ${f.message}` : f.message;
  if (!f.retryable) return { kind: 'permanent', why };
  if (f.stage === 'throttled') return { kind: 'throttled', why, retryAfterMs: after };
  return { kind: 'transient', why, retryAfterMs: after };
}

/**
 * net's policy, plus tries for failures of the sink itself while `maxAttemptsPermanent` allows (attempts
 * count every failure of the step, of either kind, as before).
 */
class SinkRetryPolicy extends NetRetryPolicy<SinkFailure> {
  private readonly patient: NetRetryPolicy<SinkFailure>;

  constructor(
    private readonly permanentAttempts: number,
    options: ConstructorParameters<typeof NetRetryPolicy>[1],
  ) {
    super(sinkRetryClass, options);
    // Same numbers, but a permanent failure is waited on like a transient one.
    this.patient = new NetRetryPolicy<SinkFailure>(
      (failed) => {
        const c = sinkRetryClass(failed);
        return c.kind === 'permanent' ? { kind: 'transient', why: c.why } : c;
      },
      { ...options, maxAttempts: permanentAttempts },
    );
  }

  /** A failure of the sink itself is tried again too, while fewer than `maxAttemptsPermanent` were made. */
  protected override mostAttempts(): number {
    return Math.max(super.mostAttempts(), this.permanentAttempts);
  }

  override decide(failed: Failed<SinkFailure>, attempt: number): RetryDecision {
    const permanent = !sinkFailureOf(failed).retryable;
    if (permanent && attempt < this.permanentAttempts) return this.patient.decide(failed, attempt);
    return super.decide(failed, attempt);
  }
}

export function backoffPolicy(options: BackoffOptions = {}): RetryPolicy {
  const maxAttempts = options.maxAttempts ?? Infinity;
  return new SinkRetryPolicy(options.maxAttemptsPermanent ?? Infinity, {
    baseMs: options.baseMs ?? 500,
    capMs: options.capMs ?? 60_000,
    jitter: 0.5,
    maxAttempts,
    // Throttling counts against the same bound as other retryable failures (a `forward --once` ends).
    maxThrottled: maxAttempts,
    throttleMs: options.baseMs ?? 500,
    maxRetryAfterMs: options.retryAfterCapMs ?? 10 * 60_000,
    ...(options.random ? { random: options.random } : {}),
  });
}
