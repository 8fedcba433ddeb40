import type { z } from 'zod';
import { RECORD_COLUMNS, recordRow } from '../rows.js';
import { commonParams, stringList } from '../params.js';
import { baseQuery, scan } from '../query.js';
import type { ReportDefinition, ReportRow } from '../types.js';
import { meta } from './meta.js';

const parameters = commonParams.extend({
  user: stringList.describe('the user (UserId, case-insensitive); repeatable'),
  workload: stringList.optional().describe('only these workloads (SharePoint includes OneDrive); repeatable'),
});

/** SharePoint and OneDrive are one service to the person asking (issue 6, question 2). */
export function expandWorkloads(workloads: readonly string[]): string[] {
  const out = new Set<string>();
  for (const w of workloads) {
    out.add(w);
    if (w.toLowerCase() === 'sharepoint') out.add('OneDrive');
  }
  return [...out];
}

export const userActivity: ReportDefinition<typeof parameters> = {
  ...meta,
  parameters,
  columns: [...RECORD_COLUMNS, 'recordType', 'outcome'],
  async run(input, deps) {
    const workloads = input.workloads ? expandWorkloads(input.workloads) : undefined;
    const query = baseQuery(input, workloads ? { workloads } : {});
    const groups = new Map<string, ReportRow[]>();
    for await (const record of scan(deps, query)) {
      input.count(record);
      const key = record.workload ?? '(none)';
      const list = groups.get(key) ?? [];
      list.push(recordRow(record, { recordType: record.recordType, outcome: record.outcome }));
      groups.set(key, list);
    }
    // Grouped by workload (largest first), newest first inside each group.
    const ordered = [...groups].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b));
    const totals: Record<string, number> = {};
    for (const [workload, rows] of ordered) totals[`workload:${workload}`] = rows.length;
    return { rows: ordered.flatMap(([, rows]) => rows), totals };
  },
};

export type UserActivityParams = z.output<typeof parameters>;
