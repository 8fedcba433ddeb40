import { recordId, type BlobCatalog } from './management/blobs.js';
import type { SimRecord } from './sim/types.js';
import type { World } from './world.js';

/**
 * Records as the search services (Search-UnifiedAuditLog, Graph audit queries) see them: every record
 * that exists with CreationTime in [from, to) up to now, once each, plus the filters those APIs share.
 */
export function recordsBetween(
  world: World,
  blobs: BlobCatalog,
  tenantId: string,
  from: number,
  to: number,
): SimRecord[] {
  const slotMs = world.tuning.slotMs;
  const end = Math.min(to, world.now() + 1);
  const seen = new Set<string>();
  const out: SimRecord[] = [];
  for (let slot = Math.floor(from / slotMs); slot * slotMs < end; slot++) {
    for (const r of blobs.slotRecords(tenantId, slot)) {
      if (r.creationTime < from || r.creationTime >= end) continue;
      const id = recordId(r);
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(r);
    }
  }
  return out;
}

export interface RecordFilter {
  operations?: string[];
  userIds?: string[];
  recordTypes?: number[];
  ipAddresses?: string[];
  objectIds?: string[];
  freeText?: string;
  workloads?: string[];
}

const lower = (x: unknown): string => (typeof x === 'string' ? x.toLowerCase() : '');

export function matches(r: SimRecord, f: RecordFilter): boolean {
  const rec = r.record;
  if (f.operations?.length && !f.operations.some((o) => lower(o) === lower(rec.Operation))) return false;
  if (f.userIds?.length && !f.userIds.some((u) => lower(u) === lower(rec.UserId))) return false;
  if (f.recordTypes?.length && !f.recordTypes.includes(Number(rec.RecordType))) return false;
  if (f.workloads?.length && !f.workloads.some((w) => lower(w) === lower(rec.Workload))) return false;
  if (f.ipAddresses?.length && !f.ipAddresses.some((ip) => lower(rec.ClientIP).startsWith(lower(ip)))) return false;
  if (f.objectIds?.length) {
    const obj = lower(rec.ObjectId);
    const ok = f.objectIds.some((o) =>
      o.startsWith('*')
        ? obj.includes(lower(o.slice(1)))
        : o.endsWith('*')
          ? obj.startsWith(lower(o.slice(0, -1)))
          : obj === lower(o),
    );
    if (!ok) return false;
  }
  if (f.freeText && !JSON.stringify(rec).toLowerCase().includes(f.freeText.toLowerCase())) return false;
  return true;
}
