import { randomUUID } from 'node:crypto';
import { AppError, toAppError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { silentLogger } from '../core/log.js';
import type { BearerClient } from '../net/bearer.js';
import { RetryPolicy, runWithRetry, type Outcome } from '../net/retry.js';
import {
  exchangeRetryClass,
  failureToError,
  isGatewayAnswer,
  readFailure,
  type ExchangeFailure,
} from './exchange-errors.js';
import { bearerFor } from './session.js';
import type { TenantConnection } from './types.js';

/**
 * Client of the Exchange Online admin REST endpoint (`/adminapi/beta/{tenant}/InvokeCommand`), the
 * interface ExchangeOnlineManagement v3 uses internally (spec §5, reverse-engineered). Used to read and
 * change audit settings the way the PowerShell in the field does.
 *
 * Behaviours handled (spec §5.2–5.3, checklist 35–44):
 * - paging: `@odata.nextLink` is followed with another POST carrying the same body — only on the tenant's
 *   Exchange host: the bearer client refuses any other host, port or scheme before the token is attached;
 *   a nextLink naming a page already read (a looping endpoint) fails at once instead of being followed;
 * - `@adminapi.warnings` are returned (Set-* cmdlets often answer with warnings only);
 * - 429 with Retry-After, 503/504/408 and the plain-text "maximum number of concurrent requests" reply are
 *   retried with capped backoff (bounded attempts, no jitter), waiting on the injected clock (net/retry,
 *   classified by exchange-errors);
 * - a gateway's 502/504 (retried as a 5xx) is named in the final error (`details.gatewayStatus`): the cmdlet may
 *   have run behind it, which a Set-* caller must not report as failed;
 * - 401 renews the token once; 403 is a missing permission (Exchange.ManageAsApp + a directory role);
 * - errors carry `details[].message` as "code|exception type|text"; the dehydrated-tenant error is recognised.
 */
export interface InvokeResult<T> {
  value: T[];
  warnings: string[];
}

export interface ExchangeAdminOptions {
  clock: Clock;
  logger?: Logger;
  /** Attempts per request for retryable failures (default 5). */
  maxAttempts?: number;
  /** Cap for one wait between attempts (default 60 s). */
  maxWaitMs?: number;
  /** Page size asked for with `Prefer: odata.maxpagesize` (default 1000, the endpoint's maximum). */
  pageSize?: number;
}

const APP_ANCHOR = 'SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}';

export class ExchangeAdminClient {
  private readonly logger: Logger;
  private readonly connectionId = randomUUID();
  private readonly bearer: BearerClient;
  private readonly retry: RetryPolicy<ExchangeFailure>;

  constructor(
    private readonly connection: TenantConnection,
    private readonly options: ExchangeAdminOptions,
  ) {
    this.logger = (options.logger ?? silentLogger).child({ module: 'exchange-admin', tenantId: connection.tenantId });
    this.bearer = bearerFor(connection, 'exchange');
    const maxWaitMs = options.maxWaitMs ?? 60_000;
    this.retry = new RetryPolicy(exchangeRetryClass, {
      maxAttempts: options.maxAttempts ?? 5,
      baseMs: 1_000,
      capMs: maxWaitMs,
      maxRetryAfterMs: maxWaitMs,
      jitter: 0,
    });
  }

  /** Runs one cmdlet and returns every page of its output. */
  async invoke<T = Record<string, unknown>>(
    cmdlet: string,
    parameters: Record<string, unknown> = {},
    signal?: AbortSignal,
  ): Promise<InvokeResult<T>> {
    const body = JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } });
    let url: string | null =
      `${this.connection.endpoints.exchange}/adminapi/beta/${this.connection.tenantId}/InvokeCommand`;
    const result: InvokeResult<T> = { value: [], warnings: [] };
    // The nextLinks followed so far: one named again means the endpoint loops, and following it would
    // only stop at the page bound below, thousands of requests later (as Management NextPageUri and Graph).
    const followed = new Set<string>();
    for (let page = 0; url; page++) {
      if (page > 10_000)
        throw new AppError('UPSTREAM', `${cmdlet} kept returning more pages (over 10,000)`, {
          hint: 'Report this as a bug; the server appears to loop',
        });
      const json = await this.post(url, cmdlet, body, signal);
      const value = json.value;
      if (Array.isArray(value)) result.value.push(...(value.map(stripAnnotations) as T[]));
      const warnings = json['@adminapi.warnings'];
      if (Array.isArray(warnings)) result.warnings.push(...warnings.map(String));
      const next = json['@odata.nextLink'];
      url = typeof next === 'string' && next ? next : null;
      if (url !== null && followed.has(url)) throw nextLinkLoop(cmdlet, page + 1);
      if (url !== null) followed.add(url);
    }
    return result;
  }

  /** One page under the retry policy; a final failure becomes the AppError that says what to do. */
  private async post(
    url: string,
    cmdlet: string,
    body: string,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    // A gateway's 502/504 to any attempt: the cmdlet may have run behind it, whatever the later attempts answer.
    let gatewayStatus: number | null = null;
    const result = await runWithRetry(
      async () => {
        const outcome = await this.send(url, cmdlet, body, signal);
        if (!outcome.ok && isGatewayAnswer(outcome.failure)) gatewayStatus = outcome.failure.status;
        return outcome;
      },
      this.retry,
      this.options.clock,
      signal,
      {
        onRetry: (d, failed, attempt) =>
          this.logger.warn(
            {
              event: 'exchange.retry',
              cmdlet,
              status: failed.thrown ? 0 : failed.failure.status,
              attempt,
              waitMs: d.delayMs,
            },
            'Exchange admin request will be retried',
          ),
      },
    );
    if (result.ok) return result.value;
    if (result.failed.thrown) throw withGatewayStatus(result.failed.error, gatewayStatus);
    throw failureToError(cmdlet, result.failed.failure, gatewayStatus);
  }

  private async send(
    url: string,
    cmdlet: string,
    body: string,
    signal?: AbortSignal,
  ): Promise<Outcome<Record<string, unknown>, ExchangeFailure>> {
    const response = await this.bearer.request({
      method: 'POST',
      url,
      body,
      ...(signal ? { signal } : {}),
      timeoutMs: 120_000,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        accept: 'application/json',
        'x-anchormailbox': `APP:${APP_ANCHOR}@${this.connection.tenantId}`,
        prefer: `odata.maxpagesize=${this.options.pageSize ?? 1000}`,
        'x-cmdletname': cmdlet,
        'x-clientapplication': 'tenantwatch',
        'connection-id': this.connectionId,
        'client-request-id': randomUUID(),
      },
    });
    if (response.status === 200) return { ok: true, value: parseBody(await response.text(), cmdlet) };
    if (response.status === 204) return { ok: true, value: {} };
    return { ok: false, failure: await readFailure(response) };
  }
}

