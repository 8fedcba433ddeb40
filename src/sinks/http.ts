/**
 * The HTTP transport every HTTP sink sends through, behind a small interface so it can be swapped in
 * this one place for the shared client of src/net (CA, keep-alive, timeouts) once that lands. This
 * implementation is node's https/http with a keep-alive agent per sink and the sink's --ca-file added
 * to the trusted roots (never TLS checks turned off). Errors come out classified (failure.ts).
 */
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
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

/** Largest answer read (a bulk answer for 5,000 items is well under this). */
const MAX_BODY = 32 * 1024 * 1024;

export function nodeHttpSender(options: { caPem: string | null; timeoutMs?: number }): HttpSender {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const ca = options.caPem ? [...rootCertificates, options.caPem] : undefined;
  const https = new HttpsAgent({ keepAlive: true, maxSockets: 4, ...(ca ? { ca } : {}) });
  const http = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  return {
    send: (req) =>
      new Promise<HttpResponse>((resolve, reject) => {
        const url = new URL(req.url);
        const secure = url.protocol === 'https:';
        const make = secure ? httpsRequest : httpRequest;
        const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
        const r = make(
          url,
          {
            method: req.method,
            agent: secure ? https : http,
            headers: { ...(req.headers ?? {}), ...(body ? { 'content-length': String(body.length) } : {}) },
            signal: req.signal,
            timeout: timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (c: Buffer) => {
              size += c.length;
              if (size <= MAX_BODY) chunks.push(c);
            });
            res.on('error', (e) => reject(classifyNetworkError(e)));
            res.on('aborted', () => reject(new SinkFailure('connect', 'the answer was cut off', { retryable: true })));
            res.on('end', () => {
              if (!res.complete)
                return reject(new SinkFailure('connect', 'the answer was cut off', { retryable: true }));
              const headers: Record<string, string | undefined> = {};
              for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
              resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
            });
          },
        );
        r.on('timeout', () =>
          r.destroy(new SinkFailure('timeout', `no answer within ${timeoutMs} ms`, { retryable: true })),
        );
        r.on('error', (e) => reject(classifyNetworkError(e)));
        r.end(body);
      }),
    close() {
      https.destroy();
      http.destroy();
    },
  };
}
