import { AppError, type ErrorCode } from '../core/errors.js';
import { classifyThrown, retryAfterMs, type Failed, type FailureClass } from '../net/retry.js';

/**
 * The Management Activity API's error table (spec §2.11, §2.10, §2.2) as dispositions: what the
 * collector does next. Kept in one place, like Beats' o365audit, so a new code is one line.
 * - fatal: stop this stream (or tenant) and say why; retrying cannot help.
 * - subscribe-and-retry: the subscription is missing or disabled; start it, then repeat the call.
 * - shift-window: the window broke a rule (over 24 h, older than 7 days); re-plan it inside the rules.
 * - retry-later: transient (throttling, 5xx, bad nextPage); back off and repeat.
 * - renew-token: the bearer was refused; renew it once and repeat.
 * - skip-blob: this blob cannot be read (expired, unknown, malformed id); record why and go on.
 * - success: AF20024 on a start means the subscription is already enabled.
 */
export type Disposition =
  'fatal' | 'subscribe-and-retry' | 'shift-window' | 'retry-later' | 'renew-token' | 'skip-blob' | 'success';

export interface ApiFailure {
  disposition: Disposition;
  status: number;
  /** AF code, or null when the body had none. */
  code: string | null;
  message: string;
  /** Set for throttling: the wait the service asked for, when it said so. */
  retryAfterMs: number | null;
  throttled: boolean;
  /**
   * The service's time when it answered (its Date header, epoch ms), or null: a window refused as older
   * than 7 days is shifted to the horizon by the service's clock when it runs ahead of ours.
   */
  serverTime?: number | null;
  /** For skip-blob: what the ledger records. */
  blobStatus?: 'expired' | 'missing';
  /** The person-facing error for fatal dispositions (and give-ups). */
  error: AppError;
}

/**
 * A fault on Microsoft's side. Collection retries it (and says how often when it gives up: net/retry.ts
 * afterRetries); a one-off call such as `tenant test` does not, so the hint claims no retry of its own.
 */
export const RETRY_LATER =
  "A fault on Microsoft's side: collection retries it on its own; a check can be run again in a few minutes";

const TABLE: Record<
  string,
  { disposition: Disposition; app: ErrorCode; hint: string; blobStatus?: 'expired' | 'missing' }
> = {
  AF10001: {
    disposition: 'fatal',
    app: 'PERMISSION_MISSING',
    hint: 'Grant the app the Office 365 Management APIs application permission ActivityFeed.Read and have an admin consent',
  },
  AF20010: { disposition: 'fatal', app: 'AUTH_FAILED', hint: 'The token is for another tenant: check --tenant-id' },
  AF20011: { disposition: 'fatal', app: 'UNKNOWN_TENANT', hint: 'Check --tenant-id and --cloud' },
  AF20012: {
    disposition: 'fatal',
    app: 'UPSTREAM',
    hint: 'The tenant is misconfigured on the Microsoft side; contact Microsoft support',
  },
  AF20013: { disposition: 'fatal', app: 'BAD_INPUT', hint: 'The tenant id must be a GUID' },
  AF20020: { disposition: 'fatal', app: 'BAD_INPUT', hint: 'Use one of the five content types' },
  AF20021: { disposition: 'fatal', app: 'UPSTREAM', hint: 'The webhook endpoint must be https and answer 200' },
  AF20022: { disposition: 'subscribe-and-retry', app: 'UPSTREAM', hint: 'The subscription is started automatically' },
  AF20023: {
    disposition: 'subscribe-and-retry',
    app: 'UPSTREAM',
    hint: 'The subscription is started again automatically',
  },
  AF20024: { disposition: 'success', app: 'UPSTREAM', hint: '' },
  AF20030: {
    disposition: 'shift-window',
    app: 'UPSTREAM',
    hint: 'The window is re-planned inside the 24 h / 7 day rules',
  },
  AF20055: {
    disposition: 'shift-window',
    app: 'UPSTREAM',
    hint: 'The window is re-planned inside the 24 h / 7 day rules',
  },
  AF20031: { disposition: 'retry-later', app: 'UPSTREAM', hint: 'The window is listed again from its first page' },
  AF20050: { disposition: 'skip-blob', app: 'NOT_FOUND', hint: 'The blob no longer exists', blobStatus: 'missing' },
  AF20051: {
    disposition: 'skip-blob',
    app: 'NOT_FOUND',
    hint: 'Content older than 7 days cannot be read: collect more often',
    blobStatus: 'expired',
  },
  AF20052: {
    disposition: 'skip-blob',
    app: 'NOT_FOUND',
    hint: 'The listing gave a malformed content id',
    blobStatus: 'missing',
  },
  AF429: {
    disposition: 'retry-later',
    app: 'THROTTLED',
    hint: 'Retried after a pause; set --publisher-id to get your own quota pool',
  },
  AF50000: { disposition: 'retry-later', app: 'UPSTREAM', hint: RETRY_LATER },
  AF50005: { disposition: 'retry-later', app: 'UPSTREAM', hint: RETRY_LATER },
  AF50006: { disposition: 'retry-later', app: 'UPSTREAM', hint: RETRY_LATER },
};

