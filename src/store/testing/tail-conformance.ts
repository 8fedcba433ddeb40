/**
 * The tail read and consumer cursors in the conformance suites: arrival order through every write path,
 * positions that are never passed or reused, lag, and (where the adapter offers a way to hold a write
 * transaction open) the horizon under concurrent writers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord, StoredRecord } from '../../core/record.js';
import type { RecordStore, TailPosition } from '../contract.js';
import { record, TENANT_A, TENANT_B } from './fixtures.js';

/** A write transaction the test holds open, through the adapter's own insert code. */
export interface HeldWriter {
  insert(records: readonly AuditRecord[]): Promise<void>;
  commit(): Promise<void>;
}

export interface TailHooks {
  /** Opens a write transaction on another connection to the store under test. */
  heldWriter?: () => Promise<HeldWriter>;
  /** True when two held writers can be open at once (PostgreSQL; SQLite has one writer at a time). */
  concurrentWriters?: boolean;
}

/** Reads the tail to its current end from `from`, `limit` at a time: the ids read and the last position. */
export async function drain(
  store: { readonly records: RecordStore },
  from: TailPosition | null,
  limit = 1_000,
): Promise<{ ids: string[]; next: TailPosition | null; records: StoredRecord[] }> {
  const records: StoredRecord[] = [];
  let next = from;
  for (;;) {
    const batch = await store.records.tail(next, { limit });
    assert.ok(batch.records.length <= limit);
    if (batch.records.length === 0) {
      if (next !== null) assert.equal(batch.next, next, 'nothing new: next equals after');
      return { ids: records.map((r) => r.id), next, records };
    }
    records.push(...batch.records);
    next = batch.next;
  }
}

const ids = (records: readonly AuditRecord[]): string[] => records.map((r) => r.id);

