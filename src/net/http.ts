import { Agent, request as httpsRequest } from 'node:https';
import { Agent as PlainAgent, request as plainRequest, type IncomingMessage } from 'node:http';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { AppError } from '../core/errors.js';
import { networkError } from './failures.js';
import type { ClosableHttpClient, HttpRequest, HttpResponse } from './types.js';

/**
 * The one HTTPS client every outbound call goes through (Microsoft's APIs, sign-in, sinks). An extra CA
 * (the emulator's, or a proxy's) is trusted IN ADDITION to the system roots — that is how `--ca-file`
 * works; verification is never turned off. Keep-alive with a bounded socket pool, so many tenants in one process reuse connections without
 * opening hundreds; a whole-request timeout that also covers a stalled body; bodies are streams.
 */
export interface HttpClientOptions {
  /** Extra trusted CA certificate(s), PEM. */
  ca?: string | readonly string[] | null;
  /** Socket pool bound per host (default 16). */
  maxSockets?: number;
  /** Default whole-request timeout in ms (default 120 s). */
  timeoutMs?: number;
  userAgent?: string;
  /**
   * Also send plain `http:` (default false: refused). Only sinks ask for it, because a SIEM on a private
   * network often listens without TLS (Elasticsearch in a lab, a HEC behind a load balancer); Microsoft's
   * clients never do, so a token to Microsoft never leaves without TLS.
   */
  allowHttp?: boolean;
}

/** The whole-request timeout of a request that names none, when the client was created without one (ms). */
export const DEFAULT_TIMEOUT_MS = 120_000;

export function createHttpClient(options: HttpClientOptions = {}): ClosableHttpClient {
  const extra = options.ca == null ? [] : typeof options.ca === 'string' ? [options.ca] : [...options.ca];
  // One secure context, parsed once: passing `ca` per request would re-parse ~140 roots per connection
  // and make every request's pool key (Agent.getName) a string of all of them.
  const secureContext = extra.length ? createSecureContext({ ca: [...rootCertificates, ...extra] }) : undefined;
  const agent = new Agent({
    keepAlive: true,
    maxSockets: options.maxSockets ?? 16,
    maxFreeSockets: 8,
    ...(secureContext ? { secureContext } : {}),
  });
  const plain = options.allowHttp
    ? new PlainAgent({ keepAlive: true, maxSockets: options.maxSockets ?? 16, maxFreeSockets: 8 })
    : null;
  const defaults = {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    userAgent: options.userAgent ?? 'tenantwatch/0.1',
  };
  return {
    request: (req) => send({ agent, plain, secureContext }, defaults, req),
    close: () => {
      agent.destroy();
      plain?.destroy();
    },
  };
}

interface Agents {
  agent: Agent;
  /** The plain-http pool, when the client was created with allowHttp. */
  plain: PlainAgent | null;
  secureContext: SecureContext | undefined;
}

function send(
  { agent, plain, secureContext }: Agents,
  defaults: { timeoutMs: number; userAgent: string },
  req: HttpRequest,
): Promise<HttpResponse> {
  const url = new URL(req.url);
  const secure = url.protocol === 'https:';
  if (!secure && !(plain && url.protocol === 'http:')) {
    return Promise.reject(
      new AppError('REFUSED_URL', `Refused to call ${url.origin}: only https is used`, {
        hint: 'Give an https:// base URL',
      }),
    );
  }
  const controller = new AbortController();
  const timeoutMs = req.timeoutMs ?? defaults.timeoutMs;
  const timer = setTimeout(
    () =>
      controller.abort(
        new AppError('TIMEOUT', `${req.method} ${url.origin}${url.pathname} took longer than ${timeoutMs} ms`, {
          hint: 'The service is slow or unreachable; check the network, or run it again later',
        }),
      ),
    timeoutMs,
  );
  const onOuterAbort = (): void => controller.abort(req.signal?.reason);
  if (req.signal?.aborted) onOuterAbort();
  else req.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const done = (): void => {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onOuterAbort);
  };
  const headers: Record<string, string> = {
    'user-agent': defaults.userAgent,
    accept: 'application/json',
    ...req.headers,
  };
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
  return new Promise<HttpResponse>((resolve, reject) => {
    const options = secure
      ? { method: req.method, headers, agent, signal: controller.signal, ...(secureContext ? { secureContext } : {}) }
      : { method: req.method, headers, agent: plain ?? undefined, signal: controller.signal };
    const r = (secure ? httpsRequest : plainRequest)(url, options, (res) => {
      res.once('end', done);
      res.once('close', done);
      res.once('error', done);
      resolve(wrap(res, controller.signal, url));
    });
    r.on('error', (e) => {
      done();
      reject(networkError(e, controller.signal, url));
    });
    r.end(req.body);
  });
}

function wrap(res: IncomingMessage, signal: AbortSignal, url: URL): HttpResponse {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  const text = async (): Promise<string> => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of res) chunks.push(chunk as Buffer);
    } catch (e) {
      throw networkError(e, signal, url);
    }
    return Buffer.concat(chunks).toString('utf8');
  };
  return {
    status: res.statusCode ?? 0,
    headers,
    body: res,
    text,
    async json() {
      const body = await text();
      try {
        return JSON.parse(body) as unknown;
      } catch {
        throw new AppError('UPSTREAM', `The service answered ${res.statusCode} with a body that is not JSON`, {
          details: { start: body.slice(0, 200) },
          hint: 'If it persists, the service or a proxy in between is misbehaving; check the base URL and any proxy',
        });
      }
    },
  };
}
