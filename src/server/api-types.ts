/**
 * The HTTP API's contract: every route under /api with what a client sends (path parameters, query,
 * body) and what it gets back. The route handlers are typed against it and the web console imports it,
 * so `npm run typecheck` (whose tsconfig includes web/src) fails when the two drift.
 *
 * Type-only on purpose: this module imports and exports nothing but types, so the console's bundle
 * (Vite/esbuild erase `import type`) never pulls server code in. The dependency check lets web/ import
 * from src/ only this file (.dependency-cruiser.cjs, web-over-http).
 */
import type { Activity } from '../core/catalog/activities.js';
import type { CountDimension, CountRow } from '../core/search-query.js';
import type { Finding } from '../posture/types.js';
import type { JsonSchema, ReportInfo, ReportResult } from '../reports/types.js';
import type { RecordView } from '../search/formats.js';
import type { FilterNotice } from '../search/unseen.js';
import type { PostureSnapshot } from '../store/contract.js';
import type { AuditingFact, CoverageSummary, Gap, StreamSummary, TenantCoverage } from '../coverage/types.js';
import type { ErrorBody } from './errors.js';
import type { AlertView as StoredAlertView } from '../detections/alerts/view.js';

export type {
  Activity,
  CountDimension,
  CountRow,
  FilterNotice,
  JsonSchema,
  RecordView,
  ReportInfo,
  ReportResult,
  AuditingFact,
  CoverageSummary,
  TenantCoverage,
};
/** The console's names for the coverage summary's parts (src/coverage/types.ts). */
export type StreamCoverage = StreamSummary;
export type CoverageGap = Gap;
export type { ReportSummary, ReportRow } from '../reports/types.js';

/** An alert as the alerts routes answer (detections/alerts/view.ts), with its tenant's name where known. */
export type AlertView = StoredAlertView & { tenantName?: string };

/** The body of every error response: stable code, what failed, what to do. */
export type ApiErrorBody = ErrorBody;

/** A row of a result page: the record view without the parsed AuditData (the detail route has it). */
export type RecordSummary = Omit<RecordView, 'auditData'>;

/**
 * The search filters as query parameters, the same names as the CLI's flags in camelCase
 * (server/query.ts accepts exactly these). Lists repeat the parameter (`user=a&user=b`).
 */
export interface SearchFilters {
  /** Required: ISO time, or a relative form such as `7d`. */
  start: string;
  /** ISO time or `now`. */
  end?: string;
  user?: string[];
  operation?: string[];
  recordType?: string[];
  workload?: string[];
  ip?: string[];
  object?: string[];
  freeText?: string[];
  tenant?: string[];
}

export interface SearchPage {
  records: RecordSummary[];
  returned: number;
  /** The keyset cursor of the next page; null when this page is the last. */
  next: string | null;
}

export type TimelineBucket = 'day' | 'hour';

export interface Timeline {
  bucket: TimelineBucket;
  start: number;
  end: number;
  rows: CountRow[];
}

export type ExportFormat = 'csv' | 'json' | 'ndjson';
export type ReportExportFormat = 'csv' | 'json';

/** A tenant as the console's first page shows it; never any credential. */
export interface TenantOverview {
  name: string;
  tenantId: string;
  domain: string | null;
  cloud: string;
  authKind: string;
  posture: {
    verdict: PostureSnapshot['verdict'];
    takenAt: number;
    auditingOff: boolean;
    /** As the posture check stored them (older snapshots may lack fields). */
    findings: Partial<Finding>[];
    /** A request to turn ingestion on, not in effect yet (posture history). */
    requested: AuditingFact['requested'];
  } | null;
  /** What the tenant records at all (src/coverage/auditing.ts): shown beside every result over it. */
  auditing: AuditingFact;
  newestRecord: number | null;
  /** now − the oldest checkpoint of the tenant's streams: how far behind collection is. */
  lagMs: number | null;
  state: 'never collected' | 'imported only' | 'collecting' | 'up to date' | 'errors';
  errors: { windows: number; last: string | null };
  gaps: number;
  /**
   * Management API webhook health (serve --webhook-url; src/collector/webhook-receiver.ts), null when
   * webhooks are off: status, and lastDelayMs = a blob's contentCreated → its records searchable.
   */
  webhook: {
    status: string;
    detail: string | null;
    lastNotificationAt: number | null;
    lastDelayMs: number | null;
  } | null;
}

