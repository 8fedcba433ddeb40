/**
 * Microsoft Sentinel through the Azure Monitor Logs Ingestion API (the HTTP Data Collector API is
 * retired): `--url` is the data collection endpoint (DCE); options name the rule's immutable id
 * (`dcr`), the stream (`stream`, e.g. Custom-O365Audit_CL), and the Entra app (`tenantId`, `clientId`,
 * `login` for national clouds, `scope` for their audience); the client secret comes from --secret-env.
 */
import { AppError } from '../../core/errors.js';
import type { SinkRow } from '../../core/sink.js';
import { int, sinkUrl, text } from '../options.js';

export interface SentinelConfig {
  ingestUrl: string;
  login: string;
  tenantId: string;
  clientId: string;
  scope: string;
  /** Bytes per call before gzip: the API takes at most 1 MB per call. */
  maxBytes: number;
}

function need(row: SinkRow, key: string): string {
  const v = text(row.options, row.name, key, null);
  if (v) return v;
  throw new AppError('CONFIG_INVALID', `Sink ${row.name} needs --option ${key}=…`, {
    hint: 'A Sentinel sink needs dcr (the rule immutable id), stream, tenantId and clientId options',
  });
}

export function sentinelConfig(row: SinkRow): SentinelConfig {
  const u = sinkUrl(row.url, row.name, ['https:']);
  const dcr = need(row, 'dcr');
  const stream = need(row, 'stream');
  return {
    ingestUrl: `${u.origin}/dataCollectionRules/${encodeURIComponent(dcr)}/streams/${encodeURIComponent(stream)}?api-version=2023-01-01`,
    login: text(row.options, row.name, 'login', 'https://login.microsoftonline.com').replace(/\/+$/, ''),
    tenantId: need(row, 'tenantId'),
    clientId: need(row, 'clientId'),
    scope: text(row.options, row.name, 'scope', 'https://monitor.azure.com/.default'),
    maxBytes: int(row.options, row.name, 'maxBytes', 1_000_000, 1_000, 1_048_576),
  };
}
