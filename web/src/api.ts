/**
 * The console's client of the HTTP API: the one module that knows the /api paths. Every route's
 * request and response types come from the server's contract (src/server/api-types.ts, imported as
 * types only, so nothing of the server reaches the bundle); pages and hooks call the functions below
 * and never write a path themselves. test/api-contract.test.ts sends every call here to the server.
 */
import type {
  AlertQuery,
  AlertScopeQuery,
  ApiBody,
  ApiErrorBody,
  ApiParams,
  ApiQuery,
  ApiResponse,
  ApiRoute,
  AuditTrailQuery,
  CountDimension,
  ExportFormat,
  NewTenant,
  NewUserBody,
  ReportExportFormat,
  ReportParams,
  SearchFilters,
  TimelineBucket,
} from '../../src/server/api-types.js';

export type {
  AlertDetail,
  AlertExclusion,
  AlertExclusionView,
  AlertQuery,
  AlertStatus,
  AlertView,
  Activity,
  ApiRoute,
  ConsoleAuditEntry,
  EnableOutcome,
  Me,
  NewTenant,
  PostureResult,
  Role,
  TenantGroupRow,
  TenantRegistration,
  TenantTestResult,
  TokenView,
  UserView,
  CountRow,
  CoverageGap,
  FilterNotice,
  JsonSchema,
  PostureCheck,
  PostureDetail,
  RecordSummary,
  RecordView,
  ReportInfo,
  ReportResult,
  ReportRow,
  ReportSummary,
  RuleHistoryWait,
  SearchFilters,
  SearchPage,
  SinkView,
  StreamCoverage,
  TenantOverview,
  Timeline,
} from '../../src/server/api-types.js';

/** An API failure as the server described it: code, what failed, what to do. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string | undefined,
    readonly status: number,
  ) {
    super(message);
  }
}

/** A request not yet sent. Its method, URL and body identify it: hooks send it again when they change. */
export interface ApiCall<T> {
  route: ApiRoute;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  body?: unknown;
  /** Never set: carries the response type to send(). */
  readonly response?: T;
}

type QueryValue = string | number | readonly string[] | undefined;

/** Query string from a parameter map: repeated keys for lists, empty values dropped. */
export function toQueryString<T extends { [K in keyof T]: QueryValue }>(params: T): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries<QueryValue>(params)) {
    const list: readonly string[] = typeof v === 'object' ? v : v === undefined ? [] : [String(v)];
    for (const item of list) if (item.trim() !== '') q.append(k, item.trim());
  }
  return q.toString();
}

interface Parts<K extends ApiRoute> {
  params?: ApiParams<K>;
  query?: ApiQuery<K>;
  body?: ApiBody<K>;
}

/** The URL of a route: its path with the `:name` parts filled in, then the query string. */
function urlOf<K extends ApiRoute>(route: K, parts: Parts<K>): string {
  const template = route.slice(route.indexOf(' ') + 1);
  const params = (parts.params ?? {}) as Record<string, string>;
  const path = template.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  const query = parts.query ? toQueryString(parts.query as Record<string, QueryValue>) : '';
  return query ? `${path}?${query}` : path;
}

function call<K extends ApiRoute>(route: K, parts: Parts<K> = {}): ApiCall<ApiResponse<K>> {
  const method = route.slice(0, route.indexOf(' ')) as ApiCall<unknown>['method'];
  return { route, method, url: urlOf(route, parts), ...(parts.body !== undefined ? { body: parts.body } : {}) };
}

/** The tenant filter an alert page carries into an alert's routes (the list's scope). */
const alertScope = (tenant?: readonly string[]): { query: AlertScopeQuery } => ({
  query: tenant?.length ? { tenant: [...tenant] } : {},
});

