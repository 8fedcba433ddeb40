import type { Clock } from '../core/clock.js';
import { AppError, toAppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { AuditRecord } from '../core/record.js';
import { normalizeRecord } from '../ingest/normalize.js';
import { GraphAuditQueryClient, type RecordsPage } from '../microsoft/graph-audit-query.js';
import type { Step } from '../microsoft/management-activity.js';
import { apiRetryClass, type ApiFailure } from '../microsoft/management-errors.js';
import { RetryPolicy, runWithRetry } from '../net/retry.js';
import type { Store } from '../store/contract.js';
import type { CollectTenant } from './collect.js';
import { emptyWindow } from './windows.js';

/**
 * History beyond the Management API's 7 days, through the Graph audit log query API (spec §3): one
 * query per tenant over [start, end), polled until it succeeds, its records paged, normalized (source
 * 'graph') and stored — de-duplicated on Id with what the live feed brought. The ledger keeps the range
 * as a window of stream 'graph': fetched with its counts, or failed with the reason.
 */
export interface HistoryOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  pollMs?: number;
  /** Give up on a query that has not finished after this long (default 2 h). */
  maxWaitMs?: number;
  retry?: RetryPolicy<ApiFailure>;
}

export interface HistoryResult {
  tenant: string;
  records: number;
  newRecords: number;
  rejected: number;
  error: AppError | null;
}

/** One Graph step under the retry policy; a final failure is thrown as the error that says what to do. */
async function retried<T>(
  o: HistoryOptions,
  policy: RetryPolicy<ApiFailure>,
  step: () => Promise<Step<T>>,
): Promise<T> {
  const result = await runWithRetry(step, policy, o.clock, o.signal);
  if (result.ok) return result.value;
  throw result.failed.thrown ? toAppError(result.failed.error, 'NETWORK') : result.failed.failure.error;
}

export async function collectHistory(
  o: HistoryOptions,
  tenant: CollectTenant,
  range: { start: number; end: number },
): Promise<HistoryResult> {
  const policy = o.retry ?? new RetryPolicy(apiRetryClass);
  const window = {
    ...emptyWindow(tenant.tenantId, 'graph', range.start, range.end, o.clock.now()),
    queriedStart: range.start,
    attempts: 1,
  };
  const result: HistoryResult = { tenant: tenant.tenantId, records: 0, newRecords: 0, rejected: 0, error: null };
  try {
    const client = new GraphAuditQueryClient(tenant.connect());
    const query = await retried(o, policy, () => client.create(range, o.signal));
    await o.store.ledger.upsertWindow({ ...window, state: 'listed', updatedAt: o.clock.now() });
    const deadline = o.clock.now() + (o.maxWaitMs ?? 2 * 3_600_000);
    for (let status = query.status; status !== 'succeeded';) {
      if (status === 'failed' || status === 'cancelled')
        throw new AppError('UPSTREAM', `The Graph audit query ${query.id} ended ${status}`, {
          hint: 'Run the history collection again',
        });
      if (o.clock.now() > deadline)
        throw new AppError('TIMEOUT', `The Graph audit query ${query.id} did not finish in time`, {
          hint: 'Run again later, or ask for a shorter --history',
        });
      await o.clock.sleep(o.pollMs ?? 15_000, o.signal);
      status = (await retried(o, policy, () => client.status(query.id, o.signal))).status;
    }
    let page: RecordsPage = await retried(o, policy, () => client.records({ id: query.id }, o.signal));
    for (;;) {
      await store(o, tenant.tenantId, page.records, result);
      if (!page.next) break;
      const next = page.next;
      page = await retried(o, policy, () => client.records({ next }, o.signal));
    }
    await o.store.ledger.upsertWindow({
      ...window,
      state: 'fetched',
      records: result.records,
      newRecords: result.newRecords,
      lastError: result.rejected ? `${result.rejected} record(s) could not be normalized` : null,
      updatedAt: o.clock.now(),
    });
  } catch (e) {
    result.error = toAppError(e);
    await o.store.ledger.upsertWindow({
      ...window,
      state: 'failed',
      records: result.records,
      newRecords: result.newRecords,
      lastError: result.error.message,
      updatedAt: o.clock.now(),
    });
    o.logger.warn(
      {
        event: 'collector.history.failed',
        tenant: tenant.tenantId,
        code: result.error.code,
        error: result.error.message,
      },
      'history collection failed',
    );
  }
  return result;
}

async function store(
  o: HistoryOptions,
  tenant: string,
  items: Record<string, unknown>[],
  result: HistoryResult,
): Promise<void> {
  const batch: AuditRecord[] = [];
  for (const item of items) {
    const r = normalizeRecord(item, { source: 'graph', tenant });
    if (r.ok) batch.push(r.record);
    else result.rejected++;
  }
  const inserted = await o.store.records.insert(batch);
  result.records += batch.length;
  result.newRecords += inserted.inserted;
}
