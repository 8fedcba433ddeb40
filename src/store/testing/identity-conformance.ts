/**
 * One record, one tenant, whatever case a source wrote its GUIDs in (ADR 0039), for every adapter: normalization
 * keys a GUID in lower case, and a record an earlier version stored under the spelling its source used (upper
 * case) is already stored when it comes again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeRecord } from '../../ingest/normalize.js';
import type { AuditRecord } from '../../core/record.js';
import type { RecordStore } from '../contract.js';
import { recordKeys } from '../columns.js';
import { record, T0, TENANT_A } from './fixtures.js';

const WHOLE = { range: { start: 0, end: 8_000_000_000_000 } };

/** A Management API record whose Id and OrganizationId are written in the case given. */
function normalized(id: string, organizationId: string, extra: Record<string, unknown> = {}): AuditRecord {
  const text = JSON.stringify({
    CreationTime: new Date(T0).toISOString().slice(0, 19),
    Id: id,
    Operation: 'FileAccessed',
    OrganizationId: organizationId,
    RecordType: 6,
    Workload: 'SharePoint',
    ...extra,
  });
  const result = normalizeRecord(text, { source: 'import' });
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.record;
}

/** The row an earlier version stored: the key exactly as the source spelled it. */
function storedByEarlierVersion(r: AuditRecord): AuditRecord {
  const { receivedKey, ...rest } = r;
  assert.ok(receivedKey, 'the record was spelled in upper case');
  return { ...rest, ...receivedKey };
}

export function runIdentityConformance(ctx: { readonly store: { readonly records: RecordStore } }): void {
  test('case variants of a GUID tenant or Id make one tenant and one record (a duplicate, not a conflict)', async () => {
    const id = 'b1e4c0de-7a2f-4c3b-9d8e-0f1a2b3c4d5e';
    const lower = normalized(id, TENANT_A);
    const upper = normalized(id.toUpperCase(), TENANT_A.toUpperCase());
    const mixed = normalized(id.toUpperCase(), TENANT_A);
    assert.deepEqual(await ctx.store.records.insert([upper]), { inserted: 1, duplicates: 0 });
    assert.deepEqual(await ctx.store.records.insert([lower, mixed, upper]), { inserted: 0, duplicates: 3 });
    assert.equal(await ctx.store.records.count(WHOLE), 1);
    assert.equal((await ctx.store.records.newest()).size, 1, 'one tenant');
    assert.equal((await ctx.store.records.get(TENANT_A, id))?.raw, upper.raw, 'raw as the source wrote it');
    assert.deepEqual(await ctx.store.records.conflictsOf(TENANT_A, id), []);
  });

  test('a record stored under an upper-case key by an earlier version is a duplicate when it comes again (small and COPY)', async () => {
    for (const size of [3, 1_200]) {
      const id = `c0ffee00-0000-4000-8000-${size.toString(16).padStart(12, '0')}`.toUpperCase();
      const again = normalized(id, TENANT_A.toUpperCase());
      await ctx.store.records.insert([storedByEarlierVersion(again)]);
      const changed = normalized(id, TENANT_A.toUpperCase(), { Operation: 'FileDeleted' });
      const fresh = Array.from({ length: size - 2 }, () => record());
      const batch = [...fresh.slice(0, 1), again, ...fresh.slice(1), changed];
      assert.deepEqual(
        await ctx.store.records.insert(batch),
        { inserted: size - 2, duplicates: 1, conflicts: [size - 1] },
        `batch of ${size}`,
      );
      const held = again.receivedKey!;
      assert.equal((await ctx.store.records.get(again.tenant, again.id))?.raw, undefined, 'not stored twice');
      assert.equal((await ctx.store.records.get(held.tenant, held.id))?.raw, again.raw, 'the first copy stays');
      assert.deepEqual(
        (await ctx.store.records.conflictsOf(held.tenant, held.id)).map((c) => c.raw),
        [changed.raw],
        'the other content is kept aside under the stored key',
      );
    }
  });

  test('a bulk writer counts a record stored under the key its source spelled as a duplicate', async (t) => {
    const earlier = normalized('D00DFEED-0000-4000-8000-000000000001', TENANT_A.toUpperCase());
    await ctx.store.records.insert([storedByEarlierVersion(earlier)]);
    const bulk = ctx.store.records.bulk?.();
    if (!bulk) return t.skip('this store has no bulk writer');
    const rows = [record(), earlier, record()];
    try {
      assert.deepEqual(
        await bulk.insert(
          rows,
          rows.map((r) => recordKeys(r)),
        ),
        { inserted: 2, duplicates: 1 },
      );
    } finally {
      await bulk.close();
    }
    assert.equal(await ctx.store.records.count(WHOLE), 3);
  });
}
