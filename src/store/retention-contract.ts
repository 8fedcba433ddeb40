/**
 * Retention in the store contract (docs/adr/0032-retention.md): how long records are kept (per tenant, or
 * one default for every tenant), and the removal of older records in small transactions, each of which
 * removes the records, moves the rollups and writes the ledger's account of the removal together — so a
 * sweep stopped at any instant (even SIGKILL) leaves counts, records and ledger agreeing, and coverage shows
 * "removed by retention" where the records went, not a gap.
 */

/** What stops removeWholeMonths between two months. */
export interface WholeMonthOptions {
  signal?: AbortSignal | undefined;
  /** Keeps the sweep lease before each month (HeldSweepLease.keep); false: it was lost, stop there. */
  keepLease?: (() => Promise<boolean>) | undefined;
}

/** How long a tenant's records are kept; tenant null: every tenant without its own policy. */
export interface RetentionPolicy {
  tenant: string | null;
  keepMs: number;
  updatedAt: number;
}

/** What a removal would take from one tenant, or took: records and their CreationTime span. */
export interface RemovalSpan {
  records: number;
  oldest: number | null;
  newest: number | null;
}

/**
 * The ledger's account of one sweep of one tenant: every batch adds its records to it in the transaction
 * that removed them. `complete` is set once nothing older than `before` was left.
 */
export interface RetentionRemoval extends RemovalSpan {
  tenant: string;
  /** When this sweep began (epoch ms): with the tenant, its identity. */
  startedAt: number;
  /** Records with CreationTime before this instant were to go. */
  before: number;
  complete: boolean;
  updatedAt: number;
}

/** One tenant's sweep, as the ledger names it. */
export interface SweepKey {
  tenant: string;
  startedAt: number;
  before: number;
}

/** One month removed whole: its first instant and what it held of each tenant. */
export interface WholeMonthRemoval {
  /** The month's first instant (UTC, epoch ms). */
  month: number;
  tenants: (RemovalSpan & { tenant: string })[];
}

export interface RetentionStore {
  /** Sets (replaces) a policy; tenant null sets the default for every tenant. */
  setPolicy(policy: RetentionPolicy): Promise<void>;
  /** Removes a policy; true when there was one. */
  clearPolicy(tenant: string | null): Promise<boolean>;
  /** Every policy, the default (tenant null) first, then by tenant. */
  policies(): Promise<RetentionPolicy[]>;
  /** What removing the tenant's records older than `before` would take (nothing is removed). */
  preview(tenant: string, before: number): Promise<RemovalSpan>;
  /**
   * Removes at most `limit` of the tenant's records older than `sweep.before`, oldest first and at or after
   * `from` (where the previous batch stopped), in ONE transaction with the rollups and the sweep's ledger
   * row. Returns what it removed; records 0 when none is left.
   */
  removeBatch(sweep: SweepKey, from: number, limit: number, at: number): Promise<RemovalSpan>;
  /**
   * Optional, for a store that keeps records in whole months (PostgreSQL's monthly partitions, ADR 0035): removes
   * at once every month that lies wholly before the limit (`before`) of each tenant with records in it — each
   * such tenant must have a sweep here — one transaction per month with the rollups and each tenant's ledger
   * row of its sweep, accounted exactly as removeBatch accounts. What it leaves (the edge month, a month shared
   * with a tenant whose limit is later or who has no policy, a month too busy to take at once) is left to
   * removeBatch. Stops between months when the signal is aborted or `keepLease` says the sweep lease was lost.
   */
  removeWholeMonths?(
    sweeps: readonly SweepKey[],
    at: number,
    options?: WholeMonthOptions,
  ): Promise<WholeMonthRemoval[]>;
  /** Marks a sweep of a tenant complete (nothing older than its `before` is left). */
  completeSweep(sweep: SweepKey, at: number): Promise<void>;
  /** The ledger's removals, oldest sweep first (one tenant's when given). */
  removals(tenant?: string): Promise<RetentionRemoval[]>;
}
