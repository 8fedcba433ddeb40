/**
 * The retention sweep (docs/adr/0032-retention.md): for every tenant with records, the policy that applies
 * (its own, else the default), and the removal of its records older than now − keep in small batches, each
 * one transaction with the rollups and the ledger (RetentionStore.removeBatch). Between batches the sweep
 * hands the event loop back, so the collector and the console keep working beside it, and keeps its lease
 * (lease.ts); a stop (signal, or the lease lost) between batches leaves a consistent store, and so does a
 * kill inside one (the transaction is undone).
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { RemovalSpan, RetentionPolicy, Store, SweepKey } from '../store/contract.js';
import { EVENTS } from './events.js';
import { canonicalKey } from '../core/guid.js';

/** Records per transaction: SQLite removes ~2,000 rows (five indexes each) in tens of milliseconds, so no writer waits long. */
export const SWEEP_BATCH = 2_000;

/** Below every CreationTime a store holds: where a tenant's first batch starts. */
const EARLIEST = -8_640_000_000_000_000;

export type SweepStore = Pick<Store, 'records' | 'retention'>;

/** One tenant's part of a sweep: what was (or, in a dry run, would be) removed, and the limit applied. */
export interface TenantSweep extends RemovalSpan {
  tenant: string;
  keepMs: number;
  before: number;
  /** false when the sweep stopped (signal, lease lost) before this tenant was done. */
  complete: boolean;
}

export interface SweepOptions {
  clock: Clock;
  logger: Logger;
  dryRun?: boolean;
  /** Records per transaction (SWEEP_BATCH). */
  batch?: number;
  signal?: AbortSignal;
  /**
   * Keeps the sweep lease, before every batch (HeldSweepLease.keep): false when another process took it over,
   * and the sweep then stops as on a signal (the tenant under way is not complete).
   */
  keepLease?: () => Promise<boolean>;
  /** Called after every batch (a test kills the process here). */
  onBatch?: (tenant: string, span: RemovalSpan) => void;
}

/**
 * The policy of each tenant that has records: its own, else the default; tenants with neither are left alone. A
 * GUID's policy covers every spelling of it: an earlier version kept the case a file wrote the OrganizationId in, so
 * some of a tenant's records may be stored under its upper-case spelling (ADR 0039).
 */
export function policyOf(policies: readonly RetentionPolicy[], tenant: string): RetentionPolicy | null {
  const key = canonicalKey(tenant);
  return (
    policies.find((p) => p.tenant === tenant) ??
    policies.find((p) => p.tenant !== null && canonicalKey(p.tenant) === key) ??
    policies.find((p) => p.tenant === null) ??
    null
  );
}

export async function sweepRetention(store: SweepStore, options: SweepOptions): Promise<TenantSweep[]> {
  const policies = await store.retention.policies();
  if (policies.length === 0) return [];
  const startedAt = options.clock.now();
  const tenants = [...(await store.records.newest()).keys()].sort();
  const out: TenantSweep[] = [];
  if (!options.dryRun) options.logger.info({ event: EVENTS.sweepStarted, tenants: tenants.length });
  const due = tenants.flatMap((tenant) => {
    const policy = policyOf(policies, tenant);
    if (!policy) return [];
    // A policy saved before spans were capped (`--keep 99999999999d`) reaches back past the first instant a Date
    // holds: nothing is older than that, and the limit stays a printable time.
    const before = Math.max(EARLIEST, startedAt - policy.keepMs);
    return [{ sweep: { tenant, startedAt, before }, keepMs: policy.keepMs }];
  });
  const whole = await removeWholeMonths(
    store,
    due.map((d) => d.sweep),
    options,
  );
  for (const { sweep, keepMs } of due) {
    const { tenant, before } = sweep;
    if (options.dryRun) {
      out.push({ tenant, keepMs, before, complete: true, ...(await store.retention.preview(tenant, before)) });
      continue;
    }
    const result = await sweepTenant(store, sweep, options, whole.get(tenant));
    out.push({ ...result, keepMs });
    options.logger.info({
      event: EVENTS.tenantSwept,
      tenant,
      before,
      records: result.records,
      complete: result.complete,
    });
    if (!result.complete) break;
  }
  if (!options.dryRun)
    options.logger.info({ event: EVENTS.sweepFinished, records: out.reduce((n, t) => n + t.records, 0) });
  return out;
}

/**
 * The months a store can remove whole (RetentionStore.removeWholeMonths: PostgreSQL drops a month's partition),
 * before the batches; per tenant, what they took. Each month is reported to onBatch like a batch. Nothing in
 * a dry run (preview counts every record to go, whichever way it would go).
 */
async function removeWholeMonths(
  store: SweepStore,
  sweeps: readonly SweepKey[],
  options: SweepOptions,
): Promise<Map<string, RemovalSpan>> {
  const totals = new Map<string, RemovalSpan>();
  if (options.dryRun || !store.retention.removeWholeMonths || sweeps.length === 0) return totals;
  const months = await store.retention.removeWholeMonths(sweeps, options.clock.now(), {
    signal: options.signal,
    keepLease: options.keepLease,
  });
  for (const { month, tenants } of months) {
    options.logger.info({
      event: EVENTS.monthRemoved,
      month: new Date(month).toISOString().slice(0, 7),
      tenants: tenants.length,
      records: tenants.reduce((n, t) => n + t.records, 0),
    });
    for (const { tenant, ...span } of tenants) {
      options.onBatch?.(tenant, span);
      totals.set(tenant, addSpan(totals.get(tenant) ?? { records: 0, oldest: null, newest: null }, span));
    }
  }
  return totals;
}

function addSpan(total: RemovalSpan, span: RemovalSpan): RemovalSpan {
  if (span.records === 0) return total;
  return {
    records: total.records + span.records,
    oldest: total.oldest === null ? span.oldest : Math.min(total.oldest, span.oldest!),
    newest: total.newest === null ? span.newest : Math.max(total.newest, span.newest!),
  };
}

async function sweepTenant(
  store: SweepStore,
  sweep: SweepKey,
  options: SweepOptions,
  whole: RemovalSpan = { records: 0, oldest: null, newest: null },
): Promise<Omit<TenantSweep, 'keepMs'>> {
  let total: Omit<TenantSweep, 'keepMs'> = { ...sweep, ...whole, complete: false };
  let from = EARLIEST;
  for (;;) {
    if (options.signal?.aborted) return total;
    if (options.keepLease && !(await options.keepLease())) return total;
    const span = await store.retention.removeBatch(sweep, from, options.batch ?? SWEEP_BATCH, options.clock.now());
    options.onBatch?.(sweep.tenant, span);
    if (span.records === 0) break;
    total = { ...total, ...addSpan(total, span) };
    // Oldest first: nothing of this tenant before the batch's newest is left (ties at it may be).
    from = span.newest!;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await store.retention.completeSweep(sweep, options.clock.now());
  return { ...total, complete: true };
}
