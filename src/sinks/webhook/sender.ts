/**
 * The webhook driver: POSTs JSON; `standard` style signs each request with the Standard Webhooks
 * scheme through the `standardwebhooks` package (webhook-id is stable per batch content, so a resend
 * carries the same id and the receiver can drop it). Answers are classified like every HTTP sink.
 */
import { createHash } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { AppError } from '../../core/errors.js';
import type { Item } from '../alert.js';
import { TEST_EVENT_MARK, type DriverContext, type SendResult, type SinkDriver } from '../driver.js';
import { bodyExcerpt, classifyStatus, parseRetryAfter } from '../failure.js';
import { SINK_HTTP_TIMEOUT_MS } from '../http.js';
import { webhookConfig } from './config.js';
import { chatPayload, standardPayload } from './encoder.js';

export function webhookDriver(ctx: DriverContext): SinkDriver {
  const config = webhookConfig(ctx.row);
  const http = ctx.http({ caPem: ctx.caPem, timeoutMs: SINK_HTTP_TIMEOUT_MS });
  let signer: Webhook | null = null;
  if (ctx.secret && config.style === 'standard') {
    try {
      signer = new Webhook(ctx.secret);
    } catch (e) {
      throw new AppError(
        'CONFIG_INVALID',
        `The signing secret of sink ${ctx.row.name} is not a Standard Webhooks secret`,
        {
          hint: 'Give a secret written whsec_<base64>',
          cause: e,
        },
      );
    }
  }

  async function post(body: string, signal: AbortSignal): Promise<void> {
    const id = `msg_${createHash('sha256').update(body).digest('base64url').slice(0, 24)}`;
    const at = new Date(ctx.clock.now());
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signer) {
      headers['webhook-id'] = id;
      headers['webhook-timestamp'] = String(Math.floor(at.getTime() / 1000));
      headers['webhook-signature'] = signer.sign(id, at, body);
    }
    const res = await http.send({ method: 'POST', url: config.url, headers, body, signal });
    if (res.status >= 200 && res.status < 300) return;
    throw classifyStatus(
      res.status,
      bodyExcerpt(res.body, 300),
      parseRetryAfter(res.headers['retry-after'], ctx.clock.now()),
      res.headers.location,
    );
  }

  return {
    maxBatch: config.batch,
    idempotent: false,
    // One POST per alert, in either style.
    longestAttemptMs: SINK_HTTP_TIMEOUT_MS,
    async send(items: readonly Item[], signal): Promise<SendResult> {
      if (config.style === 'standard') {
        await post(standardPayload(items), signal);
        return { rejected: [], retry: [] };
      }
      const style = config.style;
      for (const item of items)
        if (item.kind === 'alert') await post(JSON.stringify(chatPayload(style, item.alert)), signal);
      return { rejected: [], retry: [] };
    },
    async test(signal) {
      const now = ctx.clock.now();
      const body =
        config.style === 'standard'
          ? JSON.stringify({ type: 'tenantwatch.test', data: { mark: TEST_EVENT_MARK } })
          : JSON.stringify(
              chatPayload(config.style, {
                id: TEST_EVENT_MARK,
                tenant: '-',
                ruleId: TEST_EVENT_MARK,
                title: 'tenantwatch sink test',
                severity: 'informational',
                description: 'A test message from tenantwatch sink test.',
                firstSeen: now,
                lastSeen: now,
                raisedAt: now,
                recordIds: [],
                facts: {},
                link: null,
              }),
            );
      await post(body, signal);
      return `${new URL(config.url).origin} accepted a test ${config.style} webhook`;
    },
    close: async () => http.close(),
  };
}
