import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/contract.js';

/**
 * A store for @fastify/rate-limit that counts in the database (store.auth.hitRate) instead of the
 * plugin's default LocalStore, which counts in one process's memory: with several `serve` processes on
 * one PostgreSQL behind a load balancer, each would allow the full number of sign-in attempts, so the
 * limit would grow with the processes. A fixed window per key, started by its first attempt; a
 * database failure fails the request (the plugin's skipOnError stays off): never an unlimited login.
 */
export function databaseRateStore(store: Store, clock: Clock): FastifyRateLimitStoreCtor {
  class DatabaseRateStore implements FastifyRateLimitStore {
    constructor(
      _options: unknown,
      private readonly prefix = 'rate:',
    ) {}

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      const now = clock.now();
      store.auth.hitRate(this.prefix + key, now, timeWindow).then(
        (r) => callback(null, { current: r.hits, ttl: Math.max(0, r.windowStart + timeWindow - now) }),
        (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
      );
    }

    /** Each rate-limited route counts on its own (the key is the client address). */
    child(routeOptions: { url?: string }): FastifyRateLimitStore {
      return new DatabaseRateStore(null, `rate:${routeOptions.url ?? ''}:`);
    }
  }
  return DatabaseRateStore;
}
