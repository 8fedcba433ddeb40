/** Real time between the moves of a scaled virtual clock (each move also delivers due webhook notifications). */
export const SCALE_TICK_MS = 1_000;

/**
 * Moves a virtual clock `timeScale` times faster than real time, so an emulator hour can pass in a real
 * minute (`--time-scale 60`): every real second it advances the clock by `timeScale` seconds, one move at
 * a time (a move that is still delivering notifications is not overtaken). Returns the timer, or null when
 * the clock is not scaled.
 */
export function scaleClock(
  timeScale: number,
  setClock: (change: { advanceMs: number }) => Promise<void>,
): NodeJS.Timeout | null {
  if (timeScale <= 0) return null;
  let busy = false;
  const tick = setInterval(() => {
    if (busy) return;
    busy = true;
    setClock({ advanceMs: SCALE_TICK_MS * timeScale })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, SCALE_TICK_MS);
  tick.unref();
  return tick;
}
