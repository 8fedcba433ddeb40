import { activityCategories, recordTypes, resolveOperations } from '../core/catalog/index.js';
import type { SearchQuery } from '../core/search-query.js';
import type { RecordStore } from '../store/contract.js';
import { closeNames } from './suggest.js';

/**
 * Says when a search filter names something that no record has ever had, so that a typo never reads as
 * "nothing happened": an operation Microsoft does not log and no stored record has, a workload Microsoft 365
 * does not record, a user no stored record names. Each comes with the closest names that exist ("did you
 * mean"). Record types are refused outright by the filter parser; these cannot be, because any Exchange cmdlet
 * can be an operation and a user may simply have done nothing yet — so they are said next to the result.
 *
 * Cost: one indexed look-up (the newest match, limit 1) per operation or user value (the (operation_key, time) and (user_key, time) indexes);
 * candidate names are read only for a value never seen, from the search's own period.
 */
export interface FilterNotice {
  filter: 'operation' | 'workload' | 'user';
  value: string;
  message: string;
  suggestions: string[];
}

const ALL_TIME = { start: 0, end: 8_640_000_000_000_000 };
/** How many stored names of a kind are compared for suggestions. */
const CANDIDATES = 5_000;

let catalogueOperations: Set<string> | null = null;
let catalogueWorkloads: Map<string, string> | null = null;

function knownOperations(): Set<string> {
  catalogueOperations ??= new Set(
    activityCategories().flatMap((c) => c.activities.map((a) => a.operation.toLowerCase())),
  );
  return catalogueOperations;
}

function knownWorkloads(): Map<string, string> {
  if (!catalogueWorkloads) {
    catalogueWorkloads = new Map();
    const add = (w: string | null | undefined) => w && catalogueWorkloads!.set(w.toLowerCase(), w);
    for (const t of recordTypes()) add(t.workload);
    for (const c of activityCategories()) for (const a of c.activities) add(a.workload);
  }
  return catalogueWorkloads;
}

export async function unseenFilterValues(records: RecordStore, query: SearchQuery): Promise<FilterNotice[]> {
  const notices: FilterNotice[] = [];
  // An empty tenant list searches nothing (a caller whose scope holds no tenant): it has nothing to suggest,
  // and dropping the filter would look in every tenant (and tell such a caller whose users exist there).
  if (query.tenants?.length === 0) return notices;
  const tenants = query.tenants ? { tenants: query.tenants } : {};
  for (const operation of query.operations ?? []) {
    if (knownOperations().has(operation.toLowerCase())) continue;
    // A Purview friendly name ("Accessed file") is kept in the query beside the operations it resolves to,
    // and no record has it as its operation: it is known, not unseen (it was said to be unknown above the
    // thousands of records it matched).
    if (resolveOperations(operation).length > 0) continue;
    if (await exists(records, { range: ALL_TIME, ...tenants, operations: [operation] })) continue;
    const stored = await records.countBy({ range: query.range, ...tenants }, 'operation', { limit: CANDIDATES });
    const names = [...stored.map((r) => String(r.key)), ...catalogueNames()];
    notices.push({
      filter: 'operation',
      value: operation,
      message: `no stored record has the operation "${operation}", and Microsoft 365 does not list it`,
      suggestions: closeNames(operation, names),
    });
  }
  notices.push(...unknownWorkloads(query.workloads ?? []));
  const asked = new Set((query.workloads ?? []).map((w) => w.toLowerCase()));
  if (asked.has('sharepoint') && !asked.has('onedrive')) {
    // Purview's search keeps them apart too, but a person asking "what did she do in SharePoint" means both, and
    // the user-activity report answers it that way: say so here, or the two answers differ without a word.
    notices.push({
      filter: 'workload',
      value: 'SharePoint',
      message:
        'OneDrive activity is recorded under its own workload and is not included; add the workload OneDrive to include it (the user-activity report includes OneDrive with SharePoint)',
      suggestions: [],
    });
  }
  for (const user of query.users ?? []) {
    if (await exists(records, { range: ALL_TIME, ...tenants, users: [user] })) continue;
    const stored = await records.countBy({ range: query.range, ...tenants }, 'user', { limit: CANDIDATES });
    notices.push({
      filter: 'user',
      value: user,
      message: `no stored record names the user "${user}"${query.tenants?.length ? ' in these tenants' : ''}`,
      suggestions: closeNames(user, stored.map((r) => String(r.key ?? '')).filter(Boolean)),
    });
  }
  return notices;
}

/** A notice for each workload Microsoft 365 does not record, with the one perhaps meant. */
export function unknownWorkloads(workloads: readonly string[]): FilterNotice[] {
  return workloads
    .filter((workload) => !knownWorkloads().has(workload.toLowerCase()))
    .map((workload) => ({
      filter: 'workload' as const,
      value: workload,
      message: `"${workload}" is not a workload Microsoft 365 records`,
      suggestions: closeNames(workload, knownWorkloads().values()),
    }));
}

async function exists(records: RecordStore, query: SearchQuery): Promise<boolean> {
  for await (const _ of records.search(query, { limit: 1 })) return true;
  return false;
}

function catalogueNames(): string[] {
  return activityCategories().flatMap((c) => c.activities.map((a) => a.operation));
}

/** One line a person reads: what was never seen and what was perhaps meant. */
export function noticeLine(notice: FilterNotice): string {
  const hint = notice.suggestions.length ? `; did you mean ${notice.suggestions.map((s) => `"${s}"`).join(', ')}?` : '';
  return `${notice.message}${hint}`;
}
