import type { Pool, PoolClient } from 'pg';
import { connectionLost, withReconnect } from './reconnect.js';

/** Runs of a transaction that PostgreSQL keeps choosing as a deadlock's victim before its error is given up. */
const DEADLOCK_ATTEMPTS = 3;

/**
 * Runs `work` in one transaction on a pooled connection: committed when it returns, rolled back when it
 * throws. When the connection is lost the whole transaction runs again on a fresh one (reconnect.ts);
 * a broken connection is dropped from the pool, not handed out again.
 *
 * A transaction PostgreSQL ended to break a deadlock (40P01) runs again too, at once (the other side goes on as
 * soon as this one's locks are gone), as replay-safe as after a lost connection. One deadlock is by design:
 * a late record for a month that retention is dropping (retention-months.ts) waits for the month's lock while
 * holding `records`, which the DROP needs; the insert waited first, so it is the victim, and the import or the
 * blob's commit failed. Run again, it makes the month anew and stores the record. `retryDeadlock: false` for
 * work that takes a deadlock as its answer (that month's drop gives the month back to the batched deletes).
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  options: { retryDeadlock?: boolean } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withReconnect(() => once(pool, work));
    } catch (error) {
      const deadlock = (error as { code?: unknown }).code === '40P01';
      if (!deadlock || options.retryDeadlock === false || attempt >= DEADLOCK_ATTEMPTS) throw error;
    }
  }
}

async function once<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (connectionLost(error)) broken = error as Error;
    else await client.query('ROLLBACK').catch((e: unknown) => void (broken = e as Error));
    throw error;
  } finally {
    client.release(broken);
  }
}
