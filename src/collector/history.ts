import { AppError, toAppError } from '../core/errors.js';
import type { AuditRecord } from '../core/record.js';
import { normalizeRecord } from '../ingest/normalize.js';
import { GraphAuditQueryClient, type AuditQuery, type RecordsPage } from '../microsoft/graph-audit-query.js';
import type { Step } from '../microsoft/management-activity.js';
import { apiRetryClass, type ApiFailure } from '../microsoft/management-errors.js';
import { afterRetries, RetryPolicy, runWithRetry } from '../net/retry.js';
import type { CollectTenant } from './collect.js';
import { beyondRetention, collectSearchHistory, type SearchHistoryOptions } from './history-search.js';
import { EVENTS } from './events.js';
import { withHistoryLease } from './history-lease.js';
import type { HistoryOptions, HistoryResult } from './history-types.js';
import { emptyWindow } from './windows.js';
import { countOf } from '../core/words.js';

/**
 * History beyond the Management API's 7 days, through the Graph audit log query API (spec §3): one
 * query per tenant over [start, end), polled until it succeeds, its records paged, normalized (source
 * 'graph') and stored — de-duplicated on Id with what the live feed brought. The ledger keeps the range
 * as a window of stream 'graph': fetched with its counts, or failed with the reason.
 */
export type { HistoryOptions, HistoryResult } from './history-types.js';

/** One Graph step under the retry policy; a final failure is thrown as the error that says what to do. */
async function retried<T>(
  o: HistoryOptions,
  policy: RetryPolicy<ApiFailure>,
  step: () => Promise<Step<T>>,
): Promise<T> {
  const result = await runWithRetry(step, policy, o.clock, o.signal);
  if (result.ok) return result.value;
  throw result.failed.thrown
    ? toAppError(afterRetries(result.failed.error, result.attempts), 'NETWORK')
    : result.failed.failure.error;
}

