import { terminalText } from '../core/terminal.js';
import { originOf } from '../net/origin.js';
/**
 * How a receiver's answer (or the lack of one) is classified, in one place for every sink: the stage
 * that failed (what `sink test` names: DNS, TLS, auth, rejected payload...) and whether sending the same
 * thing again can succeed. The forwarder acts on the class, never on a sink's raw answer.
 */

export type FailureStage =
  | 'dns'
  | 'connect'
  | 'tls'
  | 'timeout'
  | 'auth'
  | 'throttled'
  | 'server'
  /** The receiver refused the content: for good (a bad record) — bisected down to the record, dead-lettered. */
  | 'payload'
  /** The request was too large: split, and a single record that is still too large is dead-lettered. */
  | 'too-large'
  /** An answer that is not the receiver's protocol (a proxy's or captive portal's page): never counted as delivered. */
  | 'protocol'
  | 'config';

export const STAGE_LABEL: Record<FailureStage, string> = {
  dns: 'DNS: the host name does not resolve',
  connect: 'connection refused or cut',
  tls: 'TLS: the certificate is not trusted or does not match',
  timeout: 'no answer in time',
  auth: 'authentication refused (token or secret)',
  throttled: 'throttled by the receiver',
  server: 'the receiver failed (5xx)',
  payload: 'payload rejected by the receiver',
  'too-large': 'request too large for the receiver',
  protocol: "the answer is not the receiver's protocol",
  config: 'sink configuration',
};

/**
 * A failed send, classified. Senders build the message from the status and an excerpt of the answer, which can quote
 * what was sent to it (a proxy's 404 quotes a webhook's secret path): it is scrubbed before it is stored or leaves the
 * sink (lastErrorText, dead letters, the sink's redacting logger, the alert channel's throw).
 */
export class SinkFailure extends Error {
  constructor(
    readonly stage: FailureStage,
    message: string,
    readonly options: { retryable: boolean; retryAfterMs?: number; status?: number; cause?: unknown } = {
      retryable: false,
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SinkFailure';
  }

  get retryable(): boolean {
    return this.options.retryable;
  }

  /** True when the content is at fault (bisect and dead-letter), not the receiver or the connection. */
  get aboutContent(): boolean {
    return this.stage === 'payload' || this.stage === 'too-large';
  }
}

/** Retry-After in seconds or as an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * A short, printable excerpt of an answer's body for messages ("internal boom", the start of a proxy's
 * HTML page): control characters and runs of white space become one space, at most `max` characters,
 * `empty body` when there is nothing. Callers still pass it through the sink's secret scrub.
 */
export function bodyExcerpt(body: Buffer | string, max = 120): string {
  const text = terminalText(typeof body === 'string' ? body : body.subarray(0, 4 * max).toString('utf8'))
    .replace(/[\ufffd\s]+/g, ' ')
    .trim();
  if (!text) return 'empty body';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The class of an HTTP answer that is not a success. 408/429 and 5xx are worth retrying (after
 * Retry-After when given); 401/403 are the credential; 413 is size; a redirect (never followed: the
 * credential goes to the sink's own URL only) and 404/405/410 (no such endpoint, rule or stream) are the
 * sink's URL or options — no record is at fault, so none may become a dead letter; any other 4xx is the
 * content. `location` is the answer's Location header: only its origin is quoted (its path may hold a key).
 */
export function classifyStatus(status: number, detail: string, retryAfterMs?: number, location?: string): SinkFailure {
  const text = `${status} ${detail}`.trim().slice(0, 500);
  if (status === 429 || status === 408)
    return new SinkFailure('throttled', text, { retryable: true, status, retryAfterMs });
  if (status === 401 || status === 403) return new SinkFailure('auth', text, { retryable: false, status });
  if (status === 413) return new SinkFailure('too-large', text, { retryable: false, status });
  if (status >= 300 && status < 400) {
    const to = location ? ` to ${originOf(location)}` : '';
    return new SinkFailure(
      'config',
      `${text}: the receiver redirects${to}, and a sink does not follow redirects (its credential goes only to its own URL); give the sink the URL it should send to`,
      { retryable: false, status },
    );
  }
  if (status === 404 || status === 405 || status === 410)
    return new SinkFailure(
      'config',
      `${text}: the receiver has no such endpoint; check the sink's URL and its options (rule, stream, index), then run tenantwatch sink test`,
      { retryable: false, status },
    );
  if (status >= 500) return new SinkFailure('server', text, { retryable: true, status, retryAfterMs });
  return new SinkFailure('payload', text, { retryable: false, status });
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO|SSL/;

/** A failure as `sink status` shows it as the last error: its stage and message, secrets scrubbed, at most 500 characters. */
export function lastErrorText(failure: SinkFailure, scrub: (text: string) => string = (t) => t): string {
  return scrub(`${failure.stage}: ${failure.message}`).slice(0, 500);
}

/** The class of a network error thrown by node (code on the error or on its cause). */
export function classifyNetworkError(error: unknown): SinkFailure {
  if (error instanceof SinkFailure) return error;
  const e = error as {
    code?: string;
    message?: string;
    name?: string;
    hostname?: string;
    cause?: { code?: string; message?: string; hostname?: string };
  };
  const given = e.code ?? e.cause?.code ?? '';
  // nodemailer replaces a failed lookup's code with its own EDNS and keeps getaddrinfo's "ENOTFOUND host" message.
  const lookup = given === 'EDNS' ? /\b(ENOTFOUND|EAI_AGAIN)(?: (\S+))?/.exec(e.message ?? '') : null;
  const code = lookup ? lookup[1]! : given;
  const message = `${code ? code + ': ' : ''}${e.cause?.message ?? e.message ?? String(error)}`.slice(0, 300);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    // Said as the HTTP client says it (net/failures.ts), whichever sink type met it (syslog's sockets too).
    const host = e.hostname ?? e.cause?.hostname ?? lookup?.[2];
    const said = host
      ? `The host name ${host} could not be resolved (${code}${code === 'EAI_AGAIN' ? ': the DNS server did not answer' : ''})`
      : message;
    return new SinkFailure('dns', said, { retryable: true, cause: error });
  }
  if (TLS_CODES.test(code) || /certificate|self.signed|tls/i.test(message))
    return new SinkFailure('tls', message, { retryable: false, cause: error });
  if (code === 'ETIMEDOUT' || e.name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT')
    return new SinkFailure('timeout', message, { retryable: true, cause: error });
  return new SinkFailure('connect', message, { retryable: true, cause: error });
}
