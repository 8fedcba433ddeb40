import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from './clock.js';

test('a manual clock wakes sleepers only when time passes their deadline', async () => {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const woke: number[] = [];
  const a = clock.sleep(1000).then(() => woke.push(1));
  const b = clock.sleep(5000).then(() => woke.push(5));
  assert.equal(clock.pendingSleeps, 2);
  clock.advance(999);
  await Promise.resolve();
  assert.deepEqual(woke, []);
  clock.advance(1);
  await a;
  assert.deepEqual(woke, [1]);
  clock.advance(4000);
  await b;
  assert.deepEqual(woke, [1, 5]);
});

test('an aborted sleep rejects and is forgotten', async () => {
  const clock = new ManualClock(0);
  const controller = new AbortController();
  const p = clock.sleep(1000, controller.signal);
  controller.abort();
  await assert.rejects(p);
  assert.equal(clock.pendingSleeps, 0);
});
