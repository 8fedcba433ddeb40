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
import type { Finding, RequestedChange } from '../posture/types.js';
import type { JsonSchema, ReportInfo, ReportResult } from '../reports/types.js';
import type { RecordView } from '../search/formats.js';
import type { FilterNotice } from '../search/unseen.js';
import type { PostureSnapshot } from '../store/contract.js';
import type { AuditingFact, CoverageSummary, Gap, StreamSummary, TenantCoverage } from '../coverage/types.js';
import type { ErrorBody } from './errors.js';
import type { AlertView as StoredAlertView } from '../detections/alerts/view.js';
import type { AlertDetail as StoredAlertDetail } from '../detections/alerts/detail.js';
import type { AlertExclusion, AlertStatus } from '../store/contract.js';
import type { ConsoleAuditEntry, Role, TenantGroupRow } from '../store/auth-contract.js';
import type { EnableOutcome } from '../posture/service.js';
import type { PostureResult } from '../posture/types.js';
import type { TokenView, UserView } from './auth/accounts.js';

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

/** An alert as an action on it answers (detections/alerts/view.ts). */
export type AlertState = StoredAlertView;
/** An alert as the list and the detail show it: with its tenant's name (the key when the tenant is not registered). */
export type AlertView = StoredAlertView & { tenantName: string };
/** One alert with its history, records and runbook (detections/alerts/detail.ts). */
export type AlertDetail = Omit<StoredAlertDetail, 'alert'> & { alert: AlertView };
/**
 * An exclusion as the console's list gives it. For an exclusion of every tenant shown to a caller who does not see
 * every tenant, `withheld` is true and what may hold other tenants' data is null: the value (a user, address or
 * application from the alert it was made on, in whichever tenant), the reason, and the counts of every tenant's hits.
 */
export type AlertExclusionView = Omit<AlertExclusion, 'value' | 'reason' | 'hits' | 'lastHitAt'> & {
  value: string | null;
  reason: string | null;
  hits: number | null;
  lastHitAt: number | null;
  withheld: boolean;
};

export type { AlertExclusion, AlertStatus, ConsoleAuditEntry, EnableOutcome, PostureResult, Role, TenantGroupRow };
export type { TokenView, UserView };

/** The caller as the console sees it (GET /api/auth/me, and the answer to a sign-in). */
export interface Me {
  /** open: loopback without accounts, everyone is the local admin; accounts: sign-in needed. */
  mode: 'open' | 'accounts';
  signedIn: boolean;
  user: string | null;
  role: Role | null;
  via: 'session' | 'token' | 'local' | 'anonymous';
  tenants: '*' | string[];
  /** The OpenID Connect sign-in offered, if any (its button label). */
  oidc: { name: string } | null;
}

/** A new account from the admin page; the password is never answered back. */
export interface NewUserBody {
  name: string;
  role: Role;
  tenants?: string[];
  groups?: string[];
  password?: string;
  /** `issuer|claim value` (or `issuer|sub:SUBJECT`) of an OpenID Connect identity to link. */
  externalId?: string;
}

/** The filters of the console audit trail (newest first; `before` = a seq, for the next page). */
export interface AuditTrailQuery {
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  before?: number;
  limit?: number;
}

/** The alert list's filters; lists repeat the parameter. */
export interface AlertQuery {
  tenant?: string[];
  status?: AlertStatus[];
  severity?: StoredAlertView['severity'][];
  rule?: string[];
  /** true: include snoozed alerts. */
  snoozed?: 'true';
  limit?: number;
}
/** The tenants an alert action is limited to (the page's tenant filter), as in the list. */
export type AlertScopeQuery = Pick<AlertQuery, 'tenant'>;

/** A first-seen rule that calls nothing new yet for some tenants: their records do not reach its look-back. */
export interface RuleHistoryWait {
  ruleId: string;
  title: string;
  /** The rule's look-back in days. */
  days: number;
  /** By name: since when each tenant's records go back (null: no records yet), and until when the rule waits (ISO). */
  tenants: { tenant: string; tenantName: string; since: string | null; until: string | null }[];
}

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
 * A tenant registered from the console (admin of every tenant). The credential is a client secret or a
 * certificate with its private key: sealed at rest with the data folder's key, never sent back. (Secret
 * references — env:/file: — stay a CLI feature: the console must not name files or variables of the server.)
 */
