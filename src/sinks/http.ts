/**
 * The HTTP transport every HTTP sink sends through: the shared client of src/net (ADR 0016: the sink's
 * --ca-file trusted beside the system roots, never verification turned off; keep-alive; a whole-request
 * timeout), behind the small HttpSender interface drivers use. What differs for sinks is said here:
 * plain `http:` is allowed (a SIEM on a private network often has no TLS), bodies are read whole into a
 * Buffer (bounded), and a failure without an answer comes out as a classified SinkFailure (failure.ts).
 */
import { isAppError } from '../core/errors.js';
import { createHttpClient } from '../net/http.js';
import { classifyNetworkError, SinkFailure } from './failure.js';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'HEAD';
  url: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface HttpSender {
  /** Resolves with any status; rejects with a SinkFailure (dns, connect, tls, timeout) when no answer came. */
  send(request: HttpRequest): Promise<HttpResponse>;
  close(): void;
}

/** The whole-request timeout of every HTTP sink (drivers name it: it bounds their sends, see SinkDriver). */
export const SINK_HTTP_TIMEOUT_MS = 30_000;

/** Largest answer read (a bulk answer for 10,000 items is well under this). */
const MAX_BODY = 32 * 1024 * 1024;

export function nodeHttpSender(options: { caPem: string | null; timeoutMs?: number }): HttpSender {
  const client = createHttpClient({
    ca: options.caPem,
    timeoutMs: options.timeoutMs ?? SINK_HTTP_TIMEOUT_MS,
    maxSockets: 4,
    allowHttp: true,
  });
  return {
    async send(req) {
      try {
        const res = await client.request({
          method: req.method,
          url: req.url,
          headers: { accept: '*/*', ...req.headers },
          ...(req.body !== undefined ? { body: req.body } : {}),
          ...(req.signal ? { signal: req.signal } : {}),
        });
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          const c = chunk as Buffer;
          size += c.length;
          if (size <= MAX_BODY) chunks.push(c);
        }
        if (!res.body.readableEnded || (res.body as { complete?: boolean }).complete === false)
          throw new SinkFailure('connect', 'the answer was cut off', { retryable: true });
        return { status: res.status, headers: res.headers, body: Buffer.concat(chunks) };
      } catch (e) {
        if (req.signal?.aborted) throw e;
        throw sinkFailureOf(e);
      }
    },
    close: () => client.close(),
  };
}

/** net's named failures (NETWORK with a cause, TIMEOUT) as the sink failure stages `sink test` reports. */
function sinkFailureOf(e: unknown): SinkFailure {
  if (e instanceof SinkFailure) return e;
  if (!isAppError(e)) return classifyNetworkError(e);
  const cause = e.details?.cause;
  if (e.code === 'TIMEOUT') return new SinkFailure('timeout', e.message, { retryable: true, cause: e });
  if (e.code === 'REFUSED_URL') return new SinkFailure('config', e.message, { retryable: false, cause: e });
  if (typeof cause === 'string' && cause.startsWith('certificate-'))
    return new SinkFailure('tls', e.message, { retryable: false, cause: e });
  if (cause === 'dns') return new SinkFailure('dns', e.message, { retryable: true, cause: e });
  if (e.code === 'NETWORK' && cause === 'other' && e.cause !== undefined) {
    // A TLS failure net does not name (a handshake alert, a protocol mismatch) is still TLS.
    const inner = classifyNetworkError(e.cause);
    if (inner.stage === 'tls') return new SinkFailure('tls', e.message, { retryable: false, cause: e });
  }
  return new SinkFailure('connect', e.message, { retryable: true, cause: e });
}
