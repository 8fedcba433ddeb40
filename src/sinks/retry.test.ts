import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { runWithRetry } from '../net/retry.js';
import { classifyNetworkError, classifyStatus, parseRetryAfter, SinkFailure } from './failure.js';
import { backoffPolicy, DAEMON_RETRY } from './retry.js';

const failed = (failure: SinkFailure) => ({ thrown: false as const, failure });

test('backoff doubles up to the cap, with jitter in the upper half, and never under Retry-After', () => {
  const p = backoffPolicy({ baseMs: 100, capMs: 1_000, random: () => 0 });
  const f = new SinkFailure('server', '503', { retryable: true });
  const delays = [1, 2, 3, 4, 5, 6].map((n) => (p.decide(failed(f), n) as { delayMs: number }).delayMs);
  assert.deepEqual(delays, [50, 100, 200, 400, 500, 500]);
  const slow = new SinkFailure('throttled', '429', { retryable: true, retryAfterMs: 30_000 });
  const d = p.decide(failed(slow), 1);
  assert.equal(d.retry && d.delayMs, 30_000);
  assert.match(d.why, /Retry-After/);
});

test('gives up after the attempts allowed for the kind of failure, and says why', () => {
  const p = backoffPolicy({ maxAttempts: 3, maxAttemptsPermanent: 1 });
  assert.equal(p.decide(failed(new SinkFailure('server', '500', { retryable: true })), 2).retry, true);
  const gave = p.decide(failed(new SinkFailure('server', '500 boom', { retryable: true })), 3);
  assert.deepEqual(gave, { retry: false, why: 'gave up after 3 attempts: 500 boom' });
  assert.equal(p.decide(failed(new SinkFailure('auth', '401', { retryable: false })), 1).retry, false);
});

test('statuses and network errors are classified by stage', () => {
  assert.equal(classifyStatus(429, 'x', 1000).stage, 'throttled');
  assert.equal(classifyStatus(429, 'x', 1000).options.retryAfterMs, 1000);
  assert.equal(classifyStatus(401, 'x').stage, 'auth');
  assert.equal(classifyStatus(413, 'x').stage, 'too-large');
  assert.equal(classifyStatus(503, 'x').retryable, true);
  assert.equal(classifyStatus(400, 'x').stage, 'payload');
  // The URL, not a record: never bisected into dead letters.
  for (const status of [301, 302, 307, 308, 404, 405, 410]) {
    assert.equal(classifyStatus(status, 'x').stage, 'config', String(status));
    assert.equal(classifyStatus(status, 'x').aboutContent, false, String(status));
  }
  assert.equal(classifyNetworkError(Object.assign(new Error('x'), { code: 'ENOTFOUND' })).stage, 'dns');
  const dns = classifyNetworkError(
    Object.assign(new Error('getaddrinfo ENOTFOUND siem.example'), { code: 'ENOTFOUND', hostname: 'siem.example' }),
  );
  assert.equal(dns.message, 'The host name siem.example could not be resolved (ENOTFOUND)');
  // An email sink's unknown host was "connection refused or cut: EDNS: getaddrinfo ENOTFOUND mail".
  const smtp = classifyNetworkError(Object.assign(new Error('getaddrinfo ENOTFOUND mail'), { code: 'EDNS' }));
  assert.equal(smtp.stage, 'dns');
  assert.equal(smtp.message, 'The host name mail could not be resolved (ENOTFOUND)');
  assert.equal(
    classifyNetworkError(Object.assign(new Error('x'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })).stage,
    'tls',
  );
  assert.equal(classifyNetworkError(Object.assign(new Error('x'), { code: 'ECONNRESET' })).stage, 'connect');
  assert.equal(parseRetryAfter('3', 0), 3000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 0), 10_000);
  assert.equal(parseRetryAfter(undefined, 0), undefined);
});

/**
 * Alert routing renews its claim of an alert before each attempt, for one attempt and the wait after it (ADR 0026),
 * so the bounds must hold for every way a receiver can fail, and be reached by the worst one: here each attempt
 * takes the longest it may and the receiver fails in one way throughout.
 */
test('longestRunMs and longestWaitMs bound a run and each wait, whatever the receiver answers; the worst reaches them', async () => {
  const options = { baseMs: 500, capMs: 4_000, retryAfterCapMs: 15_000, maxAttempts: 4, maxAttemptsPermanent: 3 };
  const attemptMs = 30_000;
  const answers: Record<string, SinkFailure> = {
    'throttled, Retry-After an hour': new SinkFailure('throttled', '429', { retryable: true, retryAfterMs: 3_600_000 }),
    'throttled, no Retry-After': new SinkFailure('throttled', '429', { retryable: true }),
    'server error': new SinkFailure('server', '503', { retryable: true }),
    'server error, Retry-After a minute': new SinkFailure('server', '503', { retryable: true, retryAfterMs: 60_000 }),
    'refused credential': new SinkFailure('auth', '401', { retryable: false }),
  };
  const elapsed: Record<string, number> = {};
  const waits: number[] = [];
  for (const [name, failure] of Object.entries(answers)) {
    const policy = backoffPolicy({ ...options, random: () => 0.999 });
    const clock = new ManualClock(0, true);
    const result = await runWithRetry(
      async () => {
        clock.advance(attemptMs);
        return { ok: false as const, failure };
      },
      policy,
      clock,
      undefined,
      { onRetry: (decision) => waits.push(decision.delayMs) },
    );
    assert.equal(result.ok, false, name);
    elapsed[name] = clock.now();
    assert.ok(clock.now() <= policy.longestRunMs(attemptMs), `${name}: ${clock.now()} ms`);
  }
  assert.equal(backoffPolicy(options).longestWaitMs(), 15_000, 'a Retry-After at its bound');
  assert.equal(Math.max(...waits), 15_000);
  const bound = backoffPolicy(options).longestRunMs(attemptMs);
  assert.equal(bound, 5 * attemptMs + 4 * 15_000, 'five attempts (throttling gets one more), four waits at the cap');
  assert.equal(elapsed['throttled, Retry-After an hour'], bound);
  assert.equal(
    backoffPolicy({ ...options, maxAttemptsPermanent: 6 }).longestRunMs(attemptMs),
    6 * attemptMs + 5 * 15_000,
    'a failure of the sink itself may be tried more often than the others',
  );
  assert.equal(backoffPolicy(DAEMON_RETRY).longestRunMs(attemptMs), Infinity, 'a daemon tries until it is stopped');
});
