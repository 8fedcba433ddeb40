import type { SearchQuery } from '../core/search-query.js';

/** What reports/split.ts can hand its worker thread (split-worker.ts runs them). */
export type SplitTask = 'sign-ins';

export interface SplitRequest {
  id: number;
  task: SplitTask;
  /** SplitOptions.location: the URL that opens the store to read. */
  location: string;
  query: SearchQuery;
}

export type SplitReply =
  { id: number; result: unknown } | { id: number; error: { message: string; code?: string; hint?: string } };
