import type { ExchangeAdminClient } from './exchange-admin.js';

/**
 * `Search-UnifiedAuditLog` through the Exchange admin REST endpoint (spec §4, §5.5): one page of a
 * ReturnLargeSet session. The cmdlet's output rows carry the record as a JSON *string* (`AuditData`),
 * a 1-based cumulative `ResultIndex` and the session's `ResultCount`; this module turns a page into
 * records plus the numbers the collector needs to judge it (bogus -1/0 answer, cap, continuity).
 * The retry of throttling (429 + Retry-After, the plain-text concurrency reply) is the Exchange
 * client's; what a page *means* is the collector's (collector/history-search.ts).
 */
export interface SearchPage {
  /** The records (parsed AuditData), in the unsorted order ReturnLargeSet gives them. */
  records: Record<string, unknown>[];
  /** Rows whose AuditData was not a JSON object. */
  unreadable: number;
  /** Lowest and highest ResultIndex on the page (0 when empty). */
  firstIndex: number;
  lastIndex: number;
  /** ResultCount as the page states it (the session's total hits; 0 when empty). */
  resultCount: number;
  /** The -1/0 answer peers treat as a server-side timeout (DFIR-O365RC, §4.3). */
  bogus: boolean;
  /** `AuditSearchRequestMetadata.moreRecordsAvailable` when the service sends it; null otherwise. */
  moreRecordsAvailable: boolean | null;
}

/** Per call the cmdlet gives at most 5,000 rows (§4.1). */
export const RESULT_SIZE = 5_000;
/** A ReturnLargeSet session never goes past this many (§4.1). */
export const LARGE_SET_CAP = 50_000;

export interface SearchRange {
  start: number;
  end: number;
}

/** Asks for the next page of the session `sessionId` over [start, end). */
export async function searchPage(
  exchange: ExchangeAdminClient,
  range: SearchRange,
  sessionId: string,
  signal?: AbortSignal,
): Promise<SearchPage> {
  const out = await exchange.invoke<Record<string, unknown>>(
    'Search-UnifiedAuditLog',
    {
      StartDate: new Date(range.start).toISOString(),
      EndDate: new Date(range.end).toISOString(),
      SessionId: sessionId,
      SessionCommand: 'ReturnLargeSet',
      ResultSize: RESULT_SIZE,
    },
    signal,
  );
  return readPage(out.value);
}

/** Pure: a page of cmdlet rows as the collector judges it (tested with canned rows). */
export function readPage(rows: readonly Record<string, unknown>[]): SearchPage {
  const page: SearchPage = {
    records: [],
    unreadable: 0,
    firstIndex: 0,
    lastIndex: 0,
    resultCount: 0,
    bogus: false,
    moreRecordsAvailable: null,
  };
  for (const row of rows) {
    const index = Number(row.ResultIndex);
    const count = Number(row.ResultCount);
    if (index === -1 || count === 0 || !Number.isFinite(index)) page.bogus = true;
    page.firstIndex = page.firstIndex === 0 ? index : Math.min(page.firstIndex, index);
    page.lastIndex = Math.max(page.lastIndex, index);
    page.resultCount = Math.max(page.resultCount, Number.isFinite(count) ? count : 0);
    const more = moreOf(row.AuditSearchRequestMetadata);
    if (more !== null) page.moreRecordsAvailable = more;
    const record = auditData(row.AuditData);
    if (record) page.records.push(record);
    else page.unreadable++;
  }
  return page;
}

function auditData(v: unknown): Record<string, unknown> | null {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  if (typeof v !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(v);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The metadata arrives as an object or as its JSON text, depending on the serialisation (§7: unconfirmed). */
function moreOf(v: unknown): boolean | null {
  let m: unknown = v;
  if (typeof v === 'string') {
    try {
      m = JSON.parse(v);
    } catch {
      return null;
    }
  }
  if (!m || typeof m !== 'object') return null;
  const more = (m as Record<string, unknown>).moreRecordsAvailable;
  return typeof more === 'boolean' ? more : null;
}
