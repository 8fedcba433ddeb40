import type { Pool, PoolClient } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../core/errors.js';

/**
 * Surviving a dropped PostgreSQL connection (server restart, failover, pg_terminate_backend): issue
 * 18.14, where `collect` crashed on an unhandled 'error' event and a `--follow` daemon died.
 * - Every pooled client gets an 'error' listener for its whole life: pg emits 'error' on a client whose
 *   connection breaks, also while it is checked out, and pg-pool listens only while it is idle.
 * - A statement or transaction that failed because the connection went away is run again on a fresh
 *   connection, with growing pauses. Only the store's own operations go through here, and they are
 *   replay-safe by design: inserts skip stored (tenant, id), checkpoints and cursors are set to a value,
 *   and a transaction that lost its connection before COMMIT was rolled back by the server.
 */
export const RETRY_DELAYS_MS = [100, 250, 500, 1000, 2000, 4000, 8000];

/** SQLSTATEs and socket errors that mean "the connection is gone", not "the statement is wrong". */
const LOST = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

export function connectionLost(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && LOST.has(code)) return true;
  return /Connection terminated|connection (is )?closed|Client has encountered a connection error|not queryable/i.test(
    error.message,
  );
}

/** Keeps a broken connection's 'error' event from ending the process; the query it broke fails on its own. */
export function guardClients(pool: Pool): void {
  pool.on('error', () => undefined);
  pool.on('connect', (client: PoolClient) => {
    client.on('error', () => undefined);
  });
}

/** Runs `operation`, again after a pause each time the connection was lost, up to RETRY_DELAYS_MS. */
export async function withReconnect<T>(
  operation: () => Promise<T>,
  delays: readonly number[] = RETRY_DELAYS_MS,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!connectionLost(error)) throw error;
      const delay = delays[attempt];
      if (delay === undefined) throw unavailable(error);
      await sleep(delay);
    }
  }
}

function unavailable(error: unknown): AppError {
  return new AppError(
    'STORE_UNAVAILABLE',
    `The PostgreSQL connection was lost and could not be made again: ${(error as Error).message}`,
    {
      hint: 'Check that the database server runs and accepts connections; the work not stored is done again on the next run',
      cause: error,
    },
  );
}

/**
 * Makes the pool's own `query` (the store's single statements) reconnect as withReconnect does. Only
 * promise-style calls are wrapped; a callback or a submittable (cursor, COPY) goes straight through.
 */
export function reconnectingQueries(pool: Pool): void {
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as { query: unknown }).query = (...args: unknown[]) => {
    const plain = typeof args.at(-1) !== 'function' && typeof (args[0] as { submit?: unknown })?.submit !== 'function';
    return plain ? withReconnect(() => query(...args) as Promise<unknown>) : query(...args);
  };
}
