import type { StoredRecord } from '../../core/record.js';
import { toIsoSeconds } from '../../core/time.js';
import type { ReportRow } from '../types.js';

/**
 * Bursts of failed sign-ins: per (tenant, user), a run of failures where at least `threshold` fall
 * within `windowMs`. Overlapping windows merge into one burst row (first, last, failures, addresses),
 * so a long spray shows once, not once per failure.
 */
/** What a burst needs of a failed sign-in (not its raw text: a million-record scan holds many). */
export type Failure = Pick<StoredRecord, 'tenant' | 'userKey' | 'clientIp' | 'creationTime'>;

export function findBursts(failures: readonly Failure[], threshold: number, windowMs: number): ReportRow[] {
  const byUser = new Map<string, Failure[]>();
  for (const f of failures) {
    const key = `${f.tenant}\u0000${f.userKey}`;
    const list = byUser.get(key);
    if (list) list.push(f);
    else byUser.set(key, [f]);
  }
  const rows: ReportRow[] = [];
  for (const list of byUser.values()) {
    list.sort((a, b) => a.creationTime - b.creationTime);
    // [from, to] index ranges of qualifying windows, merged when they overlap.
    let current: [number, number] | null = null;
    for (let i = 0, j = 0; j < list.length; j++) {
      while (list[j]!.creationTime - list[i]!.creationTime >= windowMs) i++;
      if (j - i + 1 < threshold) continue;
      if (current && i <= current[1]) current[1] = j;
      else {
        if (current) rows.push(burstRow(list.slice(current[0], current[1] + 1)));
        current = [i, j];
      }
    }
    if (current) rows.push(burstRow(list.slice(current[0], current[1] + 1)));
  }
  // Latest first, whatever order the failures came in (a report reads them unordered).
  return rows.sort(
    (a, b) =>
      compareText(String(b.last), String(a.last)) ||
      compareText(a.tenant, b.tenant) ||
      compareText(String(a.user), String(b.user)) ||
      compareText(String(a.first), String(b.first)),
  );
}

/** Binary string order (code units), the same in every locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function burstRow(records: Failure[]): ReportRow {
  const first = records[0]!;
  return {
    tenant: first.tenant,
    kind: 'failure-burst',
    user: first.userKey,
    failures: records.length,
    clientIp: [...new Set(records.map((r) => r.clientIp ?? ''))].join(', '),
    first: toIsoSeconds(first.creationTime),
    last: toIsoSeconds(records[records.length - 1]!.creationTime),
  };
}
