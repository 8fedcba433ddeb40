import { AppError } from '../core/errors.js';
import { retryAfterMs, type Failed, type FailureClass } from '../net/retry.js';
import type { HttpResponse } from '../net/types.js';

/**
 * The Exchange Online admin endpoint's failures (spec §5.3): its error envelope parsed, a table of what is
 * worth retrying (the generic retry classes), and the person-facing error for each kind of refusal.
 */

/** Exchange's own failure, parsed from its error envelope. */
export interface ExchangeFailure {
  status: number;
  code: string | null;
  exceptionType: string | null;
  text: string;
  /** Retry-After, when the answer had one. */
  retryAfterMs: number | null;
}

/**
 * A gateway's answer in front of Exchange: 502 (its upstream failed) or 504 (its wait for Exchange ran out), in its
 * own words, not Exchange's error envelope. The cmdlet may have run behind it, so for a Set-* such an answer says
 * nothing about the change (posture/apply.ts: unconfirmed). The AppError of a failure after one carries
 * `details.gatewayStatus`.
 */
export function isGatewayAnswer(f: ExchangeFailure): boolean {
  return (f.status === 502 || f.status === 504) && f.code === null && f.exceptionType === null;
}

const DEHYDRATED = /Enable-OrganizationCustomization|InvalidOperationInDehydratedContext/i;
const CONCURRENCY = /maximum number of concurrent requests/i;

/**
 * 408, 429, 5xx and the plain-text "maximum number of concurrent requests" reply are transient (Retry-After
 * honoured); everything else is final. A thrown error (network, timeout, a body that is not JSON) is final
 * too: posture runs are interactive, and a failure is reported at once rather than retried for minutes.
 */
export function exchangeRetryClass(failed: Failed<ExchangeFailure>): FailureClass {
  if (failed.thrown)
    return { kind: 'permanent', why: failed.error instanceof Error ? failed.error.message : String(failed.error) };
  const f = failed.failure;
  const why = `HTTP ${f.status}${f.text ? `: ${f.text.slice(0, 200)}` : ''}`;
  if ([408, 429].includes(f.status) || f.status >= 500 || CONCURRENCY.test(f.text))
    return { kind: 'transient', why, retryAfterMs: f.retryAfterMs };
  return { kind: 'permanent', why };
}

export async function readFailure(response: HttpResponse): Promise<ExchangeFailure> {
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
  const retryAfter = retryAfterMs(response.headers);
  return { status: response.status, code, exceptionType, text: message.slice(0, 2000), retryAfterMs: retryAfter };
}

/**
 * Turns Exchange's failure into an AppError that says what to do. `gatewayStatus`: a gateway's 502/504 answered one
 * of the attempts (the cmdlet may have run behind it), kept in the details whatever the last answer was.
 */
export function failureToError(
  cmdlet: string,
  failure: ExchangeFailure,
  gatewayStatus: number | null = null,
): AppError {
  const details = {
    cmdlet,
    status: failure.status,
    code: failure.code,
    exceptionType: failure.exceptionType,
    ...(gatewayStatus !== null ? { gatewayStatus } : {}),
  };
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
  if (isGatewayAnswer(failure)) {
    return new AppError(
      'UPSTREAM',
      `A gateway in front of Exchange Online answered ${cmdlet} with HTTP ${failure.status} (${failure.status === 504 ? 'its wait for Exchange ran out' : 'Exchange could not be reached'}), not Exchange itself`,
      {
        hint: 'Exchange may or may not have run it: check the result (audit-config check for a Set-*), then run the command again later if needed',
        details,
      },
    );
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
