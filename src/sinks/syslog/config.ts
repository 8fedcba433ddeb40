/**
 * Syslog settings: `tcp://host:port` (octet-counting framing, RFC 6587), `tls://host:port` (RFC 5425,
 * port 6514 by default), `udp://host:port` only when asked for by its URL. `format` is `rfc5424` (the
 * AuditData JSON as the message) or `cef`. `maxMessage` is the receiver's limit (rsyslog's default is
 * 8 KB, `global(maxMessageSize=…)` raises it): a record whose message would be larger is not cut — it
 * becomes a dead letter saying so, since a truncated audit record is a wrong one.
 */
import { hostname } from 'node:os';
import { AppError } from '../../core/errors.js';
import type { SinkRow } from '../../core/sink.js';
import { int, sinkUrl, text } from '../options.js';

export interface SyslogConfig {
  transport: 'tcp' | 'tls' | 'udp';
  host: string;
  port: number;
  format: 'rfc5424' | 'cef';
  facility: number;
  appName: string;
  hostname: string;
  maxMessage: number;
  batch: number;
}

export function syslogConfig(row: SinkRow): SyslogConfig {
  const u = sinkUrl(row.url, row.name, ['tcp:', 'tls:', 'udp:']);
  const o = row.options;
  const transport = u.protocol.slice(0, -1) as SyslogConfig['transport'];
  const format = text(o, row.name, 'format', 'rfc5424');
  if (format !== 'rfc5424' && format !== 'cef')
    throw new AppError('CONFIG_INVALID', `Sink option format=${format} is not rfc5424 or cef`, {
      hint: 'Use --option format=rfc5424 (default) or --option format=cef',
    });
  return {
    transport,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : transport === 'tls' ? 6514 : 514,
    format,
    facility: int(o, row.name, 'facility', 13, 0, 23),
    appName: text(o, row.name, 'appName', 'tenantwatch'),
    hostname: text(o, row.name, 'hostname', hostname()),
    maxMessage: int(o, row.name, 'maxMessage', transport === 'udp' ? 8_192 : 65_536, 480),
    batch: int(o, row.name, 'batch', 500, 1, 10_000),
  };
}
