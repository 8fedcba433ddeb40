import data from './data/activities.json' with { type: 'json' };
import { lookupKey } from './lookup-key.js';

/**
 * The Purview activity catalogue (spec/schema/activities.json): friendly name ↔ operation ↔ workload ↔
 * category. Labels are keyed on operation AND workload, because 35 operation strings are reused by
 * several workloads (schema.md quirk 9: FileDownloaded in SharePoint and Viva Engage, …).
 */
export interface Activity {
  operation: string;
  /** The Purview dropdown label ("Accessed file"); '' when the docs give none. */
  friendly: string;
  workload: string | null;
  category: string;
}

type Row = [string, string, string | null, number];

const categoryNames = data.categories;
const all: Activity[] = (data.rows as unknown as Row[]).map(([operation, friendly, workload, category]) => ({
  operation,
  friendly,
  workload,
  category: categoryNames[category] ?? '',
}));

/** lookupKey(operation) → its activities (one per workload). */
const byOperation = new Map<string, Activity[]>();
/** lookupKey(friendly) → operations it stands for. */
const byFriendly = new Map<string, Set<string>>();
for (const activity of all) {
  push(byOperation, lookupKey(activity.operation), activity);
  if (activity.friendly) {
    const key = lookupKey(activity.friendly);
    const set = byFriendly.get(key) ?? new Set<string>();
    set.add(activity.operation);
    byFriendly.set(key, set);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Trailing period tolerated for Entra operations ("Update user" finds "Update user."). */
function operationMatches(key: string): Activity[] | undefined {
  return byOperation.get(key) ?? (key.endsWith('.') ? undefined : byOperation.get(key + '.'));
}

/**
 * The exact operation names a person means: an operation in any case ("fileaccessed" → FileAccessed)
 * or a Purview friendly name ("Accessed file" → FileAccessed). Both when a text is both. [] when unknown.
 */
export function resolveOperations(input: string): string[] {
  const key = lookupKey(input);
  if (key === '') return [];
  const found = new Set<string>();
  for (const activity of operationMatches(key) ?? []) found.add(activity.operation);
  for (const operation of byFriendly.get(key) ?? []) found.add(operation);
  return [...found];
}

/**
 * The catalogue entry for an operation as emitted, preferring the one of the record's workload; an
 * operation known under one workload only is returned whatever the workload asked for is.
 */
export function activityFor(operation: string, workload?: string | null): Activity | undefined {
  const list = operationMatches(lookupKey(operation));
  if (!list) return undefined;
  if (workload) {
    const wanted = lookupKey(workload);
    const same = list.find((a) => a.workload !== null && lookupKey(a.workload) === wanted);
    if (same) return same;
    if (list.length > 1) return list.find((a) => a.workload === null);
  }
  return list[0];
}

/** Activities grouped by category, in catalogue order (the web console's activity picker). */
export function activityCategories(): { category: string; activities: Activity[] }[] {
  const groups = new Map<string, Activity[]>();
  for (const activity of all) push(groups, activity.category, activity);
  return [...groups].map(([category, activities]) => ({ category, activities: [...activities] }));
}
