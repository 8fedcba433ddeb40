import type { StoredRecord } from '../../core/record.js';
import type { Store } from '../../store/contract.js';
import type { TailBatch } from '../../store/contract.js';
import type { LiveStore } from '../live.js';

/**
 * An in-memory tail and cursor table over an array, in front of a real store's alerts, posture,
 * tenants and ledger (routing's claims): the tail methods of the store contract, with a cursor write that can be made to fail once.
 */
export function fakeTail(
  store: Store,
): LiveStore & { arrived: StoredRecord[]; cursorTable: Map<string, string>; failNextSet: boolean } {
  const arrived: StoredRecord[] = [];
  const cursorTable = new Map<string, string>();
  const fake = {
    arrived,
    cursorTable,
    failNextSet: false,
    alerts: store.alerts,
    posture: store.posture,
    tenants: store.tenants,
    ledger: store.ledger,
    records: {
      get: async (tenant: string, id: string) =>
        arrived.find((r) => r.tenant === tenant && r.id === id) ?? (await store.records.get(tenant, id)),
      tail: async (after: string | null, options: { limit: number }): Promise<TailBatch> => {
        const from = after === null ? 0 : Number(after);
        const records = arrived.slice(from, from + options.limit);
        return { records, next: String(from + records.length) };
      },
      oldest: async () => {
        const out = await store.records.oldest();
        for (const r of arrived)
          if (r.creationTime < (out.get(r.tenant) ?? Infinity)) out.set(r.tenant, r.creationTime);
        return out;
      },
    },
    cursors: {
      get: async (consumer: string) => cursorTable.get(consumer) ?? null,
      set: async (consumer: string, position: string) => {
        if (fake.failNextSet) {
          fake.failNextSet = false;
          throw new Error('crash before the cursor was saved');
        }
        cursorTable.set(consumer, position);
      },
    },
  };
  return fake;
}
