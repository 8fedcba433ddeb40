import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scaleClock, SCALE_TICK_MS } from './scale.js';

/**
 * Issue 17 item 16: `--time-scale N` makes the virtual clock run N times faster than real time, so an audit log
 * turned on in the demo applies in 60/N real minutes. Real time is faked here: no test waits for it.
 */
test('at 3600× the virtual clock moves an hour per real second, one move at a time', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const moves: number[] = [];
  let release: (() => void) | null = null;
  const timer = scaleClock(3600, async ({ advanceMs }) => {
    moves.push(advanceMs);
    // The first move delivers notifications slowly: the next ticks must not overtake it.
    if (moves.length === 1) await new Promise<void>((r) => (release = r));
  });
  try {
    t.mock.timers.tick(SCALE_TICK_MS);
    assert.deepEqual(moves, [3_600_000], 'an emulator hour after one real second');
    t.mock.timers.tick(2 * SCALE_TICK_MS);
    assert.deepEqual(moves, [3_600_000], 'no move while the previous one is still running');
    (release as (() => void) | null)?.();
    await new Promise((r) => setImmediate(r));
    t.mock.timers.tick(SCALE_TICK_MS);
    assert.deepEqual(moves, [3_600_000, 3_600_000]);
  } finally {
    if (timer) clearInterval(timer);
  }
});

test('time scale 0 leaves the virtual clock to the control API', () => {
  assert.equal(
    scaleClock(0, () => Promise.reject(new Error('moved'))),
    null,
  );
});
