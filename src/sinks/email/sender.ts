/**
 * The email driver (nodemailer over SMTP, STARTTLS required by default, the sink's CA trusted). Alerts
 * only: one message per alert; records are not mailed. 4xx is a retry; a 5xx refusal of the message's
 * content is a dead letter; any other 5xx (the recipient, the sender, the greeting) is the sink's
 * configuration (smtpFailure below).
 */
import { createTransport } from 'nodemailer';
import { rootCertificates } from 'node:tls';
import type { Item } from '../alert.js';
import { TEST_EVENT_MARK, type DriverContext, type SendResult, type SinkDriver } from '../driver.js';
import { EVENTS } from '../events.js';
import { classifyNetworkError, SinkFailure } from '../failure.js';
import { emailConfig, type EmailConfig } from './config.js';
import { alertMail } from './encoder.js';

/** How long the email driver waits on the mail server. */
export interface SmtpTimeouts {
  /** nodemailer's connectionTimeout (and greetingTimeout): DNS, connecting, the greeting and STARTTLS in all. */
  connectMs: number;
  /** socketTimeout: a connection silent this long, at any point of the conversation, is given up. */
  answerMs: number;
}

/**
 * nodemailer's defaults wait 2 minutes to connect and 10 minutes for each answer, so one message to a stalled
 * server could take hours, and alert routing claims an alert for longer than one attempt (ADR 0026): a sender that
 * died elsewhere would hold the alert back that long. A submission server answers in seconds; these leave it ample
 * room and keep one message bounded.
 */
export const SMTP_TIMEOUTS: SmtpTimeouts = { connectMs: 30_000, answerMs: 60_000 };

/** Answers a message waits for besides one RCPT TO per recipient: EHLO, STARTTLS, EHLO, AUTH (LOGIN: 3), MAIL, DATA, end. */
const ANSWERS = 9;

