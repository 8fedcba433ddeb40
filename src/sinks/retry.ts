/**
 * The retry decision, as a small policy object (STYLE.md): given how many attempts failed and the
 * classified failure, retry after a delay (capped exponential backoff with jitter, never shorter than
 * the receiver's Retry-After) or give up, each with why. The forwarder owns the waiting.
 *
 * Failures a retry can cure (throttling, 5xx, cut connections) get `maxAttempts`; failures of the sink
 * itself (refused credential, untrusted certificate) get `maxAttemptsPermanent`, since a person must
 * usually act — but a daemon still tries again later (the store holds the records meanwhile).
 */
import type { SinkFailure } from './failure.js';

export type RetryDecision = { retry: true; delayMs: number; why: string } | { retry: false; why: string };

export interface RetryPolicy {
  decide(failedAttempts: number, failure: Pick<SinkFailure, 'retryable' | 'message' | 'options'>): RetryDecision;
}

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
/** `forward --once` and `sink test`: give up and say why, rather than wait forever. */
export const ONCE_RETRY: BackoffOptions = { baseMs: 500, capMs: 30_000, maxAttempts: 12, maxAttemptsPermanent: 2 };

export function backoffPolicy(options: BackoffOptions = {}): RetryPolicy {
  const base = options.baseMs ?? 500;
  const cap = options.capMs ?? 60_000;
  const retryAfterCap = options.retryAfterCapMs ?? 10 * 60_000;
  const random = options.random ?? Math.random;
  return {
    decide(failedAttempts, failure) {
      const limit = failure.retryable ? (options.maxAttempts ?? Infinity) : (options.maxAttemptsPermanent ?? Infinity);
      if (failedAttempts >= limit)
        return { retry: false, why: `gave up after ${failedAttempts} attempts: ${failure.message}` };
      // "Full jitter" on the upper half: between half and all of the exponential step, so a crowd of
      // senders spreads out yet each still backs off.
      const step = Math.min(cap, base * 2 ** Math.min(30, failedAttempts - 1));
      const jittered = step / 2 + (random() * step) / 2;
      const after = Math.min(retryAfterCap, failure.options.retryAfterMs ?? 0);
      const delayMs = Math.round(Math.max(jittered, after));
      const why = after > jittered ? `the receiver asked to wait ${after} ms (Retry-After)` : `backoff ${delayMs} ms`;
      return { retry: true, delayMs, why: `${why} after: ${failure.message}` };
    },
  };
}
