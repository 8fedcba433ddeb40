import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaultGate } from './faults.js';
import { DEFAULT_FAULTS } from './types.js';

/**
 * Issue 17 item 12: the emulator had no throttling unless a test asked for it, while Microsoft documents
 * 2,000 requests a minute per tenant. By default the 2,001st request of an emulator-clock minute in one quota
 * pool is throttled; other pools and the next minute are not. Tests that need no throttle pass null.
 */
test('by default the 2,001st request in one minute of one pool is throttled, as documented', () => {
  let now = Date.UTC(2026, 10, 20, 12, 0, 30);
  const gate = new FaultGate({ faults: { ...DEFAULT_FAULTS }, now: () => now, seed: 7 });
  for (let i = 1; i <= 2_000; i++) assert.equal(gate.throttled('mapi|pub|tenant-a'), false, `request ${i}`);
  assert.equal(gate.remaining('mapi|pub|tenant-a'), 0);
  assert.equal(gate.throttled('mapi|pub|tenant-a'), true, 'request 2,001 is over the budget');
  assert.equal(gate.throttled('mapi|pub|tenant-b'), false, 'another tenant has its own budget');
  now += 30_000; // the next emulator minute
  assert.equal(gate.throttled('mapi|pub|tenant-a'), false, 'a new minute, a new budget');
});

test('throttleBudgetPerMinute null is no throttle at all (what tests on a standing virtual clock ask for)', () => {
  const gate = new FaultGate({ faults: { ...DEFAULT_FAULTS, throttleBudgetPerMinute: null }, now: () => 0, seed: 7 });
  for (let i = 0; i < 5_000; i++) assert.equal(gate.throttled('mapi|pub|tenant-a'), false);
});
