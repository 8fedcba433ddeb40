import type { AuditRecord } from '../../core/record.js';
import type { Store, TenantRow } from '../../store/contract.js';
import { openStore } from '../../store/open.js';

/**
 * Report tests run over the real SQLite store, in memory: the search semantics a report relies on
 * (case-insensitive users and operations, workloads, newest-first order, countBy) are the ones the
 * product has, not a look-alike's. `close()` when done.
 */
export async function fixtureStore(
  records: readonly AuditRecord[] = [],
  tenants: readonly Partial<TenantRow>[] = [],
): Promise<Store> {
  const store = await openStore('sqlite::memory:');
  if (records.length) await store.records.insert(records);
  for (const t of tenants) await store.tenants.upsert(tenantRow(t));
  return store;
}

/** A registered tenant with only the fields a test cares about given. */
export function tenantRow(over: Partial<TenantRow>): TenantRow {
  return {
    name: 'contoso',
    tenantId: '0e8108b1-18e9-41a4-961b-dfcddf92ef08',
    domain: null,
    clientId: '11111111-1111-4111-8111-111111111111',
    cloud: 'commercial',
    authKind: 'secret',
    credential: 'env:TW_TEST_SECRET',
    certificatePem: null,
    publisherId: null,
    baseUrl: null,
    caFile: null,
    addedAt: 0,
    updatedAt: 0,
    ...over,
  };
}
