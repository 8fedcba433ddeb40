import { unit } from './util/rand.js';
import type { World } from './world.js';

/**
 * Seeded fault decisions shared by the services. Throttling counts requests per quota pool per minute
 * of the emulator clock (behaviours 27, 33, 44); 5xx and cut-off responses are picked by a hash of the
 * seed and the request number, so a run with the same seed and requests fails the same way.
 */
export class FaultGate {
  private counts = new Map<string, number>();

  /** Only the faults, the clock and the seed: a test can drive the gate without a whole World. */
  constructor(private readonly world: Pick<World, 'faults' | 'now' | 'seed'>) {}

  /** Counts one request against `pool` and says whether it is over this minute's budget. */
  throttled(pool: string): boolean {
    const budget = this.world.faults.throttleBudgetPerMinute;
    if (budget === null) return false;
    const key = `${pool}|${Math.floor(this.world.now() / 60_000)}`;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (this.counts.size > 10_000) this.counts.clear();
    return n > budget;
  }

  /** Seconds until the current throttling minute ends (Rate-Limit-Reset). */
  secondsToNextMinute(): number {
    return Math.ceil((60_000 - (this.world.now() % 60_000)) / 1000);
  }

  remaining(pool: string): number {
    const budget = this.world.faults.throttleBudgetPerMinute;
    if (budget === null) return 10_000;
    const key = `${pool}|${Math.floor(this.world.now() / 60_000)}`;
    return Math.max(0, budget - (this.counts.get(key) ?? 0));
  }

  serverError(requestNumber: number): boolean {
    const rate = this.world.faults.serverErrorRate;
    return rate > 0 && unit(this.world.seed, 'fault-5xx', requestNumber) < rate;
  }

  cut(requestNumber: number): boolean {
    const rate = this.world.faults.cutRate;
    return rate > 0 && unit(this.world.seed, 'fault-cut', requestNumber) < rate;
  }
}
