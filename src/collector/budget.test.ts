import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { FairScheduler, TenantBudget } from './budget.js';

test('the budget lets a burst through, then one request per 60/rate seconds; a throttle pauses everyone', async () => {
  const clock = new ManualClock(0, true);
  const budget = new TenantBudget(clock, 60, 2);
  await budget.take();
  await budget.take();
  assert.equal(clock.now(), 0);
  await budget.take();
  assert.equal(clock.now(), 1000);
  budget.pause(30_000);
  await budget.take();
  assert.ok(clock.now() >= 31_000);
  assert.ok(budget.waitedMs >= 31_000);
});

test('the scheduler is fair: a tenant with many queued tasks does not starve one with few', async () => {
  const scheduler = new FairScheduler(1);
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const tasks = [scheduler.run('big', () => gate)];
  for (let i = 0; i < 5; i++) tasks.push(scheduler.run('big', async () => void order.push('big')));
  for (let i = 0; i < 2; i++) tasks.push(scheduler.run('small', async () => void order.push('small')));
  release();
  await Promise.all(tasks);
  assert.deepEqual(order.slice(0, 4), ['big', 'small', 'big', 'small']);
});