/** `timeouts` are SMTP_TIMEOUTS but in tests, which meet a silent server within tens of milliseconds. */
export function emailDriver(ctx: DriverContext, timeouts: SmtpTimeouts = SMTP_TIMEOUTS): SinkDriver {
  const config = emailConfig(ctx.row);
  const transport = createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.requireTls,
    connectionTimeout: timeouts.connectMs,
    greetingTimeout: timeouts.connectMs,
    socketTimeout: timeouts.answerMs,
    ...(config.user ? { auth: { user: config.user, pass: ctx.secret ?? '' } } : {}),
    tls: ctx.caPem ? { ca: [...rootCertificates, ctx.caPem] } : {},
  });

  /** A stopped run (`signal`) closes the message's connection at once instead of waiting for the server. */
  async function mail(subject: string, text: string, signal?: AbortSignal): Promise<void> {
    let info: { rejected?: unknown[] };
    try {
      info = await transport.sendMail({
        from: config.from,
        to: config.to,
        subject,
        text,
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw smtpFailure(e, config, timeouts);
    }
    // Some recipients refused, others took it: delivered (sending again would double it for those), but a
    // person must correct the list, so it is said at warn on every message.
    const refused = (info.rejected ?? []).map(String);
    if (refused.length)
      ctx.logger.warn(
        { event: EVENTS.recipientRefused, sink: ctx.row.name, refused },
        `the mail server refused ${refused.join(', ')} (the others got the message); correct the sink's recipients (--option to=…) with tenantwatch sink add`,
      );
  }

  return {
    maxBatch: 1,
    idempotent: false,
    longestAttemptMs: timeouts.connectMs + (ANSWERS + config.to.length) * timeouts.answerMs,
    async send(items: readonly Item[], signal: AbortSignal): Promise<SendResult> {
      for (const item of items) {
        if (item.kind !== 'alert') continue;
        const m = alertMail(item.alert);
        await mail(m.subject, m.text, signal);
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

/** nodemailer's error for a refused command: the reply code, and which command and stage it answered. */
interface SmtpError {
  message: string;
  /** EMESSAGE: the answer to the message itself (after its content); EENVELOPE: MAIL FROM, RCPT TO, DATA; ETIMEDOUT. */
  code?: string;
  /** Which of nodemailer's timers ran out, with ETIMEDOUT (its `command` is then always CONN). */
  timeoutType?: string;
  responseCode?: number;
  command?: string;
  /** Every recipient refused (RCPT TO), when all were. */
  rejected?: string[];
}

/**
 * The class of a refused SMTP command. 530/535 are the login; other 4xx a retry. A 5xx is about one
 * alert only when it answers the message's content (EMESSAGE after DATA: 552 too large, 554 content
 * refused): that alert becomes a dead letter. Any other 5xx came before the server saw any content —
 * the recipient (550 mailbox unavailable, 5.1.1 user unknown, 553 bad address), the sender, or the
 * server refusing us — so every alert would fail the same way: it is the sink's configuration, nothing
 * is dead-lettered and the alerts stay due until the sink is fixed (as 404 is for HTTP sinks, ADR 0022).
 */
export function smtpFailure(
  error: unknown,
  config: Pick<EmailConfig, 'host' | 'port' | 'from' | 'to'>,
  timeouts: SmtpTimeouts = SMTP_TIMEOUTS,
): SinkFailure {
  const e = error as SmtpError;
  const code = e.responseCode;
  const message = String(e.message).slice(0, 300);
  if (e.code === 'ETIMEDOUT') return smtpTimeout(e, config, timeouts);
  if (code === undefined) return classifyNetworkError(error);
  if (code === 535 || code === 530) return new SinkFailure('auth', message, { retryable: false, status: code });
  if (code < 500) return new SinkFailure('server', message, { retryable: true, status: code });
  if (e.code === 'EMESSAGE') return new SinkFailure('payload', message, { retryable: false, status: code });
  const options = { retryable: false, status: code };
  if (e.command === 'RCPT TO') {
    const whom = e.rejected?.length ? e.rejected.join(', ') : config.to.join(', ');
    return new SinkFailure(
      'config',
      `${message}: the mail server refuses the recipient ${whom} for good; correct the sink's recipients (--option to=…) with tenantwatch sink add, then run tenantwatch sink test`,
      options,
    );
  }
  if (e.command === 'MAIL FROM')
    return new SinkFailure(
      'config',
      `${message}: the mail server refuses the sender ${config.from}; give an address it accepts from this login (--option from=…) with tenantwatch sink add, then run tenantwatch sink test`,
      options,
    );
  return new SinkFailure(
    'config',
    `${message}: the mail server refuses this sink before any message (${e.command ?? 'connection'}); check the sink's URL, port and login, then run tenantwatch sink test`,
    options,
  );
}

/**
 * A timer of nodemailer ran out: which one, said with the server and the bound, since its own message ("Timeout",
 * "Greeting never received") names neither. Retryable: a server that stalled may answer the next attempt. A
 * message that timed out after its content was sent may have been delivered, and is sent again (at least once).
 */
function smtpTimeout(e: SmtpError, config: Pick<EmailConfig, 'host' | 'port'>, timeouts: SmtpTimeouts): SinkFailure {
  const server = `the mail server ${config.host}:${config.port}`;
  const what: Record<string, string> = {
    CONNECT_TIMEOUT: `could not connect to ${server} within ${duration(timeouts.connectMs)} (connection timeout); check the sink's host and port, and that this machine may reach it`,
    GREETING_TIMEOUT: `${server} took the connection but did not greet within ${duration(timeouts.connectMs)} (greeting timeout); check the port, and the scheme: smtps:// for a server that expects TLS at once (465), smtp:// for STARTTLS (587)`,
    UPGRADE_TIMEOUT: `${server} did not complete the STARTTLS handshake within ${duration(timeouts.connectMs)} (TLS timeout); check the port and the server's TLS`,
    SOCKET_TIMEOUT: `${server} stopped answering: nothing for ${duration(timeouts.answerMs)} in the middle of the conversation (answer timeout); it is tried again, and a server that stays silent must be looked at`,
  };
  const said = what[e.timeoutType ?? ''] ?? `${server} timed out (${String(e.message).slice(0, 200)})`;
  return new SinkFailure('timeout', said.charAt(0).toUpperCase() + said.slice(1), { retryable: true, cause: e });
}

function duration(ms: number): string {
  return ms >= 1_000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
