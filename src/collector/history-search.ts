import { randomUUID } from 'node:crypto';
import { AppError, toAppError } from '../core/errors.js';
import { countOf } from '../core/words.js';
import type { AuditRecord } from '../core/record.js';
import { normalizeRecord } from '../ingest/normalize.js';
import { ExchangeAdminClient } from '../microsoft/exchange-admin.js';
import { LARGE_SET_CAP, searchPage, type SearchPage, type SearchRange } from '../microsoft/unified-audit-search.js';
import type { CoverageWindow, LedgerStream } from '../store/contract.js';
import type { CollectTenant } from './collect.js';
import type { HistoryOptions, HistoryResult } from './history-types.js';
import { EVENTS } from './events.js';
import { emptyWindow } from './windows.js';

/**
 * History through `Search-UnifiedAuditLog` (spec §4), for clouds without the Graph audit query API
 * (GCC High, DoD) or when Graph refuses. The range is cut into day windows; each is paged as one
 * ReturnLargeSet session (SessionId, ResultSize 5,000). A window whose ResultCount reaches the 50,000
 * cap, or whose session ends short of its ResultCount, is halved and asked again, so no window loses
 * records to the cap. The cmdlet's quirks (§4.3): pages are unsorted (nothing here relies on order),
 * the -1/0 answer and a page that does not continue the ResultIndex sequence discard the session and
 * retry with a new SessionId after 60·(n+1) s (DFIR-O365RC), `moreRecordsAvailable` ends or continues
 * a session when present. Throttling is retried by the Exchange client.
 *
 * The ledger (stream 'search-unified-audit-log') gets one row per window actually asked for: 'fetched'
 * with its counts, 'partial' when a one-minute window still hit the cap, 'failed' with the reason. The
 * part of the range older than the tenant's retention is one 'expired' row of cause 'beyond-retention':
 * Microsoft no longer keeps those records, so it is not a gap tenantwatch could close.
 */
export interface SearchHistoryOptions extends HistoryOptions {
  /** The session cap (default 50,000; a test emulator may scale it down). */
  largeSetCap?: number;
  /** Sessions discarded per window before it fails (default 10, as DFIR-O365RC). */
  maxSessions?: number;
  /** Replaces the cmdlet call (unit tests). */
  search?: (range: SearchRange, sessionId: string, signal: AbortSignal) => Promise<SearchPage>;
}

export const STANDARD_RETENTION_MS = 180 * 86_400_000;
const DAY = 86_400_000;
const STREAM = 'search-unified-audit-log';

type Outcome = { kind: 'done'; records: number; newRecords: number; partial: boolean } | { kind: 'split' };

export async function collectSearchHistory(
  o: SearchHistoryOptions,
  tenant: CollectTenant,
  range: SearchRange,
): Promise<HistoryResult & { windows: number; splits: number; unavailableBefore: number | null }> {
  const result = {
    tenant: tenant.tenantId,
    records: 0,
    newRecords: 0,
    rejected: 0,
    error: null as AppError | null,
    windows: 0,
    splits: 0,
    unavailableBefore: null as number | null,
  };
  result.unavailableBefore = await beyondRetention(o, tenant.tenantId, STREAM, range);
  const start = Math.max(range.start, result.unavailableBefore ?? range.start);
  const search = o.search ?? cmdletSearch(tenant, o);
  const queue: SearchRange[] = [];
  for (let s = start; s < range.end; s = Math.floor(s / DAY) * DAY + DAY)
    queue.push({ start: s, end: Math.min(range.end, Math.floor(s / DAY) * DAY + DAY) });
  while (queue.length) {
    o.signal.throwIfAborted();
    const w = queue.shift()!;
    const base = { ...emptyWindow(tenant.tenantId, STREAM, w.start, w.end, o.clock.now()), queriedStart: w.start };
    try {
      const out = await fetchWindow(o, search, tenant.tenantId, w, result);
      if (out.kind === 'split') {
        const mid = w.start + Math.floor((w.end - w.start) / 2 / 1000) * 1000;
        queue.unshift({ start: w.start, end: mid }, { start: mid, end: w.end });
        result.splits++;
        continue;
      }
      result.windows++;
      result.records += out.records;
      await o.store.ledger.upsertWindow(done(base, out, o.clock.now()));
    } catch (e) {
      const error = toAppError(e);
      result.error ??= error;
      result.windows++;
      await o.store.ledger.upsertWindow({
        ...base,
        state: 'failed',
        lastError: error.message,
        updatedAt: o.clock.now(),
      });
      o.logger.warn(
        {
          event: EVENTS.historyWindowFailed,
          tenant: tenant.tenantId,
          start: w.start,
          end: w.end,
          code: error.code,
        },
        'a history window could not be collected through Search-UnifiedAuditLog',
      );
      if (error.code === 'CANCELLED' || o.signal.aborted) break;
    }
  }
  return result;
}