/** Every JSON route of the API, one function each. */
export const api = {
  index: () => call('GET /api'),
  tenants: () => call('GET /api/tenants'),
  search: (filters: SearchFilters, page: { limit?: number; cursor?: string } = {}) =>
    call('GET /api/search', { query: { ...filters, ...page } }),
  searchCount: (filters: SearchFilters) => call('GET /api/search/count', { query: filters }),
  timeline: (filters: SearchFilters, bucket?: 'auto' | TimelineBucket) =>
    call('GET /api/search/timeline', { query: { ...filters, ...(bucket ? { bucket } : {}) } }),
  counts: (filters: SearchFilters, by: CountDimension, limit?: number) =>
    call('GET /api/search/counts', { query: { ...filters, by, ...(limit ? { limit } : {}) } }),
  /** The Users field's suggestions: no other filter, so never a search (recorded as `search.user-suggestions`). */
  userSuggestions: (period: Pick<SearchFilters, 'start' | 'end' | 'tenant'>) =>
    call('GET /api/search/user-suggestions', { query: period }),
  record: (tenant: string, id: string) => call('GET /api/records/:tenant/:id', { params: { tenant, id } }),
  activities: () => call('GET /api/activities'),
  reports: () => call('GET /api/reports'),
  runReport: (id: string, params: ReportParams) => call('POST /api/reports/:id/run', { params: { id }, body: params }),
  posture: () => call('GET /api/posture'),
  tenantPosture: (tenant: string) => call('GET /api/posture/:tenant', { params: { tenant } }),
  coverage: (tenant?: string) => call('GET /api/coverage', { query: tenant ? { tenant } : {} }),
  status: () => call('GET /api/status'),
  addTenant: (tenant: NewTenant) => call('POST /api/tenants', { body: tenant }),
  testTenant: (tenant: string) => call('POST /api/tenants/:tenant/test', { params: { tenant } }),
  auditConfigCheck: (tenant: string) => call('POST /api/audit-config/:tenant/check', { params: { tenant } }),
  /** Without confirm: the plan only; with it: applied. */
  auditConfigEnable: (tenant: string, confirm: boolean) =>
    call('POST /api/audit-config/:tenant/enable', { params: { tenant }, body: { confirm } }),

  me: () => call('GET /api/auth/me'),
  login: (name: string, password: string) => call('POST /api/auth/login', { body: { name, password } }),
  logout: () => call('POST /api/auth/logout'),

  users: () => call('GET /api/admin/users'),
  addUser: (user: NewUserBody) => call('POST /api/admin/users', { body: user }),
  resetUser: (name: string, change: ApiBody<'POST /api/admin/users/:name/reset'>) =>
    call('POST /api/admin/users/:name/reset', { params: { name }, body: change }),
  removeUser: (name: string) => call('DELETE /api/admin/users/:name', { params: { name } }),
  tokens: () => call('GET /api/admin/tokens'),
  addToken: (token: ApiBody<'POST /api/admin/tokens'>) => call('POST /api/admin/tokens', { body: token }),
  revokeToken: (name: string) => call('DELETE /api/admin/tokens/:name', { params: { name } }),
  groups: () => call('GET /api/admin/groups'),
  putGroup: (name: string, tenants: string[]) =>
    call('PUT /api/admin/groups/:name', { params: { name }, body: { tenants } }),
  removeGroup: (name: string) => call('DELETE /api/admin/groups/:name', { params: { name } }),
  auditTrail: (query: AuditTrailQuery) => call('GET /api/audit', { query }),

  alerts: (query: AlertQuery) => call('GET /api/alerts', { query }),
  alert: (id: string, tenant?: readonly string[]) =>
    call('GET /api/alerts/:id', { params: { id }, ...alertScope(tenant) }),
  setAlertStatus: (id: string, body: ApiBody<'POST /api/alerts/:id/status'>, tenant?: readonly string[]) =>
    call('POST /api/alerts/:id/status', { params: { id }, body, ...alertScope(tenant) }),
  snoozeAlert: (id: string, body: ApiBody<'POST /api/alerts/:id/snooze'>, tenant?: readonly string[]) =>
    call('POST /api/alerts/:id/snooze', { params: { id }, body, ...alertScope(tenant) }),
  excludeFromAlert: (id: string, body: ApiBody<'POST /api/alerts/:id/exclude'>, tenant?: readonly string[]) =>
    call('POST /api/alerts/:id/exclude', { params: { id }, body, ...alertScope(tenant) }),
  alertExclusions: (tenant?: readonly string[]) => call('GET /api/alert-exclusions', alertScope(tenant)),
  ruleHistory: (tenant?: readonly string[]) => call('GET /api/rule-history', alertScope(tenant)),
  sinks: () => call('GET /api/sinks'),
};

/**
 * Routes the browser navigates to rather than fetches (a redirect to the identity provider). The
 * issuer's redirect back (GET /api/auth/oidc/callback) and Microsoft's webhook are called by others.
 */
export const links = {
  oidcStart: () => call('GET /api/auth/oidc/start').url,
};

/** The routes that answer with a file to save rather than JSON to read. */
export const files = {
  /** A link (GET) to every record a search matches, in the server's export format. */
  searchExport: (filters: SearchFilters, format: ExportFormat) =>
    call('GET /api/export', { query: { ...filters, format } }),
  /** A report run as the server writes it to a file (the CLI's bytes); sent with saveFile(). */
  reportExport: (id: string, params: ReportParams, format: ReportExportFormat) =>
    call('POST /api/reports/:id/export', { params: { id }, query: { format }, body: params }),
  /** The console's audit trail as CSV or JSON. */
  auditExport: (query: AuditTrailQuery, format: 'csv' | 'json') =>
    call('GET /api/audit/export', { query: { ...query, format } }),
};

/**
 * Fired when the server says the session has ended: the sign-in gate (auth/SignInGate.tsx) shows the form,
 * with the server's reason (the detail: time limit, inactivity) so the person knows why.
 */
export const SIGNIN_REQUIRED_EVENT = 'tenantwatch:signin-required';
export interface SignInRequired {
  message: string;
  hint?: string;
}

