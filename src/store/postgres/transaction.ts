import type { Pool, PoolClient } from 'pg';
import { connectionLost, withReconnect } from './reconnect.js';

/**
 * Runs `work` in one transaction on a pooled connection: committed when it returns, rolled back when it
 * throws. When the connection is lost the whole transaction runs again on a fresh one (reconnect.ts);
 * a broken connection is dropped from the pool, not handed out again.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return withReconnect(() => once(pool, work));
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
