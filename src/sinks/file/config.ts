/**
 * NDJSON file settings, for Filebeat, Splunk universal forwarders and SOF-ELK: `file:///path/to/x.ndjson`,
 * rotated when the file passes `maxBytes` or is older than `maxAgeMs` (the rotated file gets a UTC
 * timestamp suffix), keeping the newest `keep` rotated files.
 */
import { fileURLToPath } from 'node:url';
import type { SinkRow } from '../../core/sink.js';
import { flag, int, sinkUrl } from '../options.js';

export interface FileConfig {
  path: string;
  maxBytes: number;
  maxAgeMs: number;
  keep: number;
  /** fsync after each batch: confirmed means on disk, not in the page cache. */
  fsync: boolean;
}

export function fileConfig(row: SinkRow): FileConfig {
  const u = sinkUrl(row.url, row.name, ['file:']);
  const o = row.options;
  return {
    path: fileURLToPath(u),
    maxBytes: int(o, row.name, 'maxBytes', 100 * 1024 * 1024, 1024),
    maxAgeMs: int(o, row.name, 'maxAgeHours', 24, 1) * 3_600_000,
    keep: int(o, row.name, 'keep', 30, 1, 10_000),
    fsync: flag(o, row.name, 'fsync', true),
  };
}
