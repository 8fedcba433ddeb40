import type { Clock } from '../core/clock.js';

/**
 * A tenant's request budget: a token bucket on the injected clock (`ratePerMinute`, bursts up to
 * `burst`). Every Management API call of the tenant takes one token first, so many streams of one
 * tenant share the tenant's quota instead of racing into AF429; a throttled answer pauses the whole
 * bucket (`pause`), not just the call that saw it.
 */
export class TenantBudget {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  /** Time spent waiting for the budget or a throttling pause, ms (progress shows it). */
  waitedMs = 0;

  constructor(
    private readonly clock: Clock,
    private readonly ratePerMinute: number,
    private readonly burst = Math.max(1, Math.min(ratePerMinute, 50)),
  ) {
    this.tokens = this.burst;
    this.last = clock.now();
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerMinute) / 60_000);
      this.last = now;
    }
  }

  /** Waits (on the clock) until a request may go out, then takes its token. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      if (now < this.pausedUntil) {
        await this.sleep(this.pausedUntil - now, signal);
        continue;
      }
      this.refill(now);
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) * 60_000) / this.ratePerMinute), signal);
    }
  }

  /** The service said "too many requests": nobody in this tenant calls before `ms` from now. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
    this.tokens = Math.min(this.tokens, 0);
  }

  private async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.waitedMs += ms;
    await this.clock.sleep(ms, signal);
  }
}

/**
 * Bounded concurrency shared by every tenant, granted round-robin over tenants with work waiting:
 * a tenant with 10,000 blobs queued cannot starve one with ten.
 */
export class FairScheduler {
  private active = 0;
  private readonly queues = new Map<string, (() => void)[]>();
  private readonly order: string[] = [];
  private next = 0;

  constructor(readonly limit: number) {}

  async run<T>(tenant: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(tenant, signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(tenant: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.active < this.limit && this.waiting() === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      let queue = this.queues.get(tenant);
      if (!queue) {
        queue = [];
        this.queues.set(tenant, queue);
        this.order.push(tenant);
      }
      const entry = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const q = this.queues.get(tenant);
        const i = q?.indexOf(entry) ?? -1;
        if (q && i >= 0) q.splice(i, 1);
        reject(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(entry);
    });
  }

  private waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  private release(): void {
    this.active--;
    for (let i = 0; i < this.order.length; i++) {
      const tenant = this.order[(this.next + i) % this.order.length]!;
      const entry = this.queues.get(tenant)?.shift();
      if (entry) {
        this.next = (this.next + i + 1) % this.order.length;
        this.active++;
        entry();
        return;
      }
    }
  }
}
