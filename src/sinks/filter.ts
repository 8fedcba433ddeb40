/**
 * Which records a sink takes. The filters are given as search filters (`--tenant`, `--record-type`,
 * `--workload`, `--operation`) and parsed by the search module's parser, so a value means here what it
 * means in `tenantwatch search` (record type names, Purview friendly operation names, commas). Matching
 * is done here on each record as it streams by.
 */
import type { StoredRecord } from '../core/record.js';
import type { SinkFilter } from '../core/sink.js';
import { parseSearchFilters, type SearchFilterInput } from '../search/filters.js';

export type SinkFilterInput = Pick<SearchFilterInput, 'tenant' | 'recordType' | 'workload' | 'operation'>;

/** Parses filter flags; tenants must already be tenant keys (the CLI resolves names). */
export function parseSinkFilter(input: SinkFilterInput): SinkFilter {
  // The parser requires a time range; a sink's filter has none, so any valid range is given and dropped.
  const q = parseSearchFilters({ ...input, start: '2000-01-01', end: '2000-01-02' }, 0);
  const out: SinkFilter = {};
  if (q.tenants?.length) out.tenants = q.tenants;
  if (q.recordTypes?.length) out.recordTypes = q.recordTypes;
  if (q.workloads?.length) out.workloads = q.workloads;
  if (q.operations?.length) out.operations = q.operations;
  return out;
}

/** A compiled filter: sets of lower-cased values, so each record costs a few lookups. */
export function compileFilter(filter: SinkFilter): (record: StoredRecord) => boolean {
  const tenants = filter.tenants?.length ? new Set(filter.tenants) : null;
  const types = filter.recordTypes?.length ? new Set(filter.recordTypes) : null;
  const workloads = filter.workloads?.length ? new Set(filter.workloads.map((w) => w.toLowerCase())) : null;
  const operations = filter.operations?.length ? new Set(filter.operations.map((o) => o.toLowerCase())) : null;
  return (r) =>
    (!tenants || tenants.has(r.tenant)) &&
    (!types || types.has(r.recordType)) &&
    (!workloads || (r.workload !== null && workloads.has(r.workload.toLowerCase()))) &&
    (!operations || operations.has(r.operation.toLowerCase()));
}

/** The filter as a person reads it in `sink list`: "tenant=a,b record-type=6" or "all records". */
export function describeFilter(filter: SinkFilter): string {
  const terms = filterTerms(filter);
  return terms.length ? terms.join(' ') : 'all records';
}

/** A filter's conditions as the flags that set them (`tenant=contoso`); none: it passes everything. */
export function filterTerms(filter: SinkFilter): string[] {
  const terms: string[] = [];
  if (filter.tenants?.length) terms.push(`tenant=${filter.tenants.join(',')}`);
  if (filter.recordTypes?.length) terms.push(`record-type=${filter.recordTypes.join(',')}`);
  if (filter.workloads?.length) terms.push(`workload=${filter.workloads.join(',')}`);
  if (filter.operations?.length) terms.push(`operation=${filter.operations.join(',')}`);
  return terms;
}
