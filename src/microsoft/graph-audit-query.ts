import { AppError } from '../core/errors.js';
import type { BearerClient } from '../net/bearer.js';
import { retryAfterMs } from '../net/retry.js';
import type { HttpResponse } from '../net/types.js';
import { RETRY_LATER, type ApiFailure } from './management-errors.js';
import type { Step } from './management-activity.js';
import { bearerFor } from './session.js';
import type { TenantConnection } from './types.js';

/**
 * The Microsoft Graph audit log query API (`security/auditLog/queries`, spec §3) as small steps, for
 * history beyond the Management API's 7 days: create a query, poll its status, read its records page by
 * page (`@odata.nextLink`, same host only). Global service only (§1.4): a national cloud is refused up
 * front. Each answer is decided by a pure function a test feeds a canned response.
 */
export type QueryStatus = 'notStarted' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'unknownFutureValue';

export interface AuditQueryFilter {
  start: number;
  end: number;
  recordTypes?: string[];
  operations?: string[];
  users?: string[];
  keyword?: string;
}

export interface AuditQuery {
  id: string;
  status: QueryStatus;
  /**
   * A succeeded query can still have stopped at its record limit (§3.3: `isRecordCountLimitExceeded`,
   * authoritative; `recordCountLimit`, 1 million): its records are then not the whole range.
   */
  limitExceeded: boolean;
  recordCountLimit: number | null;
}

export interface RecordsPage {
  /** Graph auditLogRecord objects (camelCase envelope, `auditData` inside), for normalizeRecord. */
  records: Record<string, unknown>[];
  next: string | null;
}

/** Graph errors as the collector's dispositions: 429 waits (Retry-After), 401 renews, 403 names the permission. */
export function graphFailure(
  status: number,
  text: string,
  headers: Record<string, string | undefined>,
  what: string,
): ApiFailure {
  let code: string | null = null;
  let message = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? null;
    message = body.error?.message ?? message;
  } catch {
    /* not JSON: keep the text */
  }
  const base = { status, code, message, retryAfterMs: null as number | null, throttled: false };
  const err = (app: ConstructorParameters<typeof AppError>[0], msg: string, hint: string): AppError =>
    new AppError(app, msg, { hint, details: { status, code } });
  if (/AuditingDisabledTenant/i.test(`${code} ${message}`))
    return {
      ...base,
      disposition: 'fatal',
      error: err(
        'AUDIT_DISABLED',
        `${what} failed: unified audit logging is off for this tenant`,
        'Turn it on (tenantwatch audit-config enable); it takes up to 60 minutes to apply',
      ),
    };
  if (status === 429) {
    return {
      ...base,
      throttled: true,
      retryAfterMs: retryAfterMs(headers),
      disposition: 'retry-later',
      error: err('THROTTLED', `${what} was throttled by Graph`, 'Retried after the pause Graph asks for'),
    };
  }
  if (status === 401)
    return {
      ...base,
      disposition: 'renew-token',
      error: err('AUTH_FAILED', `${what} was refused: the token was not accepted`, 'The token is renewed once'),
    };
  if (status === 403)
    return {
      ...base,
      disposition: 'fatal',
      error: err(
        'PERMISSION_MISSING',
        `${what} was refused: the app lacks AuditLogsQuery.Read.All`,
        'Grant the Microsoft Graph application permission AuditLogsQuery.Read.All and have an admin consent',
      ),
    };
  if (status >= 500 || status === 408)
    return {
      ...base,
      disposition: 'retry-later',
      error: err('UPSTREAM', `${what} failed with ${status}`, RETRY_LATER),
    };
  return {
    ...base,
    disposition: 'fatal',
    error: err(
      'UPSTREAM',
      `${what} failed with ${status}${code ? ` ${code}` : ''}: ${message}`,
      'See the message from Microsoft',
    ),
  };
}

