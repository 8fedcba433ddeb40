/**
 * RFC 5424 messages and CEF. RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG`, the
 * timestamp is the record's CreationTime, MSGID its record type name, the structured data names the
 * tenant and record Id, and MSG is the AuditData JSON as received. CEF: `CEF:0|Microsoft|Office 365|…`
 * with `|` and `\` escaped in the header, `=` `\` and line breaks in extension values (ArcSight CEF).
 */
import { recordTypeName } from '../../core/catalog/index.js';
import type { Item } from '../alert.js';
import type { SyslogConfig } from './config.js';

/** Private enterprise number 32473 is the one RFC 5612 reserves for documentation and examples. */
const SD_ID = 'tenantwatch@32473';

const SEVERITY: Record<string, number> = { critical: 2, high: 3, medium: 4, low: 5, informational: 6 };
const CEF_SEVERITY: Record<string, number> = { critical: 10, high: 8, medium: 5, low: 3, informational: 1 };

function sdValue(v: string): string {
  return v.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

function headerToken(v: string, max: number): string {
  const t = v.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return t || '-';
}

export function cefHeader(v: string): string {
  return v.replace(/[\\|]/g, (c) => `\\${c}`);
}

export function cefValue(v: string): string {
  return v.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');
}

function rfc5424(
  config: SyslogConfig,
  severity: number,
  time: number,
  msgId: string,
  sd: Record<string, string>,
  msg: string,
): string {
  const pri = config.facility * 8 + severity;
  const params = Object.entries(sd)
    .map(([k, v]) => `${k}="${sdValue(v)}"`)
    .join(' ');
  return `<${pri}>1 ${new Date(time).toISOString()} ${headerToken(config.hostname, 255)} ${headerToken(config.appName, 48)} - ${headerToken(msgId, 32)} [${SD_ID} ${params}] ${msg}`;
}

function cef(item: Item): string {
  if (item.kind === 'alert') {
    const a = item.alert;
    const ext = {
      rt: String(a.raisedAt),
      cs1Label: 'tenant',
      cs1: a.tenant,
      externalId: a.id,
      msg: a.description ?? a.title,
    };
    return `CEF:0|tenantwatch|tenantwatch|1.0|${cefHeader(a.ruleId)}|${cefHeader(a.title)}|${CEF_SEVERITY[a.severity] ?? 5}|${extension(ext)}`;
  }
  const r = item.record;
  const ext: Record<string, string> = {
    rt: String(r.creationTime),
    act: r.operation,
    externalId: r.id,
    cs1Label: 'tenant',
    cs1: r.tenant,
    cs2Label: 'AuditData',
    cs2: r.raw,
  };
  if (r.userId) ext.suser = r.userId;
  if (r.clientIp) ext.src = r.clientIp;
  if (r.objectId) ext.fname = r.objectId;
  if (r.workload) ext.deviceFacility = r.workload;
  ext.outcome = r.outcome;
  const sig = `${r.recordType}:${r.operation}`;
  return `CEF:0|Microsoft|Office 365|1.0|${cefHeader(sig)}|${cefHeader(r.operation)}|${r.outcome === 'failure' ? 5 : 3}|${extension(ext)}`;
}

function extension(ext: Record<string, string>): string {
  return Object.entries(ext)
    .map(([k, v]) => `${k}=${cefValue(v)}`)
    .join(' ');
}

export function encodeMessage(item: Item, config: SyslogConfig): string {
  if (item.kind === 'alert') {
    const a = item.alert;
    const msg = config.format === 'cef' ? cef(item) : JSON.stringify(a);
    return rfc5424(config, SEVERITY[a.severity] ?? 4, a.raisedAt, 'alert', { tenant: a.tenant, alert: a.id }, msg);
  }
  const r = item.record;
  const msg = config.format === 'cef' ? cef(item) : r.raw;
  return rfc5424(
    config,
    r.outcome === 'failure' ? 4 : 6,
    r.creationTime,
    recordTypeName(r.recordType),
    { tenant: r.tenant, id: r.id },
    msg,
  );
}

/** RFC 6587 octet counting (and RFC 5425): `MSG-LEN SP SYSLOG-MSG`, the length in bytes. */
export function frame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `), body]);
}
