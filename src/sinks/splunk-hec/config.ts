/**
 * Splunk HTTP Event Collector settings. The sourcetype `o365:management:activity` and source `o365`
 * are what the Splunk Add-on for Microsoft Office 365 uses (spec siem-protocols.md), so events get the
 * add-on's field extractions and Splunk ES content.
 */
import type { SinkRow } from '../../core/sink.js';
import { flag, int, sinkUrl, text } from '../options.js';

export interface HecConfig {
  eventUrl: string;
  ackUrl: string;
  healthUrl: string;
  index: string | null;
  source: string;
  sourcetype: string;
  alertSourcetype: string;
  /** host field: fixed, or null to use the record's tenant. */
  host: string | null;
  gzip: boolean;
  batch: number;
  /** Batches in flight at once (each its own request; the cursor still moves in order). */
  inFlight: number;
  /** Indexer acknowledgement (Splunk Enterprise): a channel per sender and ack polling. */
  ack: boolean;
  ackPollMs: number;
  ackTimeoutMs: number;
}

export function hecConfig(row: SinkRow): HecConfig {
  const u = sinkUrl(row.url, row.name, ['https:', 'http:']);
  const o = row.options;
  const base = `${u.origin}${u.pathname.replace(/\/services\/collector.*$/, '').replace(/\/+$/, '')}`;
  return {
    eventUrl: `${base}/services/collector/event`,
    ackUrl: `${base}/services/collector/ack`,
    healthUrl: `${base}/services/collector/health`,
    index: text(o, row.name, 'index', null),
    source: text(o, row.name, 'source', 'o365'),
    sourcetype: text(o, row.name, 'sourcetype', 'o365:management:activity'),
    alertSourcetype: text(o, row.name, 'alertSourcetype', 'tenantwatch:alert'),
    host: text(o, row.name, 'host', null),
    gzip: flag(o, row.name, 'gzip', true),
    batch: int(o, row.name, 'batch', 1_000, 1, 10_000),
    inFlight: int(o, row.name, 'inFlight', 1, 1, 4),
    ack: flag(o, row.name, 'ack', false),
    ackPollMs: int(o, row.name, 'ackPollMs', 1_000, 10),
    ackTimeoutMs: int(o, row.name, 'ackTimeoutMs', 300_000, 100),
  };
}
