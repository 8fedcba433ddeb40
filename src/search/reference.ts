import { BlockList } from 'node:net';
import type { AuditRecord } from '../core/record.js';
import type { IpFilter, SearchQuery } from '../core/search-query.js';

/**
 * The search semantics of core/search-query.ts written the slow, obvious way: a record at a time, no
 * index, no SQL. It is the oracle that every store's search must agree with, record for record
 * (test/search-property.test.ts), so it shares no code with the stores (CIDR blocks are checked with
 * node's BlockList, not the stores' numeric ip keys).
 *
 * - AND across filters, OR within one; an absent filter does not constrain; an empty list matches nothing.
 * - Users, operations and workloads: equal ignoring case (JavaScript toLowerCase, the store contract's rule).
 * - Objects and free text: case-insensitive substrings of ObjectId and of the raw record text.
 * - A null field (no user, no IP, no ObjectId) matches no value of its filter.
 */
export function matches(record: AuditRecord, q: SearchQuery): boolean {
  if (record.creationTime < q.range.start || record.creationTime >= q.range.end) return false;
  if (q.tenants && !q.tenants.includes(record.tenant)) return false;
  if (q.users && !equalsAny(record.userId, q.users)) return false;
  if (q.operations && !equalsAny(record.operation, q.operations)) return false;
  if (q.recordTypes && !q.recordTypes.includes(record.recordType)) return false;
  if (q.workloads && !equalsAny(record.workload, q.workloads)) return false;
  if (q.ips && !q.ips.some((f) => ipMatches(record.clientIp, f))) return false;
  if (q.objects && !containsAny(record.objectId, q.objects)) return false;
  if (q.freeText && !containsAny(record.raw, q.freeText)) return false;
  return true;
}

/** An address equals the filter's, or lies in its block (node's own BlockList, built once per filter). */
function ipMatches(address: string | null, filter: IpFilter): boolean {
  if (address === null) return false;
  if (filter.kind === 'address') return address === filter.address;
  const family = address.includes(':') ? 6 : 4;
  if (family !== filter.family) return false;
  let list = blocks.get(filter);
  if (!list) {
    list = new BlockList();
    list.addSubnet(filter.network, filter.prefix, family === 4 ? 'ipv4' : 'ipv6');
    blocks.set(filter, list);
  }
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const blocks = new WeakMap<IpFilter, BlockList>();

function equalsAny(value: string | null, wanted: readonly string[]): boolean {
  if (value === null) return false;
  const v = value.toLowerCase();
  return wanted.some((w) => w.toLowerCase() === v);
}

function containsAny(value: string | null, terms: readonly string[]): boolean {
  if (value === null) return false;
  const v = value.toLowerCase();
  return terms.some((t) => v.includes(t.toLowerCase()));
}

/**
 * The store contract's order: newest first, then tenant, then id, all descending, compared as binary
 * strings (code unit order; the same as UTF-8 byte order for text without astral-plane characters).
 */
export function newestFirst(a: AuditRecord, b: AuditRecord): number {
  return b.creationTime - a.creationTime || compare(b.tenant, a.tenant) || compare(b.id, a.id);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Brute-force search over records in memory: the matches, newest first, at most `limit`. */
export function referenceSearch<R extends AuditRecord>(records: readonly R[], q: SearchQuery, limit?: number): R[] {
  const found = records.filter((r) => matches(r, q)).sort(newestFirst);
  return limit === undefined ? found : found.slice(0, limit);
}
