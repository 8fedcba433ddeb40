import { ipMatches } from '../../core/ip.js';
import type { AuditRecord, StoredRecord } from '../../core/record.js';
import type { CountDimension, CountRow, SearchQuery } from '../../core/search-query.js';
import { HOUR, utcDay } from '../../core/time.js';
import type { InsertResult, RecordStore, SearchOptions, TenantRow } from '../../store/contract.js';
import type { ReportStore } from '../types.js';

/**
 * A RecordStore in memory with the contract's search semantics (AND across filters, OR within one,
 * case-insensitive operations/users/workloads, substring objects and free text, newest first), so
 * report tests run without a database. The real stores pass the conformance suite; this one only
 * has to be faithful enough for reports.
 */
export class MemoryRecordStore implements RecordStore {
  private readonly rows = new Map<string, StoredRecord>();

  async insert(records: readonly AuditRecord[]): Promise<InsertResult> {
    let inserted = 0;
    for (const r of records) {
      const key = `${r.tenant}\u0000${r.id}`;
      if (this.rows.has(key)) continue;
      this.rows.set(key, { ...r, ingestedAt: 0 });
      inserted++;
    }
    return { inserted, duplicates: records.length - inserted };
  }

  async *search(query: SearchQuery, options: SearchOptions = {}): AsyncIterable<StoredRecord> {
    let n = 0;
    for (const r of this.matching(query)) {
      if (options.limit !== undefined && n >= options.limit) return;
      n++;
      yield r;
    }
  }

  async count(query: SearchQuery): Promise<number> {
    return this.matching(query).length;
  }

  async countBy(query: SearchQuery, dimension: CountDimension, options: { limit?: number } = {}): Promise<CountRow[]> {
    const counts = new Map<string | number | null, number>();
    for (const r of this.matching(query)) {
      const key = dimensionOf(r, dimension);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const rows = [...counts].map(([key, count]) => ({ key, count }));
    rows.sort((a, b) => (dimension === 'day' || dimension === 'hour' ? Number(a.key) - Number(b.key) : b.count - a.count));
    return options.limit === undefined ? rows : rows.slice(0, options.limit);
  }

  async get(tenant: string, id: string): Promise<StoredRecord | null> {
    return this.rows.get(`${tenant}\u0000${id}`) ?? null;
  }

  async newest(tenants?: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const r of this.rows.values()) {
      if (tenants && !tenants.includes(r.tenant)) continue;
      out.set(r.tenant, Math.max(out.get(r.tenant) ?? 0, r.creationTime));
    }
    return out;
  }

  private matching(q: SearchQuery): StoredRecord[] {
    const lower = (list?: string[]) => list?.map((v) => v.toLowerCase());
    const ops = lower(q.operations);
    const users = lower(q.users);
    const workloads = lower(q.workloads);
    const out = [...this.rows.values()].filter(
      (r) =>
        r.creationTime >= q.range.start &&
        r.creationTime < q.range.end &&
        (!q.tenants || q.tenants.includes(r.tenant)) &&
        (!users || users.includes(r.userKey ?? '')) &&
        (!ops || ops.includes(r.operation.toLowerCase())) &&
        (!q.recordTypes || q.recordTypes.includes(r.recordType)) &&
        (!workloads || workloads.includes((r.workload ?? '').toLowerCase())) &&
        (!q.ips || q.ips.some((f) => ipMatches(r.clientIp, f))) &&
        (!q.objects || q.objects.some((o) => (r.objectId ?? '').toLowerCase().includes(o.toLowerCase()))) &&
        (!q.freeText || q.freeText.some((t) => r.raw.toLowerCase().includes(t.toLowerCase()))),
    );
    return out.sort((a, b) => b.creationTime - a.creationTime || a.tenant.localeCompare(b.tenant) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }
}

function dimensionOf(r: StoredRecord, dimension: CountDimension): string | number | null {
  switch (dimension) {
    case 'operation': return r.operation;
    case 'user': return r.userKey;
    case 'workload': return r.workload;
    case 'recordType': return r.recordType;
    case 'tenant': return r.tenant;
    case 'day': return utcDay(r.creationTime);
    case 'hour': return r.creationTime - (r.creationTime % HOUR);
    case 'clientIp': return r.clientIp;
    case 'outcome': return r.outcome;
  }
}

/** A ReportStore over memory: records plus a tenant list (for names and domains). */
export function memoryReportStore(records: readonly AuditRecord[] = [], tenants: TenantRow[] = []): ReportStore & { records: MemoryRecordStore } {
  const store = new MemoryRecordStore();
  void store.insert(records);
  return {
    records: store,
    tenants: {
      list: async () => tenants,
      get: async (nameOrId: string) =>
        tenants.find((t) => t.name.toLowerCase() === nameOrId.toLowerCase() || t.tenantId.toLowerCase() === nameOrId.toLowerCase()) ?? null,
    },
  };
}
