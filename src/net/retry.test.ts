import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, type Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { networkError } from './failures.js';
import {
  afterRetries,
  classifyThrown,
  RetryPolicy,
  retryAfterMs,
  runWithRetry,
  type Failed,
  type FailureClass,
  type Outcome,
} from './retry.js';

/**
 * The one retry loop on an injected clock (nothing really sleeps): backoff, jitter, Retry-After, bounds,
 * permanent failures, thrown errors and cancellation. Failures here are a toy service's: a status number.
 */
type Status = number;

const classify = (failed: Failed<Status>): FailureClass => {
  if (failed.thrown) return { kind: 'permanent', why: String(failed.error) };
  const s = failed.failure;
  if (s === 429) return { kind: 'throttled', why: 'slow down', retryAfterMs: null };
  if (s === 4290) return { kind: 'throttled', why: 'slow down', retryAfterMs: 7_000 };
  if (s === 5030) return { kind: 'transient', why: 'busy', retryAfterMs: 90_000 };
  if (s >= 500) return { kind: 'transient', why: `HTTP ${s}` };
  return { kind: 'permanent', why: `HTTP ${s}` };
};

/** A clock whose sleeps return at once and are written down. */
function recordingClock(): Clock & { waits: number[] } {
  const waits: number[] = [];
  let now = 0;
  return {
    waits,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  };
}

/** A step that answers the given statuses in turn, then ok. */
function scripted(statuses: Status[]): { step: () => Promise<Outcome<string, Status>>; calls: () => number } {
  let calls = 0;
  return {
    step: async () => {
      const s = statuses[calls++];
      return s === undefined ? { ok: true, value: 'done' } : { ok: false, failure: s };
    },
    calls: () => calls,
  };
}

test('transient failures back off exponentially up to the cap, with jitter inside [1-j, 1] of each step', async () => {
  const clock = recordingClock();
  const top = new RetryPolicy(classify, { baseMs: 1000, capMs: 8000, maxAttempts: 10, random: () => 0.999999 });
  const s = scripted([500, 502, 503, 500, 500, 500]);
  assert.deepEqual(await runWithRetry(s.step, top, clock), { ok: true, value: 'done' });
  assert.deepEqual(clock.waits, [1000, 2000, 4000, 8000, 8000, 8000]);
  const low = recordingClock();
  await runWithRetry(scripted([500, 500]).step, new RetryPolicy(classify, { jitter: 0.5, random: () => 0 }), low);
  assert.deepEqual(low.waits, [500, 1000]);
  const none = recordingClock();
  await runWithRetry(scripted([500, 500]).step, new RetryPolicy(classify, { jitter: 0, random: () => 0 }), none);
  assert.deepEqual(none.waits, [1000, 2000]);
});

test('attempts are bounded: the give-up says why and hands back the last failure', async () => {
  const clock = recordingClock();
  const s = scripted([500, 500, 500, 500, 500]);
  const result = await runWithRetry(s.step, new RetryPolicy(classify, { maxAttempts: 3, random: () => 0 }), clock);
  assert.equal(result.ok, false);
  assert.ok(!result.ok && !result.failed.thrown && result.failed.failure === 500);
  assert.ok(!result.ok && result.attempts === 3 && /gave up after 3 attempts: HTTP 500/.test(result.why));
  assert.equal(s.calls(), 3);
  assert.equal(clock.waits.length, 2);
});

test('a permanent failure is not retried; its reason is the why', async () => {
  const clock = recordingClock();
  const s = scripted([403]);
  const result = await runWithRetry(s.step, new RetryPolicy(classify), clock);
  assert.ok(!result.ok && result.why === 'HTTP 403' && result.attempts === 1);
  assert.equal(s.calls(), 1);
  assert.deepEqual(clock.waits, []);
});

test("Retry-After is honoured, within the policy's bound; throttling has its own, larger budget", async () => {
  const clock = recordingClock();
  const policy = new RetryPolicy(classify, { maxRetryAfterMs: 60_000, throttleMs: 4000, jitter: 0, maxAttempts: 3 });
  await runWithRetry(scripted([4290, 5030, 429, 429, 429]).step, policy, clock);
  assert.deepEqual(clock.waits, [7000, 60_000, 4000, 4000, 4000], 'hint, capped hint, then the plain pause');
  const stubborn = await runWithRetry(
    scripted(Array<Status>(10).fill(429)).step,
    new RetryPolicy(classify, { maxThrottled: 4 }),
    recordingClock(),
  );
  assert.ok(!stubborn.ok && /still throttled after 5 tries/.test(stubborn.why));
});

