import type { ReportDeps } from './types.js';

/** Every tenant key that has records: a report without --tenant answers for all of them. */
export async function allTenants(deps: ReportDeps): Promise<string[]> {
  return [...(await deps.store.records.newest()).keys()].sort();
}
