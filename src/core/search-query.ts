import type { TimeRange } from './time.js';

/**
 * A validated search, as the store receives it. The search module turns a person's filters
 * (CLI flags, HTTP query, report parameters) into this; stores compile it to their own SQL.
 *
 * Semantics (DESIGN.md, search model): AND across filters, OR within one filter.
 * - range: [start, end) on CreationTime, epoch ms UTC. Always present.
 * - tenants: exact tenant keys.
 * - users: compared with the lower-cased UserId (exact, case-insensitive).
 * - operations: exact operation names, compared case-insensitively (friendly names already resolved).
 * - recordTypes: numbers.
 * - workloads: exact, case-insensitive.
 * - ips: addresses (port already stripped, ::ffff: mapped form folded to IPv4) or CIDR blocks.
 * - objects: case-insensitive substrings of ObjectId.
 * - freeText: case-insensitive substrings anywhere in the raw record (a person's term arrives here with the
 *   forms raw JSON writes it in as further terms: search/free-text.ts).
 * - logonTypes: Exchange LogonType numbers (0 owner, 1 admin, 2 delegate…); a record without one matches none.
 * - appsOtherThan: records an application acted in (ClientAppId/AppId) that is none of these ids
 *   (case-insensitive); an empty list: any application. Reports use it to leave Microsoft's own clients out.
 */
export interface SearchQuery {
  range: TimeRange;
  tenants?: string[];
  users?: string[];
  operations?: string[];
  recordTypes?: number[];
  workloads?: string[];
  ips?: IpFilter[];
  objects?: string[];
  freeText?: string[];
  logonTypes?: number[];
  appsOtherThan?: string[];
}

export type IpFilter =
  { kind: 'address'; address: string } | { kind: 'cidr'; network: string; prefix: number; family: 4 | 6 };

/** Where a page of results ends; the next page starts strictly after it (newest-first order). */
export interface SearchCursor {
  creationTime: number;
  tenant: string;
  id: string;
}

/** Dimensions a search can be counted by (summaries, charts, timelines). */
export const COUNT_DIMENSIONS = [
  'operation',
  'user',
  'workload',
  'recordType',
  'tenant',
  'day',
  'hour',
  'clientIp',
  'outcome',
] as const;
export type CountDimension = (typeof COUNT_DIMENSIONS)[number];

export interface CountRow {
  /** The dimension's value: a string, a number (recordType) or, for day/hour, the bucket start in epoch ms. */
  key: string | number | null;
  count: number;
}

/** One group of a count by several dimensions: the keys in the order the dimensions were given. */
export interface GroupCount {
  keys: CountRow['key'][];
  count: number;
}