export function runTailConformance(
  ctx: { readonly store: { readonly records: RecordStore } },
  hooks: TailHooks = {},
): void {
  test('tail: every record once in arrival order, through insert and bulk, in pages of any size', async () => {
    const s = ctx.store;
    const first = [record(), record(), record()];
    await s.records.insert([...first, first[0]!]);
    const bulk = s.records.bulk?.();
    const loaded = [record(), first[1]!, record()];
    if (bulk) {
      await bulk.insert(loaded);
      await bulk.close();
    } else await s.records.insert(loaded);
    const big = Array.from({ length: 1_200 }, () => record());
    await s.records.insert(big);
    const expected = [...ids(first), loaded[0]!.id, loaded[2]!.id, ...ids(big)];
    for (const limit of [1, 7, 5_000]) assert.deepEqual((await drain(s, null, limit)).ids, expected, `limit ${limit}`);
    const { next } = await drain(s, null);
    const later = [record(), record()];
    await s.records.insert(later);
    assert.deepEqual((await drain(s, next)).ids, ids(later), 'a saved position continues after what was read');
  });

  test('tail: tailEnd starts after what is stored; tailLag counts what lies behind a position', async () => {
    const s = ctx.store;
    assert.deepEqual(await s.records.tailLag(null), { records: 0, oldestIngestedAt: null });
    assert.deepEqual((await s.records.tail(null, { limit: 10 })).records, []);
    await s.records.insert([record(), record(), record()]);
    const end = await s.records.tailEnd();
    assert.deepEqual(await s.records.tail(end, { limit: 10 }), { records: [], next: end });
    assert.deepEqual(await s.records.tailLag(end), { records: 0, oldestIngestedAt: null });
    const fresh = [record(), record()];
    await s.records.insert(fresh);
    const behind = await s.records.tailLag(end);
    const read = await drain(s, end);
    assert.deepEqual(read.ids, ids(fresh));
    assert.deepEqual(behind, { records: 2, oldestIngestedAt: Math.min(...read.records.map((r) => r.ingestedAt)) });
    assert.equal((await s.records.tailLag(null)).records, 5);
    assert.deepEqual(await s.records.tailLag(read.next), { records: 0, oldestIngestedAt: null });
  });

  test('tail: a filtered read passes over the records it does not want, and still misses none it wants', async () => {
    const s = ctx.store;
    const mixed = Array.from({ length: 50 }, (_, i) =>
      i % 5 === 0
        ? record({ operation: 'Set-Mailbox', recordType: 1, workload: 'Exchange' })
        : i % 7 === 0
          ? record({ operation: 'UserLoggedIn', recordType: 15, workload: 'AzureActiveDirectory' })
          : record({ tenant: i % 2 ? TENANT_A : TENANT_B }),
    );
    const newestOf = (rs: readonly AuditRecord[]): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const r of rs) out[r.tenant] = Math.max(out[r.tenant] ?? -Infinity, r.creationTime);
      return out;
    };
    await s.records.insert(mixed);
    const only = { operations: ['set-mailbox'], recordTypes: [15] };
    const wanted = ids(mixed.filter((r) => r.operation === 'Set-Mailbox' || r.recordType === 15));
    for (const limit of [1, 6, 1_000]) {
      const got: string[] = [];
      let next: TailPosition | null = null;
      let scanned = 0;
      const newest: Record<string, number> = {};
      for (;;) {
        const batch = await s.records.tail(next, { limit, only });
        const passed = batch.scanned ?? batch.records.length;
        for (const [tenant, t] of Object.entries(batch.newest ?? newestOf(batch.records)))
          newest[tenant] = Math.max(newest[tenant] ?? -Infinity, t);
        assert.ok(passed <= limit && batch.records.length <= passed, `limit ${limit}: at most limit passed over`);
        got.push(...batch.records.map((r) => r.id));
        scanned += passed;
        if (!passed) {
          assert.equal(batch.next, next ?? batch.next, 'nothing new: next equals after');
          break;
        }
        next = batch.next;
      }
      // A store may ignore the hint; it may never leave out a wanted record or reorder them.
      assert.deepEqual(
        got.filter((id) => wanted.includes(id)),
        wanted,
        `limit ${limit}: every wanted record, in order`,
      );
      assert.equal(scanned, mixed.length, `limit ${limit}: every record passed over once`);
      // Time moves with the records passed over unread too (a store that ignores the hint reads them all).
      assert.deepEqual(newest, newestOf(mixed), `limit ${limit}: each tenant's newest CreationTime`);
    }
    const end = (await drain(s, null)).next;
    const filtered = await s.records.tail(end, { limit: 10, only });
    assert.deepEqual([filtered.records, filtered.next, filtered.scanned ?? 0], [[], end, 0]);
  });

  test('tail: a position this store did not make is refused; an aborted signal stops the read', async () => {
    const s = ctx.store;
    await s.records.insert([record()]);
    for (const bad of ['', 'abc', '-1', '1:2:3', '1.5', ' 1'])
      await assert.rejects(s.records.tail(bad, { limit: 10 }), { code: 'STORE_SCHEMA' }, bad);
    await assert.rejects(s.records.tailLag('nonsense'), { code: 'STORE_SCHEMA' });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(s.records.tail(null, { limit: 10, signal: controller.signal }), { code: 'CANCELLED' });
  });

  test('tail: a write transaction still open is neither read nor passed; after its commit it is read once', async (t) => {
    if (!hooks.heldWriter) return t.skip('this adapter offers no second writer to hold open');
    const s = ctx.store;
    const before = [record()];
    await s.records.insert(before);
    const a = await hooks.heldWriter();
    const a1 = [record(), record()];
    await a.insert(a1);
    const start = await drain(s, null, 1);
    assert.deepEqual(start.ids, ids(before));
    let position = start.next;
    let seen = start.ids;
    const b1: AuditRecord[] = [];
    const a2 = [record()];
    const c1: AuditRecord[] = [];
    if (hooks.concurrentWriters) {
      // A writes, B writes, A writes again (their seqs interleave), B commits, then C commits.
      const b = await hooks.heldWriter();
      b1.push(record(), record());
      await b.insert(b1);
      await a.insert(a2);
      await b.commit();
      c1.push(record());
      await s.records.insert(c1);
    } else await a.insert(a2);
    const during = await drain(s, position, 1);
    assert.deepEqual(during.ids, [], 'nothing is read past the open transaction');
    position = during.next;
    assert.equal((await s.records.tailLag(null)).records, 1 + b1.length + c1.length, 'lag sees committed rows');
    await a.commit();
    const afterCommit = await drain(s, position, 2);
    seen = [...seen, ...afterCommit.ids];
    assert.deepEqual(seen, [...ids(before), ...ids(a1), ...ids(a2), ...ids(b1), ...ids(c1)]);
    assert.deepEqual((await drain(s, null, 3)).ids, seen, 'read from the start: the same order');
  });
}
