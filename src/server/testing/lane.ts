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

/** The turns asked of the lane from now on (each `run` call's promise, in order): what each one came to. */
export function turnsAsked(lane: HeavyLane): Promise<unknown>[] {
  const run = lane.run.bind(lane);
  const asked: Promise<unknown>[] = [];
  lane.run = (work, options) => {
    const turn = run(work, options);
    asked.push(turn);
    return turn;
  };
  return asked;
}
