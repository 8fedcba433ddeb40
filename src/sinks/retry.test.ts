import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyNetworkError, classifyStatus, parseRetryAfter, SinkFailure } from './failure.js';
import { backoffPolicy } from './retry.js';

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
  assert.equal(
    classifyNetworkError(Object.assign(new Error('x'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })).stage,
    'tls',
  );
  assert.equal(classifyNetworkError(Object.assign(new Error('x'), { code: 'ECONNRESET' })).stage, 'connect');
  assert.equal(parseRetryAfter('3', 0), 3000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 0), 10_000);
  assert.equal(parseRetryAfter(undefined, 0), undefined);
});
