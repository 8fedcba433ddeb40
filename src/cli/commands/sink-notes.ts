/**
 * The notes `sink add` prints about its filter values, the same `search` prints (search/unseen.ts).
 */
import { recordTypeInfo } from '../../core/catalog/record-types.js';
import type { SinkRow } from '../../core/sink.js';
import { noticeLine, unseenFilterValues } from '../../search/unseen.js';
import type { Store } from '../../store/contract.js';

/**
 * What `search` says about the same filter values (search/unseen.ts: an operation neither Microsoft lists nor
 * any stored record has, a workload Microsoft 365 does not record), and a record type number not in the
 * catalogue — accepted, since Microsoft adds types, but said, so a typo never reads as "nothing to forward".
 */
export async function filterNotes(store: Store, row: SinkRow, now: number): Promise<string[]> {
  const f = row.filter;
  const notes = (f.recordTypes ?? [])
    .filter((n) => !recordTypeInfo(n))
    .map((n) => `record-type: ${n} is not a record type Microsoft 365 is known to send`);
  const query = {
    range: { start: 0, end: now },
    ...(f.tenants?.length ? { tenants: f.tenants } : {}),
    ...(f.operations?.length ? { operations: f.operations } : {}),
    ...(f.workloads?.length ? { workloads: f.workloads } : {}),
  };
  for (const notice of await unseenFilterValues(store.records, query))
    notes.push(`${notice.filter}: ${noticeLine(notice)}`);
  return notes;
}