export interface NewTenant {
  name: string;
  tenantId: string;
  clientId: string;
  cloud?: 'commercial' | 'gcc' | 'gcchigh' | 'dod';
  domain?: string;
  /** Every Microsoft call goes here instead (emulator, proxy); https only. */
  baseUrl?: string;
  /** A PEM CA file on the server to trust besides the system roots (the emulator's). */
  caFile?: string;
  publisherId?: string;
  clientSecret?: string;
  certificatePem?: string;
  privateKeyPem?: string;
}

/** What the console shows of a registered tenant's registration: never the credential. */
export interface TenantRegistration {
  name: string;
  tenantId: string;
  clientId: string;
  domain: string | null;
  cloud: string;
  authKind: string;
  baseUrl: string | null;
  addedAt: number;
}

/** `tenant test` from the console: what worked, line by line, and the first failure in plain words. */
export interface TenantTestResult {
  tenant: string;
  ok: boolean;
  lines: string[];
  error: { code: string; message: string; hint: string | null } | null;
}

/** One stored posture check of a tenant (audit-config check), as the posture detail page shows it. */
export interface PostureCheck {
  takenAt: number;
  verdict: PostureSnapshot['verdict'];
  /** Every finding with its fix, as the check stored them (older snapshots may lack fields). */
  findings: Partial<Finding>[];
  /** Changes requested through `enable` and carried from check to check (pending, overdue, applied). */
  requests: Partial<RequestedChange>[];
}

/** A tenant's audit posture: what it records now, and every stored check, newest first. */
export interface PostureDetail {
  name: string;
  tenantId: string;
  domain: string | null;
  auditing: AuditingFact;
  checks: PostureCheck[];
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

/** A response that sends the browser elsewhere (302 with Location), not JSON. */
export interface Redirect {
  readonly redirect: true;
}

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
  /** The users seen in a period (whole UTC days) and tenants, most records first: the Users field's suggestions. */
  'GET /api/search/user-suggestions': {
    query: Pick<SearchFilters, 'start' | 'end' | 'tenant'>;
    response: { users: CountRow[] };
  };
  'GET /api/records/:tenant/:id': { params: { tenant: string; id: string }; response: RecordView };
  'GET /api/export': { query: SearchFilters & { format?: ExportFormat }; response: FileDownload };
  'GET /api/activities': { response: { categories: { category: string; activities: Activity[] }[] } };
  'GET /api/reports': { response: { reports: ReportInfo[] } };
  'POST /api/reports/:id/run': {
    params: { id: string };
    body: ReportParams;
    /** notices: users asked about that no stored record names, with the user perhaps meant. */
    response: ReportResult & { notices: FilterNotice[] };
  };
  'POST /api/reports/:id/export': {
    params: { id: string };
    query: { format?: ReportExportFormat };
    body: ReportParams;
    response: FileDownload;
  };
  'POST /api/tenants': { body: NewTenant; response: { tenant: TenantRegistration } };
  'POST /api/tenants/:tenant/test': { params: { tenant: string }; response: TenantTestResult };
  'GET /api/posture': { response: { snapshots: PostureSnapshot[] } };
  'POST /api/audit-config/:tenant/check': { params: { tenant: string }; response: { result: PostureResult } };
  /** Without `confirm: true` only the plan (dry run); with it, applied. */
  'POST /api/audit-config/:tenant/enable': {
    params: { tenant: string };
    body: { confirm?: boolean };
    response: { applied: boolean; outcome: EnableOutcome };
  };
  'GET /api/posture/:tenant': { params: { tenant: string }; response: PostureDetail };
  'GET /api/coverage': { query: { tenant?: string | string[] }; response: CoverageSummary };
  'GET /api/status': { response: { now: number; collector: unknown } };

  'GET /api/auth/me': { response: Me };
  'POST /api/auth/login': { body: { name: string; password: string }; response: Me };
  'POST /api/auth/logout': { response: { signedIn: false } };
  /** A browser navigation to the issuer (302), registered only with OpenID Connect configured. */
  'GET /api/auth/oidc/start': { response: Redirect };
  /** Where the issuer sends the browser back (302 to the console); called by the issuer, not the client. */
  'GET /api/auth/oidc/callback': { query: { code?: string; state?: string }; response: Redirect };

