import { AppError } from '../core/errors.js';
import { originOf, sameOrigin } from './origin.js';
import type { HttpClient, HttpRequest, HttpResponse } from './types.js';

/**
 * Requests that carry a bearer token for ONE service. Services hand back URLs to follow (next links,
 * content URIs), and a token is a key to the tenant (Exchange.ManageAsApp changes audit settings): so
 * every URL is checked against the service's origin (scheme, host, port, no user info) BEFORE a token is
 * even fetched, and the check lives here, in the only code that writes an Authorization header, not in
 * each client. A 401 renews the token once and repeats (as Beats' o365audit input does).
 */
export interface BearerOptions {
  http: HttpClient;
  /** The service's base URL: only its origin receives the token. */
  base: string;
  /** Names the service in messages, e.g. "the Management Activity API". */
  service: string;
  token(options: { forceRefresh: boolean; signal?: AbortSignal }): Promise<string>;
}

export class BearerClient {
  constructor(private readonly options: BearerOptions) {}

  get base(): string {
    return this.options.base;
  }

  /** Whether the token may be sent to `url`. */
  accepts(url: string): boolean {
    return sameOrigin(url, this.options.base);
  }

  /** Sends `request` with the token; REFUSED_URL (nothing sent, no token fetched) for a foreign URL. */
  async request(request: HttpRequest): Promise<HttpResponse> {
    if (!this.accepts(request.url))
      throw new AppError(
        'REFUSED_URL',
        `Refused to send the token for ${this.options.service} to ${originOf(request.url)}: only ${originOf(this.options.base)} receives it`,
        {
          hint: 'The service named a URL on another host, port or scheme; nothing was sent there. If the base URL is wrong, fix it on the tenant',
          details: { origin: originOf(request.url), expected: originOf(this.options.base) },
        },
      );
    const first = await this.send(request, false);
    if (first.status !== 401) return first;
    first.body.resume();
    return this.send(request, true);
  }

  private async send(request: HttpRequest, forceRefresh: boolean): Promise<HttpResponse> {
    const token = await this.options.token({ forceRefresh, ...(request.signal ? { signal: request.signal } : {}) });
    return this.options.http.request({
      ...request,
      headers: { ...request.headers, authorization: `Bearer ${token}` },
    });
  }
}

/**
 * The Authorization header for a sender that has its own HTTP client (a sink): the same origin check as
 * BearerClient, so this file stays the only one that writes a bearer token.
 */
export function bearerHeader(token: string, url: string, base: string, service: string): { authorization: string } {
  if (!sameOrigin(url, base))
    throw new AppError('REFUSED_URL', `Refused to send the token for ${service} to ${originOf(url)}`, {
      hint: `Only ${originOf(base)} receives it`,
    });
  return { authorization: `Bearer ${token}` };
}