async function failure(res: Response): Promise<ApiError> {
  let error: ApiError;
  try {
    const body = (await res.json()) as ApiErrorBody;
    error = new ApiError(body.error.code, body.error.message, body.error.hint, res.status);
  } catch {
    // Not tenantwatch's own answer (its errors are JSON): a proxy's page, or a server that failed outright.
    error = new ApiError(
      'HTTP_' + res.status,
      `The server answered ${res.status} ${res.statusText}`.trim(),
      'Try again in a moment; if it keeps failing, the tenantwatch server’s log says why (a proxy in between may be answering instead).',
      res.status,
    );
  }
  if (error.code === 'SIGNIN_REQUIRED') {
    const detail: SignInRequired = { message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
    window.dispatchEvent(new CustomEvent(SIGNIN_REQUIRED_EVENT, { detail }));
  }
  return error;
}

/**
 * The session's CSRF token, which the server set in a readable cookie at sign-in: every state-changing
 * request echoes it in a header, which another site's page can never send.
 */
function csrfHeader(): Record<string, string> {
  const m = /(?:^|;\s*)tw_csrf=([^;]+)/.exec(document.cookie);
  return m ? { 'x-csrf-token': decodeURIComponent(m[1]!) } : {};
}

/**
 * The request as the browser sends it. A request that gets no answer at all (the server stopped, the network
 * down) was shown as the browser's own words, "Failed to fetch": it says what happened and what to do instead.
 */
function request(c: ApiCall<unknown>, accept: string, signal: AbortSignal | undefined): Promise<Response> {
  const json = c.body !== undefined;
  const csrf = c.method === 'GET' ? {} : csrfHeader();
  return fetch(c.url, {
    method: c.method,
    signal: signal ?? null,
    headers: json ? { 'content-type': 'application/json', accept, ...csrf } : { accept, ...csrf },
    ...(json ? { body: JSON.stringify(c.body) } : {}),
  }).catch((e: unknown) => {
    if (isAbort(e)) throw e;
    throw new ApiError(
      'UNREACHABLE',
      'The console cannot reach the tenantwatch server',
      'Check that tenantwatch serve (or demo) is still running and that this computer is online, then try again.',
      0,
    );
  });
}

/** Sends a call and reads its JSON answer; a failure becomes an ApiError with the server's words. */
export async function send<T>(c: ApiCall<T>, signal?: AbortSignal): Promise<T> {
  const res = await request(c, 'application/json', signal);
  if (!res.ok) throw await failure(res);
  try {
    return (await res.json()) as T;
  } catch (e) {
    if (isAbort(e)) throw e;
    // A page where JSON was due (a proxy's sign-in page, a cut answer) was shown as the parser's "Unexpected token".
    throw new ApiError(
      'UNREADABLE_ANSWER',
      'The server’s answer could not be read',
      'Reload the page and try again; if it keeps failing, a proxy between the browser and tenantwatch may be answering instead.',
      res.status,
    );
  }
}

/** Sends a file call and saves the answer under the name the server gave (content-disposition). */
export async function saveFile(c: ApiCall<unknown>, signal?: AbortSignal): Promise<void> {
  const res = await request(c, '*/*', signal);
  if (!res.ok) throw await failure(res);
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'tenantwatch-export';
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Which search filters take one value and which a list, for reading them from the page's URL. */
const FILTERS: Record<keyof SearchFilters, 'one' | 'many'> = {
  start: 'one',
  end: 'one',
  user: 'many',
  operation: 'many',
  recordType: 'many',
  workload: 'many',
  ip: 'many',
  object: 'many',
  freeText: 'many',
  tenant: 'many',
};

/**
 * The search a page URL holds (`#/search?start=7d&user=…`). A name that is no filter is refused, as the
 * server refuses it: a typo must never widen a search silently (`toString` is no filter either). No start =
 * no search yet; no end = now, as the form shows it (a hand-made link failed with "needs an end time"
 * under a form that said End: now).
 */
export function searchFromUrl(params: URLSearchParams): { filters: SearchFilters | null; error: ApiError | null } {
  const unknown = [...new Set(params.keys())].filter((k) => !Object.hasOwn(FILTERS, k));
  if (unknown.length) {
    const hint = `Accepted parameters: ${Object.keys(FILTERS).join(', ')}`;
    return { filters: null, error: new ApiError('BAD_FILTER', `Unknown search parameter "${unknown[0]}"`, hint, 400) };
  }
  for (const one of ['start', 'end'] as const) {
    const n = params.getAll(one).length;
    if (n > 1)
      return {
        filters: null,
        error: new ApiError('BAD_TIME', `Give ${one} once, not ${n} times`, `Use one ${one}=… parameter`, 400),
      };
  }
  const start = params.get('start');
  if (start === null) return { filters: null, error: null };
  const filters: Record<string, string | string[]> = { start, end: 'now' };
  for (const [name, kind] of Object.entries(FILTERS)) {
    if (name === 'start') continue;
    const values = params.getAll(name);
    if (values.length) filters[name] = kind === 'one' ? values[0]! : values;
  }
  return { filters: filters as unknown as SearchFilters, error: null };
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

export function describeError(e: unknown): { message: string; hint?: string } {
  if (e instanceof ApiError) return { message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  return { message: e instanceof Error ? e.message : String(e) };
}
