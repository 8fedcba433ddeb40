/**
 * Lockout for names that are no account. An account locks after `maxAttempts` failures in a row
 * (store.auth.recordFailure) and then answers SIGNIN_LOCKED; if an unknown name kept answering
 * SIGNIN_FAILED, five wrong guesses would tell which names exist. So unknown names count their failures
 * and lock the same way, with the same numbers.
 *
 * In this process's memory, bounded: a name nobody has is not worth a database row, and the oldest names
 * are forgotten first past `limit`. With several serve processes each counts its own (the per-address rate
 * limit, shared in the database, still applies); names are compared case-insensitively, as account names are.
 */
export class UnknownNameLockout {
  private readonly names = new Map<string, { failures: number; lockedUntil: number | null }>();

  constructor(
    private readonly policy: { maxAttempts: number; lockMs: number },
    private readonly limit = 10_000,
  ) {}

  /** When the name is locked at `now`, until when; else null. */
  lockedUntil(name: string, now: number): number | null {
    const until = this.names.get(name.toLowerCase())?.lockedUntil ?? null;
    return until !== null && now < until ? until : null;
  }

  /** A failed sign-in with this name, counted as recordFailure counts an account's. */
  recordFailure(name: string, now: number): void {
    const key = name.toLowerCase();
    const seen = this.names.get(key) ?? { failures: 0, lockedUntil: null };
    this.names.delete(key);
    const failures = seen.failures + 1;
    this.names.set(
      key,
      failures >= this.policy.maxAttempts
        ? { failures: 0, lockedUntil: now + this.policy.lockMs }
        : { failures, lockedUntil: seen.lockedUntil },
    );
    if (this.names.size > this.limit) this.names.delete(this.names.keys().next().value!);
  }
}