  'GET /api/admin/users': { response: { users: UserView[] } };
  'POST /api/admin/users': { body: NewUserBody; response: UserView };
  'POST /api/admin/users/:name/reset': {
    params: { name: string };
    body: { password?: string; role?: Role; tenants?: string[]; groups?: string[] };
    response: UserView;
  };
  'DELETE /api/admin/users/:name': { params: { name: string }; response: { removed: true } };
  'GET /api/admin/tokens': { response: { tokens: TokenView[] } };
  /** `token` is the only time the secret is shown. */
  'POST /api/admin/tokens': {
    body: { name: string; user: string; role?: Role; tenants?: string[]; expiresInDays?: number };
    response: { token: string; view: TokenView };
  };
  'DELETE /api/admin/tokens/:name': { params: { name: string }; response: { revoked: true } };
  'GET /api/admin/groups': { response: { groups: TenantGroupRow[] } };
  'PUT /api/admin/groups/:name': { params: { name: string }; body: { tenants: string[] }; response: TenantGroupRow };
  'DELETE /api/admin/groups/:name': { params: { name: string }; response: { removed: true } };
  'GET /api/audit': { query: AuditTrailQuery; response: { entries: ConsoleAuditEntry[] } };
  'GET /api/audit/export': { query: AuditTrailQuery & { format?: 'csv' | 'json' }; response: FileDownload };

  /** count: the alerts listed; more: true when more match than the limit let through (the list is not all). */
  'GET /api/alerts': { query: AlertQuery; response: { count: number; more: boolean; alerts: AlertView[] } };
  'GET /api/alerts/:id': { params: { id: string }; query: AlertScopeQuery; response: AlertDetail };
  'POST /api/alerts/:id/status': {
    params: { id: string };
    query: AlertScopeQuery;
    /** `by`: heeded only by a console served without accounts; otherwise the caller is recorded. */
    body: { status: AlertStatus; note?: string; by?: string };
    response: AlertState;
  };
  'POST /api/alerts/:id/snooze': {
    params: { id: string };
    query: AlertScopeQuery;
    /** A span from now (4h, 2d) or an ISO date-time. */
    body: { until: string; reason?: string; by?: string };
    response: AlertState;
  };
  'POST /api/alerts/:id/exclude': {
    params: { id: string };
    query: AlertScopeQuery;
    /** allTenants: only for a caller who sees every tenant (FORBIDDEN otherwise). */
    body: { kind: string; value: string; reason?: string; by?: string; allTenants?: boolean };
    response: { exclusion: AlertExclusion };
  };
  /**
   * The exclusions of the caller's tenants and those of every tenant (`tenant: "*"`). A caller who does not see
   * every tenant is told an exclusion of every tenant exists (rule, kind, author, when: it silences their tenants
   * too) but not its `value` and `reason` (a user, address or application of the tenant it was made in) nor its
   * `hits` and `lastHitAt` (every tenant's activity): those are null and `withheld` is true.
   */
  'GET /api/alert-exclusions': { query: AlertScopeQuery; response: { exclusions: AlertExclusionView[] } };
  /** The first-seen rules still waiting for a tenant's history (ADR 0037), per rule the tenants it waits for. */
  'GET /api/rule-history': { query: AlertScopeQuery; response: { rules: RuleHistoryWait[] } };

  /**
   * Microsoft's Management Activity API notifications (serve --webhook-url), authenticated by the
   * Webhook-AuthID header; called by Microsoft, never by the console.
   */
  'POST /api/webhooks/management': {
    body: unknown[] | { validationCode: string };
    response: { accepted: number; ignored: number } | Record<string, never>;
  };
  'GET /api/sinks': { response: { now: number; sinks: SinkView[] } };
}

export type ApiRoute = keyof ApiRoutes;
export type ApiResponse<K extends ApiRoute> = ApiRoutes[K]['response'];
export type ApiQuery<K extends ApiRoute> = ApiRoutes[K] extends { query: infer Q } ? Q : never;
export type ApiParams<K extends ApiRoute> = ApiRoutes[K] extends { params: infer P } ? P : never;
export type ApiBody<K extends ApiRoute> = ApiRoutes[K] extends { body: infer B } ? B : never;
/** The names a route accepts in its query string besides the search filters (limit, cursor, format …). */
export type ApiExtraQuery<K extends ApiRoute> = Exclude<keyof ApiQuery<K>, keyof SearchFilters>;
