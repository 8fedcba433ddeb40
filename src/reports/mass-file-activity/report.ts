import type { StoredRecord } from '../../core/record.js';
import { HOUR, toIsoSeconds } from '../../core/time.js';
import { commonParams, count } from '../params.js';
import { baseQuery, scan } from '../query.js';
import type { ReportDefinition, ReportRow } from '../types.js';
import { meta } from './meta.js';

const parameters = commonParams.extend({
  downloadThreshold: count(100, 'downloads by one user in one hour that make a finding'),
  deleteThreshold: count(100, 'deletions by one user in one hour that make a finding'),
});

const DOWNLOADS = ['FileDownloaded', 'FileSyncDownloadedFull', 'FileSyncDownloadedPartial'];
const DELETES = ['FileDeleted', 'FileRecycled', 'FileDeletedFirstStageRecycleBin', 'FileDeletedSecondStageRecycleBin', 'FileVersionsAllDeleted', 'FolderDeleted', 'FolderRecycled'];

interface Bucket { tenant: string; user: string; hour: number; kind: 'download' | 'delete'; records: StoredRecord[] }

/** The site part of a file URL (…/sites/x/ or …/personal/y/), else the host. */
function siteOf(objectId: string | null): string {
  const m = /^(https?:\/\/[^/]+\/(?:sites|teams|personal)\/[^/]+)/i.exec(objectId ?? '') ?? /^(https?:\/\/[^/]+)/i.exec(objectId ?? '');
  return m?.[1] ?? '';
}

export const massFileActivity: ReportDefinition<typeof parameters> = {
  ...meta,
  parameters,
  async run(input, deps) {
    const buckets = new Map<string, Bucket>();
    const deletes = new Set(DELETES.map((d) => d.toLowerCase()));
    for await (const r of scan(deps, baseQuery(input, { operations: [...DOWNLOADS, ...DELETES], workloads: ['SharePoint', 'OneDrive'] }))) {
      const kind = deletes.has(r.operation.toLowerCase()) ? 'delete' : 'download';
      const hour = r.creationTime - (r.creationTime % HOUR);
      const key = `${r.tenant}\u0000${r.userKey}\u0000${hour}\u0000${kind}`;
      const b = buckets.get(key);
      if (b) b.records.push(r);
      else buckets.set(key, { tenant: r.tenant, user: r.userKey ?? '', hour, kind, records: [r] });
    }
    const rows: ReportRow[] = [];
    for (const b of buckets.values()) {
      const threshold = b.kind === 'delete' ? input.params.deleteThreshold : input.params.downloadThreshold;
      if (b.records.length < threshold) continue;
      for (const r of b.records) input.count(r);
      rows.push({
        tenant: b.tenant, user: b.user, hour: toIsoSeconds(b.hour), kind: b.kind, files: b.records.length,
        sites: [...new Set(b.records.map((r) => siteOf(r.objectId)))].filter(Boolean).join(' '),
        firstId: b.records[b.records.length - 1]!.id,
      });
    }
    rows.sort((a, b) => String(b.hour).localeCompare(String(a.hour)) || Number(b.files) - Number(a.files));
    return { rows, totals: { downloadBursts: rows.filter((r) => r.kind === 'download').length, deleteBursts: rows.filter((r) => r.kind === 'delete').length } };
  },
};
