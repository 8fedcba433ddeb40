import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../core/errors.js';
import { classifyFailure } from '../microsoft/management-errors.js';
import { RetryPolicy } from './retry.js';

test('capped exponential backoff with jitter, then a give-up that says why', () => {
  const policy = new RetryPolicy({ baseMs: 1000, capMs: 8000, maxAttempts: 6, random: () => 1 });
  const f = classifyFailure(500, '{"error":{"code":"AF50000","message":"An internal error occurred."}}');
  const delays = [1, 2, 3, 4, 5].map((n) => policy.decide(f, n)).map((d) => (d.retry ? d.delayMs : -1));
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 8000]);
  const low = new RetryPolicy({ baseMs: 1000, random: () => 0 }).decide(f, 1);
  assert.ok(low.retry && low.delayMs === 500);
  const last = policy.decide(f, 6);
  assert.equal(last.retry, false);
  assert.match(last.why, /gave up after 6 attempts/);
});

test('fatal dispositions are not retried; throttling waits the hint or a short pause', () => {
  const policy = new RetryPolicy({ throttleMs: 4000, random: () => 0.5 });
  assert.equal(policy.decide(classifyFailure(401, '{"error":{"code":"AF10001","message":"x"}}'), 1).retry, false);
  const hinted = policy.decide(
    classifyFailure(429, '{"error":{"code":"AF429","message":"Please retry again after 1m 5s"}}'),
    3,
  );
  assert.deepEqual(hinted, { retry: true, delayMs: 65_000, why: 'throttled' });
  const plain = policy.decide(classifyFailure(403, '{"error":{"code":"AF429","message":"Too many requests."}}'), 50);
  assert.ok(plain.retry && plain.delayMs === 4000);
  assert.equal(policy.decideError(new AppError('NETWORK', 'reset'), 1).retry, true);
});
