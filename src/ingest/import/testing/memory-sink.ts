import type { AuditRecord } from '../../../core/record.js';
import type { InsertResult, RecordKeys } from '../../../store/contract.js';

/**
 * An in-memory stand-in for Store.records.insert: (tenant, id) de-duplicates, like every adapter.
 * `keyed` counts the batches that came with their store keys (from the parse worker), and `keys`
 * holds those keys beside their records, in the order given.
 */
export function memorySink(): {
  records: Map<string, AuditRecord>;
  sink: (records: AuditRecord[], keys?: readonly RecordKeys[]) => Promise<InsertResult>;
  calls: number;
  keyed: number;
  keys: { record: AuditRecord; keys: RecordKeys }[];
} {
  const state = {
    records: new Map<string, AuditRecord>(),
    calls: 0,
    keyed: 0,
    keys: [] as { record: AuditRecord; keys: RecordKeys }[],
    async sink(records: AuditRecord[], keys?: readonly RecordKeys[]): Promise<InsertResult> {
      state.calls++;
      if (keys) {
        state.keyed++;
        records.forEach((record, i) => state.keys.push({ record, keys: keys[i]! }));
      }
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
