/**
 * Lockout for names that are no account. An account locks after `maxAttempts` failures in a row
 * (store.auth.recordFailure) and then answers SIGNIN_LOCKED; if an unknown name kept answering
 * SIGNIN_FAILED, five wrong guesses would tell which names exist. So unknown names count their failures
 * and lock the same way, with the same numbers.
 *
 * In the database (store.auth.recordNameFailure), as accounts are: counted in one process's memory, each of
 * several serve processes on one PostgreSQL gave a name its own five attempts, and a restart forgot them all.
 * Kept under the SHA-256 of the name as typed, lower-cased (names are compared case-insensitively), so a row
 * is a fixed size whatever was sent. Bounded: a row that says nothing any more (lock over, no failure since)
 * is deleted, and past `limit` rows the names whose last failure is oldest are forgotten first.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../../store/contract.js';

/**
 * Names remembered at most: rows are under 100 bytes (10 MB in all), and at the default rate limit (10 attempts a
 * minute per address) one address needs a week to fill them.
 */
export const UNKNOWN_NAMES_LIMIT = 100_000;

export class UnknownNameLockout {
  constructor(
    private readonly store: Pick<Store, 'auth'>,
    private readonly policy: { maxAttempts: number; lockMs: number },
    private readonly limit = UNKNOWN_NAMES_LIMIT,
  ) {}

  /** When the name is locked at `now`, until when; else null. */
  lockedUntil(name: string, now: number): Promise<number | null> {
    return this.store.auth.nameLockedUntil(nameHash(name), now);
  }

  /** A failed sign-in with this name, counted as recordFailure counts an account's. */
  recordFailure(name: string, now: number): Promise<void> {
    return this.store.auth.recordNameFailure(nameHash(name), now, this.policy, this.limit);
  }
}

function nameHash(name: string): string {
  return createHash('sha256').update(name.toLowerCase()).digest('hex');
}
