/**
 * Email for alerts: `smtp://host:587` (STARTTLS required unless `--option starttls=false`) or
 * `smtps://host:465`; options `from`, `to` (comma-separated), `user` (the password from --secret-env).
 */
import { AppError } from '../../core/errors.js';
import type { SinkRow } from '../../core/sink.js';
import { flag, sinkUrl, text } from '../options.js';

export interface EmailConfig {
  host: string;
  port: number;
  secure: boolean;
  requireTls: boolean;
  from: string;
  to: string[];
  user: string | null;
}

export function emailConfig(row: SinkRow): EmailConfig {
  const u = sinkUrl(row.url, row.name, ['smtp:', 'smtps:']);
  const to = text(row.options, row.name, 'to', '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!to.length)
    throw new AppError('CONFIG_INVALID', `Sink ${row.name} has no recipient`, {
      hint: 'Give --option to=soc@example.com',
    });
  for (const address of to) checkAddress(row.name, 'to', address, 'soc@example.com');
  const from = text(row.options, row.name, 'from', 'tenantwatch@localhost');
  checkAddress(row.name, 'from', from, 'tenantwatch@example.com');
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    requireTls: !secure && flag(row.options, row.name, 'starttls', true),
    from,
    to,
    user: text(row.options, row.name, 'user', null),
  };
}

/**
 * `alice@example.com` or `SOC Desk <desk@example.com>`, as nodemailer takes them. Anything else was stored at sink
 * add and refused by the mail server at every alert (or, as a sender, by its SPF and DMARC checks).
 */
function checkAddress(sink: string, key: 'to' | 'from', value: string, example: string): void {
  const address = /<([^<>]*)>\s*$/.exec(value)?.[1] ?? value;
  if (/^[^\s@<>,;:"]+@[^\s@<>,;:"]+$/.test(address.trim())) return;
  throw new AppError('CONFIG_INVALID', `Sink ${sink}: ${key}="${value.slice(0, 100)}" is not an e-mail address`, {
    hint: `Give e.g. --option ${key}=${example}${key === 'to' ? ' (several separated by commas)' : ''}`,
  });
}