/**
 * A sink as the console shows it (GET /api/sinks; the figures of `tenantwatch sink status`). No secret and
 * no URL (a chat webhook's URL is a credential). Times are ISO strings, as the CLI prints them.
 */
export interface SinkView {
  name: string;
  kind: string;
  enabled: boolean;
  /** records, alerts or both. */
  takes: string;
  /** The sink's filter in words ("every record" when none). */
  filter: string;
  /** Records in the store after the sink's cursor. */
  lagRecords: number;
  /** How long the oldest undelivered record has waited, ms; 0 when caught up. */
  lagMs: number;
  delivered: number;
  /** Records per second over the last minute of sending. */
  throughput: number;
  lastDeliveryAt: string | null;
  deadLetters: number;
  /** The last failure, classified, receiver's message with secrets removed. */
  lastError: string | null;
  lastErrorAt: string | null;
  /** The process that holds the sink's lease now, or null. */
  sender: string | null;
}

/** Report parameters as a JSON object; the engine validates them (BAD_INPUT names the bad one). */
export type ReportParams = Record<string, unknown>;

/** A response that is a file to save (content-disposition: attachment), not JSON to read. */
export interface FileDownload {
  readonly file: true;
}

/**
 * Every route: `params` are the path's `:name` parts, `query` the query string, `body` the JSON body,
 * `response` the 200 body. The key is the method and path exactly as the server registers it.
 */
export interface ApiRoutes {
  'GET /api': { response: { routes: string[] } };
  'GET /api/tenants': { response: { now: number; tenants: TenantOverview[] } };
  'GET /api/search': { query: SearchFilters & { limit?: number; cursor?: string }; response: SearchPage };
  'GET /api/search/count': {
    query: SearchFilters;
    /** notices: filter values no stored record ever had, with suggestions (a typo must not read as "nothing happened"). */
    response: { count: number; notices: FilterNotice[] };
  };
  'GET /api/search/timeline': { query: SearchFilters & { bucket?: 'auto' | TimelineBucket }; response: Timeline };
  'GET /api/search/counts': {
    query: SearchFilters & { by?: CountDimension; limit?: number };
    response: { by: CountDimension; rows: CountRow[] };
  };
  'GET /api/records/:tenant/:id': { params: { tenant: string; id: string }; response: RecordView };
  'GET /api/export': { query: SearchFilters & { format?: ExportFormat }; response: FileDownload };
  'GET /api/activities': { response: { categories: { category: string; activities: Activity[] }[] } };
  'GET /api/reports': { response: { reports: ReportInfo[] } };
  'POST /api/reports/:id/run': { params: { id: string }; body: ReportParams; response: ReportResult };
  'POST /api/reports/:id/export': {
    params: { id: string };
    query: { format?: ReportExportFormat };
    body: ReportParams;
    response: FileDownload;
  };
  'GET /api/posture': { response: { snapshots: PostureSnapshot[] } };
  'GET /api/coverage': { query: { tenant?: string }; response: CoverageSummary };
  'GET /api/status': { response: { now: number; collector: unknown } };
  'GET /api/sinks': { response: { now: number; sinks: SinkView[] } };
}

export type ApiRoute = keyof ApiRoutes;
export type ApiResponse<K extends ApiRoute> = ApiRoutes[K]['response'];
export type ApiQuery<K extends ApiRoute> = ApiRoutes[K] extends { query: infer Q } ? Q : never;
export type ApiParams<K extends ApiRoute> = ApiRoutes[K] extends { params: infer P } ? P : never;
export type ApiBody<K extends ApiRoute> = ApiRoutes[K] extends { body: infer B } ? B : never;
/** The names a route accepts in its query string besides the search filters (limit, cursor, format …). */
export type ApiExtraQuery<K extends ApiRoute> = Exclude<keyof ApiQuery<K>, keyof SearchFilters>;