/**
 * The part of a history range older than the tenant's retention, written as one `expired` row of cause
 * 'beyond-retention' for `stream` (no gap, and no fill: Microsoft no longer holds those records, whichever
 * source is asked). Returns where the asked-for part begins, or null when the whole range is within it.
 */
export async function beyondRetention(
  o: HistoryOptions,
  tenant: string,
  stream: LedgerStream,
  range: SearchRange,
): Promise<number | null> {
  const now = o.clock.now();
  const horizon = now - (o.retentionMs ?? STANDARD_RETENTION_MS);
  if (range.start >= horizon) return null;
  const until = Math.min(horizon, range.end);
  await o.store.ledger.upsertWindow({
    ...emptyWindow(tenant, stream, range.start, until, now),
    state: 'expired',
    cause: 'beyond-retention',
    lastError: `older than the tenant's retention (${countOf(Math.round((now - horizon) / DAY), 'day')}); Microsoft no longer keeps these records`,
  });
  return until;
}

function done(base: CoverageWindow, out: Extract<Outcome, { kind: 'done' }>, at: number): CoverageWindow {
  return {
    ...base,
    state: out.partial ? 'partial' : 'fetched',
    records: out.records,
    newRecords: out.newRecords,
    attempts: 1,
    lastError: out.partial
      ? `more than the cmdlet's cap in a window of ${Math.round((base.end - base.start) / 1000)} s; the rest cannot be read through Search-UnifiedAuditLog`
      : null,
    updatedAt: at,
  };
}

function cmdletSearch(tenant: CollectTenant, o: SearchHistoryOptions): NonNullable<SearchHistoryOptions['search']> {
  let exchange: ExchangeAdminClient | null = null;
  return (range, sessionId, signal) => {
    exchange ??= new ExchangeAdminClient(tenant.connect(), { clock: o.clock, logger: o.logger });
    return searchPage(exchange, range, sessionId, signal);
  };
}

/** One window: sessions until one is read whole (or the window must be split). */
async function fetchWindow(
  o: SearchHistoryOptions,
  search: NonNullable<SearchHistoryOptions['search']>,
  tenant: string,
  w: SearchRange,
  result: { rejected: number; newRecords: number },
): Promise<Outcome> {
  const cap = o.largeSetCap ?? LARGE_SET_CAP;
  const splittable = w.end - w.start > (o.minWindowMs ?? 60_000);
  const maxSessions = o.maxSessions ?? 10;
  let newRecords = 0;
  for (let session = 0; session < maxSessions; session++) {
    if (session > 0) await o.clock.sleep(60_000 * session, o.signal);
    const sessionId = randomUUID();
    let collected = 0;
    let total = 0;
    let sound = true;
    for (;;) {
      const page = await search(w, sessionId, o.signal);
      const rows = page.records.length + page.unreadable;
      if (rows === 0) {
        // An empty answer ends the session, unless the service says more is waiting.
        sound = page.moreRecordsAvailable !== true;
        break;
      }
      if (page.bogus || page.firstIndex !== collected + 1 || page.lastIndex !== collected + rows) {
        sound = false;
        break;
      }
      total = page.resultCount;
      if (collected === 0 && total >= cap && splittable) return { kind: 'split' };
      const inserted = await store(o, tenant, page.records, result);
      // Counted for the run even when the window is split after all: the records are stored either way.
      result.newRecords += inserted;
      newRecords += inserted;
      result.rejected += page.unreadable;
      collected += rows;
      if (collected >= total || page.moreRecordsAvailable === false) break;
    }
    if (!sound) {
      o.logger.warn(
        { event: EVENTS.historySessionDiscarded, tenant, start: w.start, end: w.end, session, collected },
        'Search-UnifiedAuditLog gave a bogus or broken answer; the window is asked again with a new session',
      );
      continue;
    }
    if (collected < total && splittable) return { kind: 'split' };
    return { kind: 'done', records: collected, newRecords, partial: collected < total || collected >= cap };
  }
  throw new AppError('UPSTREAM', `Search-UnifiedAuditLog kept giving bogus answers for ${iso(w.start)}–${iso(w.end)}`, {
    hint: 'Run the history collection again later; Exchange Online times out under load',
  });
}

const iso = (t: number): string => new Date(t).toISOString();

async function store(
  o: SearchHistoryOptions,
  tenant: string,
  items: Record<string, unknown>[],
  result: { rejected: number },
): Promise<number> {
  const batch: AuditRecord[] = [];
  for (const item of items) {
    const r = normalizeRecord(item, { source: 'search-unified-audit-log', tenant });
    if (r.ok) batch.push(r.record);
    else result.rejected++;
  }
  return (await o.store.records.insert(batch)).inserted;
}