function nextLinkLoop(cmdlet: string, pages: number): AppError {
  return new AppError(
    'UPSTREAM',
    `Exchange Online looped while paging ${cmdlet}: after ${pages} page${pages === 1 ? '' : 's'} its @odata.nextLink named a page already read`,
    { hint: 'Run the command again later; if this keeps happening, report it to Microsoft support with the time' },
  );
}

function parseBody(text: string, cmdlet: string): Record<string, unknown> {
  if (!text.trim()) return {};
  try {
    const json: unknown = JSON.parse(text);
    if (json && typeof json === 'object' && !Array.isArray(json)) return json as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AppError('UPSTREAM', `Exchange Online answered ${cmdlet} with something that is not a JSON object`, {
    hint: 'Check that --base-url points at the Exchange Online admin endpoint',
    details: { start: text.slice(0, 200) },
  });
}

/** OData annotations (`Prop@odata.type`) are noise for callers (ExoHelper strips them too). */
function stripAnnotations(item: unknown): unknown {
  if (!item || typeof item !== 'object') return item;
  return Object.fromEntries(Object.entries(item as Record<string, unknown>).filter(([k]) => !k.includes('@')));
}

/**
 * A request that ended thrown (a refused connection, say) after a gateway's 502/504 to an earlier attempt: the
 * cmdlet may have run behind that gateway, so the error carries `details.gatewayStatus` as failureToError's do.
 */
function withGatewayStatus(error: unknown, gatewayStatus: number | null): unknown {
  if (gatewayStatus === null) return error;
  const e = toAppError(error);
  return new AppError(e.code, e.message, {
    ...(e.hint === undefined ? {} : { hint: e.hint }),
    details: { ...e.details, gatewayStatus },
    cause: error,
  });
}
