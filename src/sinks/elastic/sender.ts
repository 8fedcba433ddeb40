/** The Elasticsearch / OpenSearch bulk driver: one POST /_bulk per batch, answers handled item by item. */
import { bearerHeader } from '../../net/bearer.js';
import type { Item } from '../alert.js';
import { gzip } from '../compress.js';
import type { DriverContext, SendResult, SinkDriver } from '../driver.js';
import { bodyExcerpt, classifyStatus, parseRetryAfter } from '../failure.js';
import { SINK_HTTP_TIMEOUT_MS } from '../http.js';
import { needSecret } from '../options.js';
import { elasticConfig, elasticSecretName, type ElasticConfig } from './config.js';
import { encodeBulk } from './encoder.js';
import { testDocument } from './health.js';
import { classifyBulk } from './retry.js';

export function elasticDriver(ctx: DriverContext): SinkDriver {
  const config = elasticConfig(ctx.row);
  const http = ctx.http({ caPem: ctx.caPem, timeoutMs: SINK_HTTP_TIMEOUT_MS });
  const auth = authorization(config, ctx);

  async function post(body: string, count: number, signal: AbortSignal): Promise<SendResult> {
    const res = await http.send({
      method: 'POST',
      url: config.bulkUrl,
      headers: {
        'content-type': 'application/x-ndjson',
        ...auth,
        ...(config.gzip ? { 'content-encoding': 'gzip' } : {}),
      },
      body: config.gzip ? await gzip(body) : body,
      signal,
    });
    if (res.status !== 200) {
      throw classifyStatus(
        res.status,
        bodyExcerpt(res.body, 300),
        parseRetryAfter(res.headers['retry-after'], ctx.clock.now()),
        res.headers.location,
      );
    }
    return classifyBulk(res.body, count);
  }

  return {
    maxBatch: config.batch,
    inFlight: config.inFlight,
    idempotent: true,
    // One POST /_bulk.
    longestAttemptMs: SINK_HTTP_TIMEOUT_MS,
    send: (items: readonly Item[], signal) => post(encodeBulk(items, config, ctx.clock.now()), items.length, signal),
    async test(signal) {
      const result = await post(testDocument(config, ctx.clock.now()), 1, signal);
      if (result.rejected.length) throw new Error(result.rejected[0]!.reason);
      return `${config.bulkUrl} indexed a test document into ${config.recordIndex}`;
    },
    close: async () => http.close(),
  };
}

/** The Authorization header; a bearer token only through net/bearer.ts (ADR 0016), bound to the sink's origin. */
function authorization(config: ElasticConfig, ctx: DriverContext): Record<string, string> {
  const kind = config.auth;
  const what = elasticSecretName(kind);
  if (what === null) return {};
  const secret = needSecret(ctx.secret, ctx.row.name, what);
  if (kind === 'basic') return { authorization: `Basic ${Buffer.from(secret).toString('base64')}` };
  if (kind === 'bearer')
    return bearerHeader(secret, config.bulkUrl, config.rootUrl, `Elasticsearch sink ${ctx.row.name}`);
  return { authorization: `ApiKey ${secret}` };
}