export async function collectHistory(
  o: HistoryOptions,
  tenant: CollectTenant,
  asked: { start: number; end: number },
): Promise<HistoryResult & { unavailableBefore: number | null }> {
  const policy = o.retry ?? new RetryPolicy(apiRetryClass);
  const result = { ...emptyResult(tenant.tenantId), unavailableBefore: null as number | null };
  // Graph answers a range older than the retention with nothing, and "fetched" would call that time filled.
  result.unavailableBefore = await beyondRetention(o, tenant.tenantId, 'graph', asked);
  const range = { start: Math.max(asked.start, result.unavailableBefore ?? asked.start), end: asked.end };
  if (range.start >= range.end) return result;
  // Ranges still to ask for, oldest first: a query that stops at Graph's record limit is asked again in
  // halves (each half's first part keeps the ledger key of the range it came from).
  const queue = [range];
  let window = graphWindow(o, tenant.tenantId, range);
  try {
    const client = new GraphAuditQueryClient(tenant.connect());
    while (queue.length) {
      const r = queue.shift()!;
      window = graphWindow(o, tenant.tenantId, r);
      const query = await retried(o, policy, () => client.create(r, o.signal));
      await o.store.ledger.upsertWindow({ ...window, state: 'listed', updatedAt: o.clock.now() });
      const done = await untilDone(o, policy, client, query);
      const splittable = r.end - r.start > (o.minWindowMs ?? 60_000);
      if (done.limitExceeded && splittable) {
        const mid = r.start + Math.floor((r.end - r.start) / 2 / 1000) * 1000;
        queue.unshift({ start: r.start, end: mid }, { start: mid, end: r.end });
        o.logger.info(
          {
            event: EVENTS.historySplit,
            tenant: tenant.tenantId,
            start: r.start,
            end: r.end,
            limit: done.recordCountLimit,
          },
          'a Graph audit query reached its record limit; asking again in halves',
        );
        continue;
      }
      const before = { records: result.records, newRecords: result.newRecords, rejected: result.rejected };
      let page: RecordsPage = await retried(o, policy, () => client.records({ id: query.id }, o.signal));
      // A nextLink named again means Graph loops: following it would never end.
      const followed = new Set<string>();
      for (;;) {
        await store(o, tenant.tenantId, page.records, result);
        if (!page.next) break;
        const next = page.next;
        if (followed.has(next))
          throw new AppError(
            'UPSTREAM',
            `Reading the records of Graph audit query ${query.id} looped: its @odata.nextLink named a page already read`,
            {
              hint: 'Run the history collection again (the records read are kept), or use --via search-unified-audit-log',
            },
          );
        followed.add(next);
        page = await retried(o, policy, () => client.records({ next }, o.signal));
      }
      const rejected = result.rejected - before.rejected;
      const notes = [
        ...(done.limitExceeded
          ? [
              `Graph stopped at its limit of ${done.recordCountLimit ?? 'its'} records in a range of ${Math.round((r.end - r.start) / 1000)} s; the rest cannot be read through Graph (try --via search-unified-audit-log)`,
            ]
          : []),
        ...(rejected ? [`${countOf(rejected, 'record')} could not be normalized`] : []),
      ];
      await o.store.ledger.upsertWindow({
        ...window,
        state: done.limitExceeded ? 'partial' : 'fetched',
        records: result.records - before.records,
        newRecords: result.newRecords - before.newRecords,
        lastError: notes.length ? notes.join('; ') : null,
        updatedAt: o.clock.now(),
      });
      if (done.limitExceeded)
        result.error ??= new AppError('UPSTREAM', `Graph returned only part of the history: ${notes[0]}`, {
          hint: 'Collect the range again with --via search-unified-audit-log',
        });
    }
  } catch (e) {
    result.error = toAppError(e);
    // What was not asked for yet follows the failed range without a hole: one failed row to the end.
    await o.store.ledger.upsertWindow({
      ...window,
      end: range.end,
      state: 'failed',
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

function graphWindow(o: HistoryOptions, tenant: string, r: { start: number; end: number }) {
  return { ...emptyWindow(tenant, 'graph', r.start, r.end, o.clock.now()), queriedStart: r.start, attempts: 1 };
}

/** Polls a query until it succeeds; failed, cancelled or past the deadline is thrown as the error to show. */
async function untilDone(
  o: HistoryOptions,
  policy: RetryPolicy<ApiFailure>,
  client: GraphAuditQueryClient,
  query: AuditQuery,
): Promise<AuditQuery> {
  const deadline = o.clock.now() + (o.maxWaitMs ?? 2 * 3_600_000);
  let current = query;
  while (current.status !== 'succeeded') {
    if (current.status === 'failed' || current.status === 'cancelled')
      throw new AppError('UPSTREAM', `The Graph audit query ${query.id} ended ${current.status}`, {
        hint: 'Run the history collection again',
      });
    if (o.clock.now() > deadline)
      throw new AppError('TIMEOUT', `The Graph audit query ${query.id} did not finish in time`, {
        hint: 'Run again later, or ask for a shorter --history',
      });
    await o.clock.sleep(o.pollMs ?? 15_000, o.signal);
    current = await retried(o, policy, () => client.status(query.id, o.signal));
  }
  return current;
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

/** Which history source: `auto` takes Graph where the cloud offers it and the cmdlet elsewhere. */
export const HISTORY_SOURCES = ['auto', 'graph', 'search-unified-audit-log'] as const;
export type HistoryVia = (typeof HISTORY_SOURCES)[number];

export interface HistoryRun extends HistoryResult {
  /** Each source asked, with what it brought (two entries when both are asked, or when auto fell back). */
  sources: { source: 'graph' | 'search-unified-audit-log'; result: HistoryResult }[];
  /** Start of the part of the range older than the tenant's retention (reported unavailable), or null. */
  unavailableBefore: number | null;
  /**
   * Why nothing was asked: another process holds the tenant's history lease (who, until when); null when this
   * run held it (history-lease.ts).
   */
  busy: AppError | null;
}

/**
 * History of one tenant under its lease (history-lease.ts): a tenant whose history another process is
 * collecting is skipped, with `busy` saying who holds it; nothing is asked twice.
 */
export async function collectHistoryVia(
  o: HistoryOptions & Omit<SearchHistoryOptions, keyof HistoryOptions>,
  tenant: CollectTenant,
  range: { start: number; end: number },
  via: readonly HistoryVia[],
): Promise<HistoryRun> {
  const leased = await withHistoryLease(o, tenant, (held, heldTenant) =>
    historyVia({ ...o, ...held }, heldTenant, range, via),
  );
  if (leased.held) return leased.value;
  return { ...emptyResult(tenant.tenantId), sources: [], unavailableBefore: null, busy: leased.busy };
}

/**
 * History through one or both sources. `auto`: Graph when the tenant's cloud offers it (commercial,
 * GCC), the cmdlet elsewhere (GCC High, DoD) and also when Graph refuses (permission missing, query
 * failed): the cmdlet then fills the same range. Asking for both cross-checks them: records merge by Id.
 */
async function historyVia(
  o: HistoryOptions & Omit<SearchHistoryOptions, keyof HistoryOptions>,
  tenant: CollectTenant,
  range: { start: number; end: number },
  via: readonly HistoryVia[],
): Promise<HistoryRun> {
  const run: HistoryRun = { ...emptyResult(tenant.tenantId), sources: [], unavailableBefore: null, busy: null };
  const wanted = new Set(via.length ? via : ['auto']);
  const graphOffered = (): boolean => {
    try {
      return tenant.connect().endpoints.graphAuditQueryAvailable;
    } catch {
      return true; // the connection's own failure is reported by the source that needs it
    }
  };
  let useGraph = wanted.has('graph');
  let useCmdlet = wanted.has('search-unified-audit-log');
  if (wanted.has('auto')) {
    if (graphOffered()) useGraph = true;
    else useCmdlet = true;
  }
  if (useGraph) {
    const { unavailableBefore, ...r } = await collectHistory(o, tenant, range);
    run.sources.push({ source: 'graph', result: r });
    run.unavailableBefore = unavailableBefore;
    if (r.error && wanted.has('auto') && r.error.code !== 'CANCELLED') {
      o.logger.warn(
        { event: EVENTS.historyFallback, tenant: tenant.tenantId, code: r.error.code },
        'Graph refused the history query; falling back to Search-UnifiedAuditLog',
      );
      useCmdlet = true;
    }
  }
  if (useCmdlet) {
    const r = await collectSearchHistory(o, tenant, range);
    run.sources.push({ source: 'search-unified-audit-log', result: r });
    run.unavailableBefore ??= r.unavailableBefore;
  }
  for (const { result } of run.sources) {
    run.records += result.records;
    run.newRecords += result.newRecords;
    run.rejected += result.rejected;
  }
  // The run failed only if no source filled the range.
  if (run.sources.every((s) => s.result.error)) run.error = run.sources.at(-1)?.result.error ?? null;
  return run;
}

function emptyResult(tenant: string): HistoryResult {
  return { tenant, records: 0, newRecords: 0, rejected: 0, error: null };
}
