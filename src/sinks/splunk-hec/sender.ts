/**
 * The Splunk HEC driver: batches of envelopes in one POST (gzip), `Authorization: Splunk <token>`, and
 * with indexer acknowledgement on, a channel of its own and ack polling until every request it sent is
 * indexed — only then is the batch confirmed (an ack that never comes is a failed send, retried).
 */
import { randomUUID } from 'node:crypto';
import type { Item } from '../alert.js';
import { gzip } from '../compress.js';
import type { DriverContext, SendResult, SinkDriver } from '../driver.js';
import { parseRetryAfter, SinkFailure } from '../failure.js';
import { SINK_HTTP_TIMEOUT_MS, type HttpSender } from '../http.js';
import { needSecret } from '../options.js';
import { hecConfig, type HecConfig } from './config.js';
import { encodeBatch } from './encoder.js';
import { testEvent } from './health.js';
import { classifyHec, isHecSuccess, parseAnswer } from './retry.js';

export function splunkHecDriver(ctx: DriverContext): SinkDriver {
  const config = hecConfig(ctx.row);
  const token = needSecret(ctx.secret, ctx.row.name, 'HEC token');
  const http = ctx.http({ caPem: ctx.caPem, timeoutMs: SINK_HTTP_TIMEOUT_MS });
  const channel = randomUUID();
  const headers = (): Record<string, string> => ({
    authorization: `Splunk ${token}`,
    'content-type': 'application/json',
    ...(config.gzip ? { 'content-encoding': 'gzip' } : {}),
    ...(config.ack ? { 'x-splunk-request-channel': channel } : {}),
  });

  async function post(body: string, count: number, signal: AbortSignal): Promise<SendResult> {
    const res = await http.send({
      method: 'POST',
      url: config.eventUrl,
      headers: headers(),
      body: config.gzip ? await gzip(body) : body,
      signal,
    });
    const answer = parseAnswer(res.body);
    if (!answer || !isHecSuccess(res.status, answer))
      return classifyHec(
        res.status,
        answer,
        res.body,
        count,
        parseRetryAfter(res.headers['retry-after'], ctx.clock.now()),
        res.headers.location,
      );
    if (config.ack) {
      if (typeof answer.ackId !== 'number')
        throw new SinkFailure(
          'config',
          'HEC answered without an ackId: indexer acknowledgement is off for this token',
          {
            retryable: false,
          },
        );
      await waitForAck(http, config, token, channel, answer.ackId, ctx, signal);
    }
    return { rejected: [], retry: [] };
  }

  return {
    maxBatch: config.batch,
    inFlight: config.inFlight,
    idempotent: false,
    // The POST; with acknowledgement, polls until ackTimeoutMs has passed, then one more pause and poll (waitForAck).
    longestAttemptMs:
      SINK_HTTP_TIMEOUT_MS + (config.ack ? config.ackTimeoutMs + config.ackPollMs + SINK_HTTP_TIMEOUT_MS : 0),
    send: (items: readonly Item[], signal) => post(encodeBatch(items, config), items.length, signal),
    async test(signal) {
      await post(testEvent(config, ctx.clock.now()), 1, signal);
      return `HEC accepted a test event at ${config.eventUrl} (sourcetype tenantwatch:test)${config.ack ? ', indexed (ack)' : ''}`;
    },
    close: async () => http.close(),
  };
}

/** Polls /services/collector/ack until the request's ack is true, on the injected clock. */
async function waitForAck(
  http: HttpSender,
  config: HecConfig,
  token: string,
  channel: string,
  ackId: number,
  ctx: DriverContext,
  signal: AbortSignal,
): Promise<void> {
  const deadline = ctx.clock.now() + config.ackTimeoutMs;
  for (;;) {
    // A failed poll is polled again, never answered by resending: the events are already with HEC.
    const acked = await pollAck(http, config, token, channel, ackId, signal).catch((e: unknown) => {
      if (e instanceof SinkFailure && e.retryable) return false;
      throw e;
    });
    if (acked) return;
    if (ctx.clock.now() >= deadline)
      throw new SinkFailure('timeout', `HEC did not acknowledge request ${ackId} within ${config.ackTimeoutMs} ms`, {
        retryable: true,
      });
    await ctx.clock.sleep(config.ackPollMs, signal);
  }
}

async function pollAck(
  http: HttpSender,
  config: HecConfig,
  token: string,
  channel: string,
  ackId: number,
  signal: AbortSignal,
): Promise<boolean> {
  const res = await http.send({
    method: 'POST',
    url: `${config.ackUrl}?channel=${channel}`,
    headers: {
      authorization: `Splunk ${token}`,
      'content-type': 'application/json',
      'x-splunk-request-channel': channel,
    },
    body: JSON.stringify({ acks: [ackId] }),
    signal,
  });
  const acks = ackAnswer(res.body);
  if (res.status !== 200 || !acks) classifyHec(res.status, parseAnswer(res.body), res.body, 0);
  return acks?.[String(ackId)] === true;
}

/** The `acks` map of an ack answer, or null when the body is not one. */
function ackAnswer(body: Buffer): Record<string, boolean> | null {
  try {
    const acks = (JSON.parse(body.toString('utf8')) as { acks?: unknown }).acks;
    return typeof acks === 'object' && acks !== null ? (acks as Record<string, boolean>) : null;
  } catch {
    return null;
  }
}
