/**
 * The email driver (nodemailer over SMTP, STARTTLS required by default, the sink's CA trusted). Alerts
 * only: one message per alert; records are not mailed. SMTP 5xx for a message is a dead letter, 4xx a retry.
 */
import { createTransport } from 'nodemailer';
import { rootCertificates } from 'node:tls';
import type { Item } from '../alert.js';
import { TEST_EVENT_MARK, type DriverContext, type SendResult, type SinkDriver } from '../driver.js';
import { classifyNetworkError, SinkFailure } from '../failure.js';
import { emailConfig } from './config.js';
import { alertMail } from './encoder.js';

export function emailDriver(ctx: DriverContext): SinkDriver {
  const config = emailConfig(ctx.row);
  const transport = createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.requireTls,
    ...(config.user ? { auth: { user: config.user, pass: ctx.secret ?? '' } } : {}),
    tls: ctx.caPem ? { ca: [...rootCertificates, ctx.caPem] } : {},
  });

  async function mail(subject: string, text: string): Promise<void> {
    try {
      await transport.sendMail({ from: config.from, to: config.to, subject, text });
    } catch (e) {
      const code = (e as { responseCode?: number }).responseCode;
      const message = (e as Error).message.slice(0, 300);
      if (code === 535 || code === 530) throw new SinkFailure('auth', message, { retryable: false, status: code });
      if (code !== undefined && code >= 500)
        throw new SinkFailure('payload', message, { retryable: false, status: code });
      if (code !== undefined && code >= 400)
        throw new SinkFailure('server', message, { retryable: true, status: code });
      throw classifyNetworkError(e);
    }
  }

  return {
    maxBatch: 1,
    idempotent: false,
    async send(items: readonly Item[]): Promise<SendResult> {
      for (const item of items) {
        if (item.kind !== 'alert') continue;
        const m = alertMail(item.alert);
        await mail(m.subject, m.text);
      }
      return { rejected: [], retry: [] };
    },
    async test() {
      await mail('[tenantwatch] sink test', `A test message from tenantwatch sink test (${TEST_EVENT_MARK}).`);
      return `${config.host}:${config.port} accepted a test message for ${config.to.join(', ')}`;
    },
    close: async () => transport.close(),
  };
}