export function queryAnswer(
  status: number,
  text: string,
  headers: Record<string, string | undefined>,
  what: string,
): Step<AuditQuery> {
  if (status !== 200 && status !== 201) return { ok: false, failure: graphFailure(status, text, headers, what) };
  const body = parseObject(text) as {
    id?: unknown;
    status?: unknown;
    isRecordCountLimitExceeded?: unknown;
    recordCountLimit?: unknown;
  } | null;
  if (!body) return { ok: false, failure: graphFailure(502, text, headers, `${what} (the body was not JSON)`) };
  if (typeof body.id !== 'string')
    return { ok: false, failure: graphFailure(502, text, headers, `${what} (no query id in the answer)`) };
  return {
    ok: true,
    value: {
      id: body.id,
      status: (typeof body.status === 'string' ? body.status : 'notStarted') as QueryStatus,
      limitExceeded: body.isRecordCountLimitExceeded === true,
      recordCountLimit: typeof body.recordCountLimit === 'number' ? body.recordCountLimit : null,
    },
  };
}

export function recordsAnswer(
  status: number,
  text: string,
  headers: Record<string, string | undefined>,
): Step<RecordsPage> {
  if (status !== 200) return { ok: false, failure: graphFailure(status, text, headers, 'Reading audit query records') };
  const body = parseObject(text) as { value?: unknown; '@odata.nextLink'?: unknown } | null;
  if (!body)
    return {
      ok: false,
      failure: graphFailure(502, text, headers, 'Reading audit query records (the body was not JSON)'),
    };
  const records = Array.isArray(body.value)
    ? (body.value.filter((v) => v && typeof v === 'object') as Record<string, unknown>[])
    : [];
  const next = typeof body['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : null;
  return { ok: true, value: { records, next } };
}

/** A cut or garbled 200 is a transient upstream failure (retried), not a crash. */
function parseObject(text: string): Record<string, unknown> | null {
  try {
    const body: unknown = JSON.parse(text);
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export class GraphAuditQueryClient {
  private readonly bearer: BearerClient;

  constructor(
    private readonly conn: TenantConnection,
    private readonly version: 'v1.0' | 'beta' = 'beta',
  ) {
    if (!conn.endpoints.graphAuditQueryAvailable) {
      throw new AppError(
        'NOT_IMPLEMENTED',
        `The Graph audit log query API is not offered in the ${conn.endpoints.cloud} cloud`,
        { hint: 'Use the Management Activity API (7 days) or Search-UnifiedAuditLog for history there' },
      );
    }
    this.bearer = bearerFor(conn, 'graph');
  }

  private get root(): string {
    return `${this.conn.endpoints.graph}/${this.version}/security/auditLog/queries`;
  }

  async create(filter: AuditQueryFilter, signal?: AbortSignal): Promise<Step<AuditQuery>> {
    const body = {
      '@odata.type': '#microsoft.graph.security.auditLogQuery',
      displayName: `tenantwatch ${new Date(filter.start).toISOString()}..${new Date(filter.end).toISOString()}`,
      filterStartDateTime: new Date(filter.start).toISOString(),
      filterEndDateTime: new Date(filter.end).toISOString(),
      ...(filter.recordTypes?.length ? { recordTypeFilters: filter.recordTypes } : {}),
      ...(filter.operations?.length ? { operationFilters: filter.operations } : {}),
      ...(filter.users?.length ? { userPrincipalNameFilters: filter.users } : {}),
      ...(filter.keyword ? { keywordFilter: filter.keyword } : {}),
    };
    const res = await this.call('POST', this.root, signal, JSON.stringify(body));
    return queryAnswer(res.status, await res.text(), res.headers, 'Creating an audit log query');
  }

  async status(id: string, signal?: AbortSignal): Promise<Step<AuditQuery>> {
    const res = await this.call('GET', `${this.root}/${encodeURIComponent(id)}`, signal);
    return queryAnswer(res.status, await res.text(), res.headers, 'Polling an audit log query');
  }

  async records(target: { id: string } | { next: string }, signal?: AbortSignal): Promise<Step<RecordsPage>> {
    // A foreign @odata.nextLink is refused by the bearer client (REFUSED_URL): the token never goes there.
    const url = 'next' in target ? target.next : `${this.root}/${encodeURIComponent(target.id)}/records`;
    const res = await this.call('GET', url, signal);
    return recordsAnswer(res.status, await res.text(), res.headers);
  }

  private call(method: 'GET' | 'POST', url: string, signal?: AbortSignal, body?: string): Promise<HttpResponse> {
    return this.bearer.request({
      method,
      url,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body } : {}),
      ...(signal ? { signal } : {}),
    });
  }
}
