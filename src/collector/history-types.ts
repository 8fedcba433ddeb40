import type { Clock } from '../core/clock.js';
import type { AppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { ApiFailure } from '../microsoft/management-errors.js';
import type { RetryPolicy } from '../net/retry.js';
import type { Store } from '../store/contract.js';

/** What every history source (Graph: history.ts; the cmdlet: history-search.ts) takes and gives back. */
export interface HistoryOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  pollMs?: number;
  /** Give up on a query that has not finished after this long (default 2 h). */
  maxWaitMs?: number;
  retry?: RetryPolicy<ApiFailure>;
  /** How long Microsoft keeps this tenant's records (default 180 days: Audit Standard). */
  retentionMs?: number;
  /** Never split a range below this width (default 1 minute): a cmdlet window at its cap, a Graph query at its limit. */
  minWindowMs?: number;
  /**
   * Who holds a tenant's history lease and its term (history-lease.ts; defaults: this process's owner name, 2 min;
   * a term under 3 × the longest request, 6 min, is raised to it).
   */
  lease?: { owner: string; termMs: number };
}

export interface HistoryResult {
  tenant: string;
  records: number;
  newRecords: number;
  rejected: number;
  error: AppError | null;
}
