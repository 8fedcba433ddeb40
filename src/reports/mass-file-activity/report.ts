import type { StoredRecord } from '../../core/record.js';
import type { SearchQuery } from '../../core/search-query.js';
import { HOUR, toIsoSeconds, type TimeRange } from '../../core/time.js';
import { commonParams, count } from '../params.js';
import { baseQuery, scan } from '../query.js';
import type { ReportDefinition, ReportDeps, ReportRow } from '../types.js';
import { meta } from './meta.js';

const parameters = commonParams.extend({
  downloadThreshold: count(100, 'downloads by one user within any 60 minutes that make a finding'),
  deleteThreshold: count(100, 'deletions by one user within any 60 minutes that make a finding'),
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
  kind: 'download' | 'delete';
  records: StoredRecord[];
}

/** A run of one user's files in which some 60 minutes held at least the threshold. */
interface Burst {
  from: number;
  to: number;
  peak: number;
}

/**
 * Sliding windows, not clock hours: 106 downloads between 14:18 and 15:17 are one burst of 106, not 76 + 30.
 * Every 60-minute window [t, t + 1 h) ending at a record is counted with two pointers over the records in time
 * order; windows that reach the threshold and overlap merge into one burst, from its first record to its last.
 */
export function slidingBursts(times: readonly number[], threshold: number): Burst[] {
  const bursts: (Burst & { last: number })[] = [];
  let i = 0;
  for (let j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! >= HOUR) i++;
    const inWindow = j - i + 1;
    if (inWindow < threshold) continue;
    const current = bursts[bursts.length - 1];
    if (current && i <= current.last) {
      current.last = j;
      current.to = times[j]!;
      current.peak = Math.max(current.peak, inWindow);
    } else bursts.push({ from: times[i]!, to: times[j]!, peak: inWindow, last: j });
  }
  return bursts.map(({ from, to, peak }) => ({ from, to, peak }));
}

/** The site part of a file URL (…/sites/x/ or …/personal/y/), else the host. */
function siteOf(objectId: string | null): string {
  const m =
    /^(https?:\/\/[^/]+\/(?:sites|teams|personal)\/[^/]+)/i.exec(objectId ?? '') ??
    /^(https?:\/\/[^/]+)/i.exec(objectId ?? '');
  return m?.[1] ?? '';
}

/**
 * The stretches in which everyone together could have reached the threshold, merged: a 60-minute window spans
 * at most two clock hours, so only where two adjacent hours together reach it can one user have, and the
 * records of every other hour are never read (an hourly count on the operation index).
 */
async function busyStretches(deps: ReportDeps, query: SearchQuery, threshold: number): Promise<TimeRange[]> {
  const perHour = new Map<number, number>();
  for (const h of await deps.store.records.countBy(query, 'hour')) perHour.set(Number(h.key), h.count);
  const hours = [...perHour.keys()].sort((a, b) => a - b);
  const out: TimeRange[] = [];
  for (const hour of hours) {
    const pair = perHour.get(hour)! + (perHour.get(hour + HOUR) ?? 0);
    if (pair < threshold) continue;
    const start = Math.max(query.range.start, hour);
    const end = Math.min(query.range.end, hour + 2 * HOUR);
    const last = out[out.length - 1];
    if (last && last.end >= start) last.end = Math.max(last.end, end);
    else out.push({ start, end });
  }
  return out.reverse(); // newest first, as the rows are read everywhere else
}

export const massFileActivity: ReportDefinition<typeof parameters> = {
  ...meta,
  parameters,
  columns: ['tenant', 'user', 'start', 'end', 'kind', 'files', 'peakPerHour', 'sites', 'firstId'],
  async run(input, deps) {
    const buckets = new Map<string, Bucket>();
    const kinds = [
      { kind: 'download' as const, operations: DOWNLOADS, threshold: input.params.downloadThreshold },
      { kind: 'delete' as const, operations: DELETES, threshold: input.params.deleteThreshold },
    ];
    for (const { kind, operations, threshold } of kinds) {
      const query = baseQuery(input, { operations, workloads: ['SharePoint', 'OneDrive'] });
      for (const range of await busyStretches(deps, query, threshold)) {
        for await (const r of scan(deps, { ...query, range })) {
          const key = `${r.tenant}\u0000${r.userKey}\u0000${kind}`;
          const b = buckets.get(key);
          if (b) b.records.push(r);
          else buckets.set(key, { tenant: r.tenant, user: r.userKey ?? '', kind, records: [r] });
        }
      }
    }
    const rows: ReportRow[] = [];
    for (const b of buckets.values()) {
      const threshold = b.kind === 'delete' ? input.params.deleteThreshold : input.params.downloadThreshold;
      if (b.records.length < threshold) continue;
      b.records.sort((x, y) => x.creationTime - y.creationTime || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      const times = b.records.map((r) => r.creationTime);
      for (const burst of slidingBursts(times, threshold)) {
        const records = b.records.filter((r) => r.creationTime >= burst.from && r.creationTime <= burst.to);
        for (const r of records) input.count(r);
        rows.push({
          tenant: b.tenant,
          user: b.user,
          start: toIsoSeconds(burst.from),
          end: toIsoSeconds(burst.to),
          kind: b.kind,
          files: records.length,
          peakPerHour: burst.peak,
          sites: [...new Set(records.map((r) => siteOf(r.objectId)))].filter(Boolean).join(' '),
          firstId: records[0]!.id,
        });
      }
    }
    // In time order, newest burst first as every listing reads; ties by size, then user, for a stable order.
    rows.sort(
      (a, b) =>
        String(b.start).localeCompare(String(a.start)) ||
        Number(b.files) - Number(a.files) ||
        String(a.user).localeCompare(String(b.user)),
    );
    return {
      rows,
      totals: {
        downloadBursts: rows.filter((r) => r.kind === 'download').length,
        deleteBursts: rows.filter((r) => r.kind === 'delete').length,
      },
    };
  },
};
