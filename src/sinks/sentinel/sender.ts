/**
 * The Logs Ingestion driver: an Entra token for https://monitor.azure.com through msal-node's client
 * credentials (cached until shortly before expiry, on the injected clock), rows packed into calls of at
 * most 1 MB, gzip, 204 = stored; 413 splits, 429 waits for Retry-After, 401/403 are the app.
 */
import {
  ConfidentialClientApplication,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { bearerHeader } from '../../net/bearer.js';
import { originOf, sameOrigin } from '../../net/origin.js';
import type { Item } from '../alert.js';
import { gzip } from '../compress.js';
import { TEST_EVENT_MARK, type DriverContext, type SendResult, type SinkDriver } from '../driver.js';
import { bodyExcerpt, classifyStatus, parseRetryAfter, SinkFailure } from '../failure.js';
import { SINK_HTTP_TIMEOUT_MS, type HttpSender } from '../http.js';
import { needSecret } from '../options.js';
import { sentinelConfig } from './config.js';
import { pack, row } from './encoder.js';

export function sentinelDriver(ctx: DriverContext): SinkDriver {
  const config = sentinelConfig(ctx.row);
  const http = ctx.http({ caPem: ctx.caPem, timeoutMs: SINK_HTTP_TIMEOUT_MS });
  /** Requests to the sign-in service that got no answer, during one token request (msal words them as its own error). */
  const unanswered: SinkFailure[] = [];
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: config.clientId,
      authority: `${config.login}/${config.tenantId}`,
      knownAuthorities: [new URL(config.login).host],
      clientSecret: needSecret(ctx.secret, ctx.row.name, 'client secret'),
    },
    system: { networkClient: msalNetwork(http, config.login, (f) => unanswered.push(f)) },
  });
  let cached: { token: string; until: number } | null = null;

  async function token(): Promise<string> {
    if (cached && cached.until > ctx.clock.now()) return cached.token;
    let result;
    unanswered.length = 0;
    try {
      result = await app.acquireTokenByClientCredential({ scopes: [config.scope], skipCache: true });
    } catch (e) {
      // A request msalNetwork refused to send (the client secret to another origin) is said as such, never retried.
      const refused = unanswered.find((f) => f.stage === 'config');
      if (refused) throw refused;
      // No answer is no refusal: DNS, a refused connection or a timeout stays what it is (and is retried).
      const unreachable = unanswered.at(-1);
      if (unreachable)
        throw new SinkFailure(
          unreachable.stage,
          `the sign-in service ${config.login} could not be reached: ${unreachable.message}`,
          { ...unreachable.options, cause: e },
        );
      const text = (e as { errorMessage?: string; message?: string }).errorMessage ?? (e as Error).message;
      throw new SinkFailure('auth', `Entra refused the token for ${config.scope}: ${text.split('\n')[0]}`, {
        retryable: false,
        cause: e,
      });
    }
    if (!result?.accessToken) throw new SinkFailure('auth', 'Entra returned no access token', { retryable: false });
    const life = result.expiresOn ? result.expiresOn.getTime() - Date.now() : 3_000_000;
    cached = { token: result.accessToken, until: ctx.clock.now() + Math.max(0, life - 300_000) };
    return result.accessToken;
  }

  async function call(rows: readonly string[], signal: AbortSignal): Promise<void> {
    const res = await http.send({
      method: 'POST',
      url: config.ingestUrl,
      headers: {
        ...bearerHeader(await token(), config.ingestUrl, config.ingestUrl, 'the Logs Ingestion API'),
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: await gzip(`[${rows.join(',')}]`),
      signal,
    });
    // 204 is the API's only success answer; another 2xx came from something else (a proxy's page).
    if (res.status === 204) return;
    if (res.status >= 200 && res.status < 300)
      throw new SinkFailure('protocol', `${res.status} not the Logs Ingestion answer (204): ${bodyExcerpt(res.body)}`, {
        retryable: true,
        status: res.status,
      });
    if (res.status === 401) cached = null;
    throw classifyStatus(
      res.status,
      bodyExcerpt(res.body, 300),
      parseRetryAfter(res.headers['retry-after'], ctx.clock.now()),
      res.headers.location,
    );
  }

  return {
    maxBatch: 2_000,
    idempotent: false,
    // A token first (msal asks the sign-in service through the same client: instance discovery, the authority's
    // metadata and the token, at most three requests), then one call for an alert's one row.
    longestAttemptMs: 4 * SINK_HTTP_TIMEOUT_MS,
    async send(items: readonly Item[], signal): Promise<SendResult> {
      const rows = items.map(row);
      const { calls, tooLarge } = pack(rows, config.maxBytes);
      for (const [k, group] of calls.entries()) {
        try {
          await call(
            group.map((i) => rows[i]!),
            signal,
          );
        } catch (e) {
          // The calls before this one are stored: only the rest is asked for again.
          if (k === 0 || !(e instanceof SinkFailure) || !e.retryable) throw e;
          const rest = calls.slice(k).flat();
          return {
            rejected: tooLarge.map((index) => ({ index, reason: `row larger than ${config.maxBytes} bytes` })),
            retry: rest.map((index) => ({ index, reason: e.message })),
            retryAfterMs: e.options.retryAfterMs,
          };
        }
      }
      return {
        rejected: tooLarge.map((index) => ({
          index,
          reason: `row larger than ${config.maxBytes} bytes, the most one call takes`,
        })),
        retry: [],
      };
    },
    async test(signal) {
      await call(
        [JSON.stringify({ TimeGenerated: new Date(ctx.clock.now()).toISOString(), Operation: TEST_EVENT_MARK })],
        signal,
      );
      return `Logs Ingestion stored a test row (Operation ${TEST_EVENT_MARK})`;
    },
    close: async () => http.close(),
  };
}

/**
 * msal's documented networkClient extension, on the sink's HTTP sender (so --ca-file is trusted). A request
 * that got no answer is told to `unreachable` before msal wraps it in an error of its own.
 *
 * Only the sign-in service's origin (`login`) is called: msal posts the client secret to whatever `token_endpoint`
 * the authority's metadata names (it checks only the issuer), so a metadata document naming another host had the
 * secret sent there. Such a request is not sent; it is told to `unreachable` as a configuration failure.
 */
function msalNetwork(http: HttpSender, login: string, unreachable: (failure: SinkFailure) => void): INetworkModule {
  const send = async <T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> => {
    if (!sameOrigin(url, login)) {
      const refused = new SinkFailure(
        'config',
        `refused to send the client secret to ${originOf(url)}: the sign-in service ${originOf(login)} named it; only ${originOf(login)} receives it (check the sink's login option)`,
        { retryable: false },
      );
      unreachable(refused);
      throw refused;
    }
    let res;
    try {
      res = await http.send({
        method,
        url,
        headers: options?.headers,
        ...(options?.body !== undefined ? { body: options.body } : {}),
      });
    } catch (e) {
      if (e instanceof SinkFailure) unreachable(e);
      throw e;
    }
    let body: unknown = {};
    try {
      body = res.body.length ? JSON.parse(res.body.toString('utf8')) : {};
    } catch {
      body = {
        error: 'invalid_response',
        error_description: `the sign-in service answered ${res.status} with a body that is not JSON`,
      };
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = v;
    return { status: res.status, headers, body: body as T };
  };
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}
