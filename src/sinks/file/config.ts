/**
 * NDJSON file settings, for Filebeat, Splunk universal forwarders and SOF-ELK: `file:///path/to/x.ndjson`,
 * rotated when the file passes `maxBytes` or is older than `maxAgeMs` (the rotated file gets a UTC
 * timestamp suffix), keeping the newest `keep` rotated files.
 */
import { fileURLToPath } from 'node:url';
import { AppError } from '../../core/errors.js';
import type { SinkRow } from '../../core/sink.js';
import { flag, int, sinkUrl, urlExample } from '../options.js';

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
    path: filePath(row, u),
    maxBytes: int(o, row.name, 'maxBytes', 100 * 1024 * 1024, 1024),
    maxAgeMs: int(o, row.name, 'maxAgeHours', 24, 1) * 3_600_000,
    keep: int(o, row.name, 'keep', 30, 1, 10_000),
    fsync: flag(o, row.name, 'fsync', true),
  };
}

/**
 * The absolute path of a file URL. `file://out.ndjson` names a host (Node refused it with only "File URL host must
 * be localhost"), `file:out.ndjson` was read as /out.ndjson at the root of the disk, and a path ending in / is a
 * folder, which no record can be appended to.
 */
function filePath(row: SinkRow, u: URL): string {
  const hint = `Give the absolute path of the file after three slashes, e.g. ${urlExample('file:')}`;
  if ((u.hostname !== '' && u.hostname !== 'localhost') || !/^file:\/\//i.test(row.url.trim()))
    throw new AppError('BAD_INPUT', `--url "${row.url}" of sink ${row.name} is not the URL of an absolute path`, {
      hint,
    });
  if (u.pathname.endsWith('/'))
    throw new AppError('BAD_INPUT', `--url "${row.url}" of sink ${row.name} names a folder, not a file`, { hint });
  return fileURLToPath(u);
}
