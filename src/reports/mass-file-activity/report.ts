import type { StoredRecord } from '../../core/record.js';
import type { SearchQuery } from '../../core/search-query.js';
import { HOUR, toIsoSeconds, type TimeRange } from '../../core/time.js';
import { commonParams, count } from '../params.js';
import { baseQuery, scan } from '../query.js';
import type { ReportDefinition, ReportDeps, ReportRow } from '../types.js';
import { meta } from './meta.js';

const parameters = commonParams.extend({
  downloadThreshold: count(100, 'downloads by one user in one hour that make a finding'),
  deleteThreshold: count(100, 'deletions by one user in one hour that make a finding'),
});

const DOWNLOADS = ['FileDownloaded', 'FileSyncDownloadedFull', 'FileSyncDownloadedPartial'];
const DELETES = [
  'FileDeleted',
  'FileRecycled',
  'FileDeletedFirstStageRecycleBin',
  'FileDeletedSecondStageRecycleBin',
  'FileVersionsAllDeleted',
  'FolderDeleted',
  'FolderRecycled',
];

interface Bucket {
  tenant: string;
  user: string;
  hour: number;
  kind: 'download' | 'delete';
  records: StoredRecord[];
}

/** The site part of a file URL (…/sites/x/ or …/personal/y/), else the host. */
function siteOf(objectId: string | null): string {
  const m =
    /^(https?:\/\/[^/]+\/(?:sites|teams|personal)\/[^/]+)/i.exec(objectId ?? '') ??
    /^(https?:\/\/[^/]+)/i.exec(objectId ?? '');
  return m?.[1] ?? '';
}

/**
 * The UTC hours in which everyone together reached the threshold, merged into ranges: only there can one
 * user have, so the records of every other hour are never read (an hourly count on the operation index).
 */
async function busyHours(deps: ReportDeps, query: SearchQuery, threshold: number): Promise<TimeRange[]> {
  const out: TimeRange[] = [];
  for (const h of await deps.store.records.countBy(query, 'hour')) {
    if (h.count < threshold) continue;
    const start = Math.max(query.range.start, Number(h.key));
    const end = Math.min(query.range.end, Number(h.key) + HOUR);
    const last = out[out.length - 1];
    if (last && last.end === start) last.end = end;
    else out.push({ start, end });
  }
  return out.reverse(); // newest first, as the rows are read everywhere else
}

export const massFileActivity: ReportDefinition<typeof parameters> = {
  ...meta,
  parameters,
  async run(input, deps) {
    const buckets = new Map<string, Bucket>();
    const kinds = [
      { kind: 'download' as const, operations: DOWNLOADS, threshold: input.params.downloadThreshold },
      { kind: 'delete' as const, operations: DELETES, threshold: input.params.deleteThreshold },
    ];
    for (const { kind, operations, threshold } of kinds) {
      const query = baseQuery(input, { operations, workloads: ['SharePoint', 'OneDrive'] });
      for (const range of await busyHours(deps, query, threshold)) {
        for await (const r of scan(deps, { ...query, range })) {
          const hour = r.creationTime - (r.creationTime % HOUR);
          const key = `${r.tenant}\u0000${r.userKey}\u0000${hour}\u0000${kind}`;
          const b = buckets.get(key);
          if (b) b.records.push(r);
          else buckets.set(key, { tenant: r.tenant, user: r.userKey ?? '', hour, kind, records: [r] });
        }
      }
    }
    const rows: ReportRow[] = [];
    for (const b of buckets.values()) {
      const threshold = b.kind === 'delete' ? input.params.deleteThreshold : input.params.downloadThreshold;
      if (b.records.length < threshold) continue;
      for (const r of b.records) input.count(r);
      rows.push({
        tenant: b.tenant,
        user: b.user,
        hour: toIsoSeconds(b.hour),
        kind: b.kind,
        files: b.records.length,
        sites: [...new Set(b.records.map((r) => siteOf(r.objectId)))].filter(Boolean).join(' '),
        firstId: b.records[b.records.length - 1]!.id,
      });
    }
    rows.sort((a, b) => String(b.hour).localeCompare(String(a.hour)) || Number(b.files) - Number(a.files));
    return {
      rows,
      totals: {
        downloadBursts: rows.filter((r) => r.kind === 'download').length,
        deleteBursts: rows.filter((r) => r.kind === 'delete').length,
      },
    };
  },
};
