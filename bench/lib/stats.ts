/** Small timing helpers shared by the benches. Times are milliseconds from performance.now(). */

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

export function p95(xs: readonly number[]): number {
  return quantile(xs, 0.95);
}

/** Nearest-rank quantile (no interpolation: every figure reported is one that was measured). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Runs `fn` `runs` times (after `warmup` unmeasured runs) and returns each run's duration. */
export async function timeRuns(runs: number, fn: () => Promise<unknown>, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** "0.42 ms", "12.3 ms", "1.84 s". */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x >= 1000) return `${(x / 1000).toFixed(2)} s`;
  if (x >= 10) return `${x.toFixed(1)} ms`;
  return `${x.toFixed(2)} ms`;
}

export function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Progress for the person watching; stdout is reserved for the results. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
