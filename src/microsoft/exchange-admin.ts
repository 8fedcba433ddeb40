import { randomUUID } from 'node:crypto';
import { AppError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { silentLogger } from '../core/log.js';
import type { HttpResponse, TenantConnection } from './types.js';

/**
 * Client of the Exchange Online admin REST endpoint (`/adminapi/beta/{tenant}/InvokeCommand`), the
 * interface ExchangeOnlineManagement v3 uses internally (spec §5, reverse-engineered). Used to read and
 * change audit settings the way the PowerShell in the field does.
 *
 * Behaviours handled (spec §5.2–5.3, checklist 35–44):
 * - paging: `@odata.nextLink` is followed with another POST carrying the same body;
 * - `@adminapi.warnings` are returned (Set-* cmdlets often answer with warnings only);
 * - 429 with Retry-After, 503/504/408 and the plain-text "maximum number of concurrent requests" reply are
 *   retried with capped backoff (bounded attempts), waiting on the injected clock;
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

/** Exchange's own failure, parsed from its error envelope. */
export interface ExchangeFailure {
  status: number;
  code: string | null;
  exceptionType: string | null;
  text: string;
}

const APP_ANCHOR = 'SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}';
const DEHYDRATED = /Enable-OrganizationCustomization|InvalidOperationInDehydratedContext/i;
const CONCURRENCY = /maximum number of concurrent requests/i;

export class ExchangeAdminClient {
  private readonly logger: Logger;
  private readonly connectionId = randomUUID();

  constructor(
    private readonly connection: TenantConnection,
    private readonly options: ExchangeAdminOptions,
  ) {
    this.logger = (options.logger ?? silentLogger).child({ module: 'exchange-admin', tenantId: connection.tenantId });
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
    }
    return result;
  }

  private async post(
    url: string,
    cmdlet: string,
    body: string,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      const token = await this.connection.tokens.token('exchange', { forceRefresh: renewed && attempt > 1, signal });
      const response = await this.connection.http.request({
        method: 'POST',
        url,
        body,
        signal,
        timeoutMs: 120_000,
        headers: {
          authorization: `Bearer ${token}`,
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
      if (response.status === 200) return parseBody(await response.text(), cmdlet);
      if (response.status === 204) return {};
      const failure = await readFailure(response);
      if (response.status === 401 && !renewed) {
        renewed = true;
        continue;
      }
      const wait = retryWait(response, failure, attempt, this.options.maxWaitMs ?? 60_000);
      if (wait !== null && attempt < maxAttempts) {
        this.logger.warn(
          { event: 'exchange.retry', cmdlet, status: response.status, attempt, waitMs: wait },
          'Exchange admin request will be retried',
        );
        await this.options.clock.sleep(wait, signal);
        continue;
      }
      throw failureToError(cmdlet, failure);
    }
  }
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

async function readFailure(response: HttpResponse): Promise<ExchangeFailure> {
  const text = await response.text().catch(() => '');
  let code: string | null = null;
  let exceptionType: string | null = response.headers['x-exceptiontype'] ?? null;
  let message = text.trim();
  try {
    const json = JSON.parse(text) as { error?: { code?: string; message?: string; details?: { message?: string }[] } };
    if (json.error) {
      message = json.error.message ?? message;
      code = json.error.code ?? null;
      const detail = json.error.details?.[0]?.message;
      if (detail) {
        const parts = detail.split('|');
        if (parts.length >= 3) {
          code = parts[0] || code;
          exceptionType = parts[1] || exceptionType;
          message = parts.slice(2).join('|');
        } else message = detail;
      }
    }
  } catch {
    // a plain-text body (spec §5.3): keep it as the message
  }
  return { status: response.status, code, exceptionType, text: message.slice(0, 2000) };
}

function retryWait(response: HttpResponse, failure: ExchangeFailure, attempt: number, cap: number): number | null {
  const retryable =
    [408, 429, 503, 504].includes(response.status) || CONCURRENCY.test(failure.text) || response.status >= 500;
  if (!retryable) return null;
  const retryAfter = Number(response.headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return Math.min(cap, retryAfter * 1000);
  return Math.min(cap, 1000 * 2 ** (attempt - 1));
}

/** Turns Exchange's failure into an AppError that says what to do. */
export function failureToError(cmdlet: string, failure: ExchangeFailure): AppError {
  const details = { cmdlet, status: failure.status, code: failure.code, exceptionType: failure.exceptionType };
  if (DEHYDRATED.test(failure.text) || DEHYDRATED.test(failure.exceptionType ?? '')) {
    return new AppError('CONFLICT', `${cmdlet} is not allowed while the tenant is dehydrated`, {
      hint: 'Run Enable-OrganizationCustomization first (tenantwatch audit-config enable does this for you); it can take a while to take effect',
      details: { ...details, dehydrated: true },
    });
  }
  if (failure.status === 401 || failure.status === 403) {
    return new AppError(
      'PERMISSION_MISSING',
      `Exchange Online refused ${cmdlet} (HTTP ${failure.status}): ${failure.text || 'no reason given'}`,
      {
        hint: "Grant the app the 'Exchange.ManageAsApp' application permission (Office 365 Exchange Online API) with admin consent, and assign its service principal a role such as Exchange Administrator (or Global Reader / Security Reader for checks only)",
        details,
      },
    );
  }
  if (failure.status === 429 || CONCURRENCY.test(failure.text)) {
    return new AppError('THROTTLED', `Exchange Online kept throttling ${cmdlet}`, {
      hint: 'Wait a few minutes and run the command again',
      details,
    });
  }
  return new AppError(
    'UPSTREAM',
    `Exchange Online failed ${cmdlet} (HTTP ${failure.status}): ${failure.text || 'no reason given'}`,
    {
      hint:
        failure.status >= 500
          ? 'This is usually temporary; run the command again later'
          : 'Check the parameters and the tenant',
      details,
    },
  );
}
