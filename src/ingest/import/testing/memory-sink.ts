import type { AuditRecord } from '../../../core/record.js';
import type { InsertResult } from '../../../store/contract.js';

/** An in-memory stand-in for Store.records.insert: (tenant, id) de-duplicates, like every adapter. */
export function memorySink(): {
  records: Map<string, AuditRecord>;
  sink: (records: AuditRecord[]) => Promise<InsertResult>;
  calls: number;
} {
  const state = {
    records: new Map<string, AuditRecord>(),
    calls: 0,
    async sink(records: AuditRecord[]): Promise<InsertResult> {
      state.calls++;
      let inserted = 0;
      for (const r of records) {
        const key = `${r.tenant}\u0000${r.id}`;
        if (state.records.has(key)) continue;
        state.records.set(key, r);
        inserted++;
      }
      return { inserted, duplicates: records.length - inserted };
    },
  };
  return state;
}
