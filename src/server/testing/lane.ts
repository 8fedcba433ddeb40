import type { HeavyLane } from '../heavy-lane.js';

/**
 * Takes one of the lane's turns as a heavy query still running would, until `release()`; `done` settles when the
 * turn has ended. The turn starts on a later macrotask (heavy-lane.ts), so callers wait a tick before counting on it.
 */
export function occupyLane(lane: HeavyLane): { release: () => void; done: Promise<void> } {
  let release!: () => void;
  const done = lane.run(() => new Promise<void>((resolve) => (release = resolve)));
  return { release: () => release(), done };
}