test('thrown errors are classified too; the decision names the throttled ones for the caller', async () => {
  const transient = (f: Failed<Status>): FailureClass =>
    f.thrown ? { kind: 'transient', why: (f.error as Error).message } : classify(f);
  let calls = 0;
  const seen: { why: string; throttled: boolean }[] = [];
  const result = await runWithRetry<string, Status>(
    async () => {
      calls++;
      if (calls === 1) throw new AppError('NETWORK', 'reset');
      if (calls === 2) return { ok: false, failure: 429 };
      return { ok: true, value: 'done' };
    },
    new RetryPolicy(transient),
    recordingClock(),
    undefined,
    { onRetry: (d) => seen.push({ why: d.why, throttled: d.throttled }) },
  );
  assert.deepEqual(result, { ok: true, value: 'done' });
  assert.deepEqual(seen, [
    { why: 'reset', throttled: false },
    { why: 'slow down', throttled: true },
  ]);
});

test('a caller may wait its own way (the collector pauses a tenant budget); the clock is then not used', async () => {
  const clock = recordingClock();
  const waited: number[] = [];
  await runWithRetry(scripted([429, 500]).step, new RetryPolicy(classify, { jitter: 0 }), clock, undefined, {
    wait: async (d) => void waited.push(d.delayMs),
  });
  assert.deepEqual(waited, [5000, 2000], 'a throttled answer counts as an attempt of the backoff too');
  assert.deepEqual(clock.waits, []);
});

test('an abort ends a wait at once, and no step starts after it', async () => {
  const clock = new ManualClock(0);
  const controller = new AbortController();
  const s = scripted([500, 500, 500]);
  const pending = runWithRetry(s.step, new RetryPolicy(classify, { baseMs: 60_000 }), clock, controller.signal);
  while (clock.pendingSleeps === 0) await new Promise((r) => setImmediate(r));
  controller.abort(new AppError('CANCELLED', 'Stopped on request'));
  await assert.rejects(pending, { code: 'CANCELLED' });
  assert.equal(s.calls(), 1);
  await assert.rejects(runWithRetry(s.step, new RetryPolicy(classify), clock, controller.signal), {
    code: 'CANCELLED',
  });
  assert.equal(s.calls(), 1, 'an already aborted signal runs nothing');
});

test('an error thrown by a step while the signal is aborted is passed on, not classified', async () => {
  const controller = new AbortController();
  let decided = 0;
  const policy = new RetryPolicy<Status>((f) => (decided++, classify(f)));
  const pending = runWithRetry(
    async () => {
      controller.abort();
      throw new Error('socket closed by the abort');
    },
    policy,
    recordingClock(),
    controller.signal,
  );
  await assert.rejects(pending, /socket closed by the abort/);
  assert.equal(decided, 0);
});

test('Retry-After: seconds, or an HTTP-date against the answer’s own Date header; junk is no hint', () => {
  assert.equal(retryAfterMs({ 'retry-after': '7' }), 7000);
  assert.equal(retryAfterMs({ 'retry-after': ' 1.5 ' }), 1500);
  assert.equal(
    retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2026 07:28:30 GMT', date: 'Wed, 21 Oct 2026 07:28:00 GMT' }),
    30_000,
  );
  assert.equal(retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2026 07:28:30 GMT' }), null, 'no Date: no clock to compare');
  assert.equal(
    retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2026 07:27:00 GMT', date: 'Wed, 21 Oct 2026 07:28:00 GMT' }),
    0,
  );
  assert.equal(retryAfterMs({ 'retry-after': 'soon' }), null);
  assert.equal(retryAfterMs({ 'retry-after': '-5' }), null);
  assert.equal(retryAfterMs({}), null);
});

test('a network error claims no retry; a client that retried it says how often when it gives up', async () => {
  const reset = () =>
    networkError(
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      new AbortController().signal,
      new URL('https://127.0.0.1:9443/x'),
    ) as AppError;
  for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND']) {
    const e = networkError(
      Object.assign(new Error(code), { code }),
      new AbortController().signal,
      new URL('https://h'),
    );
    assert.doesNotMatch((e as AppError).hint ?? '', /retr/i, code);
  }
  const policy = new RetryPolicy<Status>((f) => (f.thrown ? classifyThrown(f.error) : classify(f)), {
    maxAttempts: 3,
  });
  const result = await runWithRetry<string, Status>(
    async () => {
      throw reset();
    },
    policy,
    recordingClock(),
  );
  assert.ok(!result.ok && result.failed.thrown);
  const reported = afterRetries(result.failed.error, result.attempts) as AppError;
  assert.deepEqual([reported.code, reported.details?.cause], ['NETWORK', 'other']);
  assert.match(reported.hint ?? '', /^Tried 3 times; Check the network/);
  const once = reset();
  assert.equal(afterRetries(once, 1), once, 'tried once: reported as it was');
});
