import { X509Certificate } from 'node:crypto';
import {
  ConfidentialClientApplication,
  type Configuration,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import type { Clock } from '../core/clock.js';
import { AppError, isAppError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { aadstsCode, explainAuthFailure } from './auth-errors.js';
import { originOf, sameOrigin } from '../net/origin.js';
import type { HttpClient } from '../net/types.js';
import type { ApiResource, CloudEndpoints, TokenProvider } from './types.js';

/** A client secret, or a certificate with its private key (PEM), as msal-node takes them. */
export type AppCredential =
  { kind: 'secret'; secret: string } | { kind: 'certificate'; certificatePem: string; privateKeyPem: string };

export interface TokenProviderOptions {
  tenantId: string;
  clientId: string;
  endpoints: CloudEndpoints;
  credential: AppCredential;
  /** Every msal request goes through this client, so the tenant's extra CA (--ca-file) is trusted. */
  http: HttpClient;
  clock: Clock;
  logger?: Logger;
  /** Renew this long before the token expires (default 5 min; the API guide suggests renewing at ~45 of 60 min). */
  renewBeforeMs?: number;
}

/**
 * msal's documented extension point (`system.networkClient`, ENVIRONMENT.md) on our HttpClient: the
 * one way to trust a per-tenant CA at run time (NODE_EXTRA_CA_CERTS only works at process start).
 *
 * Only the sign-in service's own origin (`login`: scheme, host, port) is called. msal posts the client secret (or
 * a signed assertion) to whatever `token_endpoint` the authority's metadata names and checks only its issuer, so a
 * metadata document naming another host (a proxy or base URL answering for the sign-in service) had the secret
 * sent there. Nothing is sent to another origin: REFUSED_URL, as net/bearer.ts does for API tokens.
 */
export function msalNetworkModule(
  http: HttpClient,
  login: string,
  onRefusal?: (status: number, text: string) => void,
  onFailure?: (error: unknown) => void,
): INetworkModule {
  const call = async <T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> => {
    let res;
    try {
      if (!sameOrigin(url, login))
        throw new AppError(
          'REFUSED_URL',
          `Refused to send the app's credential to ${originOf(url)}: only the sign-in service ${originOf(login)} receives it`,
          {
            hint: "The sign-in service's metadata named an endpoint on another host, port or scheme; nothing was sent there. If the base URL is wrong, fix it on the tenant",
            details: { origin: originOf(url), expected: originOf(login) },
          },
        );
      res = await http.request({
        method,
        url,
        ...(options?.headers ? { headers: options.headers } : {}),
        ...(options?.body !== undefined ? { body: options.body } : {}),
        ...(timeout ? { timeoutMs: timeout } : {}),
      });
    } catch (e) {
      // msal reports any failed metadata fetch as "endpoints_resolution_error"; keep the real cause
      // (an untrusted certificate, a wrong host name, nothing listening) so it can be named.
      onFailure?.(e);
      throw e;
    }
    const text = await res.text();
    // msal hides a refused metadata fetch (unknown tenant: AADSTS90002) behind "endpoints_resolution_error";
    // keep what the service said so the failure can be explained.
    if (res.status >= 400 && onRefusal) onRefusal(res.status, text);
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = {
        error: 'invalid_response',
        error_description: `The sign-in service answered ${res.status} with a body that is not JSON`,
      };
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = v;
    return { status: res.status, headers, body: body as T };
  };
  return {
    sendGetRequestAsync: (url, options, timeout) => call('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => call('POST', url, options),
  };
}

/** msal's certificate credential: the SHA-256 thumbprint (hex) of the certificate and its private key. */
export function certificateCredential(
  certificatePem: string,
  privateKeyPem: string,
): { thumbprintSha256: string; privateKey: string; x5c: string } {
  const cert = new X509Certificate(certificatePem);
  return {
    thumbprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    privateKey: privateKeyPem,
    x5c: certificatePem,
  };
}

/**
 * Client-credentials tokens per API resource, through @azure/msal-node. Tokens are cached here on the
 * injected clock and renewed `renewBeforeMs` before expiry; `forceRefresh` (a 401 from an API) skips the
 * cache once. Concurrent callers for one resource share a single request.
 */
export class MsalTokenProvider implements TokenProvider {
  private readonly app: ConfidentialClientApplication;
  private readonly cache = new Map<ApiResource, { token: string; expiresAt: number }>();
  private readonly inflight = new Map<ApiResource, Promise<string>>();
  private readonly logger: Logger;
  private lastRefusal: string | null = null;
  private lastFailure: unknown = null;

  constructor(private readonly options: TokenProviderOptions) {
    this.logger = (options.logger ?? silentLogger).child({ module: 'auth', tenant: options.tenantId });
    const host = new URL(options.endpoints.login).host;
    const config: Configuration = {
      auth: {
        clientId: options.clientId,
        authority: `${options.endpoints.login}/${options.tenantId}`,
        // A known authority is trusted as is: msal then never calls Microsoft's instance discovery,
        // which would reject an emulator or base-url host (ENVIRONMENT.md).
        knownAuthorities: [host],
        ...(options.credential.kind === 'secret'
          ? { clientSecret: options.credential.secret }
          : {
              clientCertificate: certificateCredential(
                options.credential.certificatePem,
                options.credential.privateKeyPem,
              ),
            }),
      },
      system: {
        networkClient: msalNetworkModule(
          options.http,
          options.endpoints.login,
          (_status, text) => (this.lastRefusal = text),
          (error) => (this.lastFailure = error),
        ),
      },
    };
    this.app = new ConfidentialClientApplication(config);
  }

  async token(resource: ApiResource, options: { forceRefresh?: boolean; signal?: AbortSignal } = {}): Promise<string> {
    const now = this.options.clock.now();
    const cached = this.cache.get(resource);
    if (!options.forceRefresh && cached && cached.expiresAt - (this.options.renewBeforeMs ?? 300_000) > now)
      return cached.token;
    const pending = this.inflight.get(resource);
    if (pending && !options.forceRefresh) return pending;
    const request = this.acquire(resource).finally(() => this.inflight.delete(resource));
    this.inflight.set(resource, request);
    return request;
  }

  private async acquire(resource: ApiResource): Promise<string> {
    const scope = this.options.endpoints.scopes[resource];
    this.lastRefusal = null;
    this.lastFailure = null;
    try {
      // skipCache: this class owns the cache, on the injected clock (msal's follows the system clock).
      const result = await this.app.acquireTokenByClientCredential({ scopes: [scope], skipCache: true });
      if (!result?.accessToken) throw new Error('the sign-in service returned no access token');
      const lifetime = result.expiresOn ? Math.max(0, result.expiresOn.getTime() - Date.now()) : 3_000_000;
      this.cache.set(resource, { token: result.accessToken, expiresAt: this.options.clock.now() + lifetime });
      this.logger.debug({ event: 'auth.token', resource, lifetimeMs: lifetime }, 'token acquired');
      return result.accessToken;
    } catch (e) {
      this.cache.delete(resource);
      const who = {
        tenantId: this.options.tenantId,
        clientId: this.options.clientId,
        login: this.options.endpoints.login,
      };
      const explained = explainAuthFailure(e, who);
      if (explained.code === 'NETWORK' && this.lastRefusal && aadstsCode(this.lastRefusal))
        throw explainAuthFailure(new Error(this.lastRefusal, { cause: e }), who);
      if (explained.code === 'NETWORK' && isAppError(this.lastFailure)) throw explainAuthFailure(this.lastFailure, who);
      throw explained;
    }
  }
}
