/**
 * The coverage vocabulary: one answer to "what was collected, and where are the gaps?", computed once
 * (summary.ts) and only rendered by the CLI (`tenantwatch coverage`) and the server (`GET /api/coverage`,
 * the console's tenant list). Times are UTC epoch ms; renderers format them.
 */
import type { LedgerStream } from '../store/contract.js';

/** The streams that fill history after the fact (Graph audit queries, Search-UnifiedAuditLog, imported files). */
export const HISTORY_STREAMS = ['graph', 'search-unified-audit-log', 'import'] as const;
export type HistoryStream = (typeof HISTORY_STREAMS)[number];

export function isHistoryStream(stream: string): stream is HistoryStream {
  return (HISTORY_STREAMS as readonly string[]).includes(stream);
}

/**
 * A stretch of one stream that is not proven collected. `state` says what kind of loss:
 * - 'hole': no window of a live stream covers this time;
 * - a window state — 'planned' or 'listed' (collection did not finish), 'failed', 'partial', 'expired'
 *   (the window passed the 7-day horizon before it was fetched, or the slice of a fetched window that was
 *   already behind the horizon when it was listed: the same loss, counted the same way);
 * - 'not collectable': time that passed the 7-day horizon while a new subscription awaited its first content
 *   (before the subscription started, nothing could list it): no loss, not counted as expired;
 * - 'blob refused' | 'blob expired' | 'blob missing' | 'blob failed': a listed blob not fetched (start = end
 *   = its contentCreated).
 */
export interface Gap {
  tenant: string;
  /** The tenant's short name. */
  name: string;
  stream: LedgerStream;
  start: number;
  end: number;
  state: string;
  /** Plain words: why this is a gap. */
  reason: string;
  /** The ledger's last error for the window or blob, when it kept one. */
  lastError: string | null;
  /** On a filled gap: the history stream whose fetched window covers it; null on an open gap. */
  filledBy: HistoryStream | null;
}

/** One stream of one tenant. The counts of problems are counts of its open gaps, so table and gap list agree. */
export interface StreamSummary {
  tenant: string;
  name: string;
  stream: LedgerStream;
  /** 'live': a content type of the Management Activity API; 'history': a later fill. */
  kind: 'live' | 'history';
  from: number | null;
  to: number | null;
  /** Windows in the ledger, and how many are in each state (facts about windows). */
  windows: number;
  planned: number;
  listed: number;
  fetched: number;
  /** Open gaps from failed or partial windows. */
  failed: number;
  /** Open gaps lost behind the 7-day horizon (expired windows and horizon slices; not the 'not collectable'). */
  expired: number;
  /** Blobs fetched (with their sha256 as evidence). */
  blobs: number;
  /** Open gaps from listed blobs that were not fetched. */
  blobIssues: number;
  /** Records read: from fetched blobs (live streams) or from the fill windows (history streams). */
  records: number;
  newRecords: number;
  checkpoint: number | null;
  /** Open gaps, oldest first. */
  gaps: Gap[];
  /** Gaps a later history fill covered, oldest first. */
  filled: Gap[];
}

/** What the tenant's latest audit-config check says about what Microsoft records for it. */
export interface AuditingFact {
  /** When the posture was last checked; null when it never was (then nothing is known). */
  checkedAt: number | null;
  unifiedAuditLog: 'on' | 'off' | 'unknown';
  mailboxAuditing: 'on' | 'off' | 'some mailboxes off' | 'unknown';
  /** Ingestion is off: Microsoft records nothing for this tenant, so an empty result means nothing. */
  recordsNothing: boolean;
  /**
   * A request to turn ingestion on that is not in effect yet (posture history); `unconfirmed` when it was sent
   * without an answer, so it may not have been made (posture/types.ts RequestedChange).
   */
  requested: { at: number; by: string; appliesBy: number; overdue: boolean; unconfirmed?: true } | null;
  /** Plain words to show next to any result over this tenant; null when nothing needs saying. */
  note: string | null;
}

/**
 * What the retention sweep removed from a tenant (the ledger's removals): records that were collected and
 * then deleted on purpose. Time before `before` is "removed by retention", never a gap.
 */
export interface RetentionSummary {
  records: number;
  /** CreationTime span of the removed records. */
  oldest: number | null;
  newest: number | null;
  /** The limit of the latest complete sweep: nothing older is kept; null while no sweep finished. */
  before: number | null;
  sweptAt: number;
}

export interface TenantCoverage {
  tenant: string;
  name: string;
  /** Removed by retention; null when retention never removed anything of this tenant. */
  removed: RetentionSummary | null;
  /** Streams with windows in the ledger. */
  streams: number;
  /** Open gaps and filled gaps across the tenant's streams. */
  gaps: number;
  filled: number;
  auditing: AuditingFact;
}

export interface CoverageSummary {
  /** Per tenant (in the order asked), then per stream (alphabetical). */
  streams: StreamSummary[];
  tenants: TenantCoverage[];
}