/** Reads `{"error":{"code","message"}}`; anything else gives nulls. */
export function parseErrorBody(text: string): { code: string | null; message: string } {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof body.error?.code === 'string' ? body.error.code : null;
    const message = typeof body.error?.message === 'string' ? body.error.message : '';
    return { code, message };
  } catch {
    return { code: null, message: text.slice(0, 300) };
  }
}

/** "Please retry again after 14m 56s" (start throttling, §2.2), else a Retry-After header. */
function retryAfterFrom(text: string, headers: Record<string, string | undefined>): number | null {
  const m = /retry again after (?:(\d+)m)?\s*(?:(\d+)s)?/i.exec(text);
  if (m && (m[1] || m[2])) return (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 1000;
  return retryAfterMs(headers);
}

/**
 * The unified-audit-log-off answer to a start (§2.2): 400 whose "code" is a long diagnostic string
 * beginning "StartSubscription [CorrId=…" and whose message ends "Tenant <guid> does not exist.".
 */
function isAuditDisabled(status: number, code: string | null, message: string): boolean {
  return (
    status === 400 &&
    ((code ?? '').startsWith('StartSubscription') || /DataServiceException: Tenant .* does not exist/i.test(message))
  );
}

export function classifyFailure(
  status: number,
  text: string,
  headers: Record<string, string | undefined> = {},
  what = 'The request',
): ApiFailure {
  const { code, message } = parseErrorBody(text);
  const shortCode = code && /^AF\d+$/.test(code) ? code : null;
  const date = Date.parse(headers['date'] ?? '');
  const base = {
    status,
    code: shortCode,
    message,
    retryAfterMs: null as number | null,
    throttled: false,
    serverTime: Number.isFinite(date) ? date : null,
  };
  if (isAuditDisabled(status, code, message)) {
    return {
      ...base,
      disposition: 'fatal',
      error: new AppError(
        'AUDIT_DISABLED',
        'Unified audit logging is off for this tenant: Microsoft records no activity and the Management Activity API refuses subscriptions',
        {
          hint: 'Turn it on (tenantwatch audit-config enable, or Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true); it takes up to 60 minutes to apply',
          details: { status },
        },
      ),
    };
  }
  const throttled = shortCode === 'AF429' || status === 429 || /too many request/i.test(text);
  if (throttled) {
    const entry = TABLE.AF429!;
    return {
      ...base,
      throttled,
      retryAfterMs: retryAfterFrom(text, headers),
      disposition: 'retry-later',
      error: appError(
        entry.app,
        `${what} was throttled (${status} ${shortCode ?? ''})`.trim(),
        entry.hint,
        status,
        shortCode,
      ),
    };
  }
  const entry = shortCode ? TABLE[shortCode] : undefined;
  if (entry) {
    return {
      ...base,
      disposition: entry.disposition,
      ...(entry.blobStatus ? { blobStatus: entry.blobStatus } : {}),
      error: appError(entry.app, `${what} failed: ${shortCode} ${message}`.trim(), entry.hint, status, shortCode),
    };
  }
  if (status === 401)
    return {
      ...base,
      disposition: 'renew-token',
      error: appError(
        'AUTH_FAILED',
        `${what} was refused: the access token was not accepted (401)`,
        'The token is renewed once; if it is refused again check the app permissions',
        status,
        null,
      ),
    };
  if (status === 404)
    return {
      ...base,
      disposition: 'skip-blob',
      blobStatus: 'missing',
      error: appError('NOT_FOUND', `${what} found nothing (404)`, 'The content is gone', status, null),
    };
  if (status === 408 || status >= 500 || status === 0)
    return {
      ...base,
      disposition: 'retry-later',
      error: appError('UPSTREAM', `${what} failed with ${status}`, RETRY_LATER, status, null),
    };
  return {
    ...base,
    disposition: 'fatal',
    error: appError(
      'UPSTREAM',
      `${what} failed with ${status}${code ? ` ${code}` : ''}: ${message}`.trim(),
      'See the message from Microsoft above',
      status,
      code,
    ),
  };
}

function appError(app: ErrorCode, message: string, hint: string, status: number, code: string | null): AppError {
  return new AppError(app, message, { hint, details: { status, code } });
}

/**
 * The dispositions as the generic retry classes (the Management API's and Graph's failures share the
 * ApiFailure shape): throttling waits the service's hint; retry-later and renew-token (the client already
 * renewed once) back off; everything else is acted on by the caller, not retried. Thrown errors: network
 * trouble, timeouts and garbled answers are transient.
 */
export function apiRetryClass(failed: Failed<ApiFailure>): FailureClass {
  if (failed.thrown) return classifyThrown(failed.error);
  const f = failed.failure;
  if (f.throttled) return { kind: 'throttled', why: 'throttled', retryAfterMs: f.retryAfterMs };
  if (f.disposition === 'retry-later' || f.disposition === 'renew-token')
    return { kind: 'transient', why: f.error.message };
  return { kind: 'permanent', why: f.error.message };
}
