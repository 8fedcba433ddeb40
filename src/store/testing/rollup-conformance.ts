/**
 * The rollups against counting the records (docs/adr/0031-rollups.md), for every adapter: random inserts
 * (single, bulk, through commitBlob), duplicates within and across batches, bulk batches refused
 * part-way, retention batches and whole tenants removed, copies under upper-case GUID keys (as versions before ADR
 * 0039 stored them) and their merge (RecordStore.rekey); after every step each count and count by dimension
 * the rollups can answer (whole days, days with partial edges, filters) must equal the same count over the
 * records actually stored, read back by search. The seed is printed on failure, so a failing case can be replayed.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { AuditRecord, StoredRecord } from '../../core/record.js';
import type { CountDimension, CountRow, SearchQuery } from '../../core/search-query.js';
import type { Store } from '../contract.js';
import { rollupPlan } from '../rollup-sql.js';
import { dayOf } from '../rollups.js';
import { blobRow, DAY, HOUR, matches, record, T0, TENANT_A, TENANT_B } from './fixtures.js';
import { rng } from '../../search/testing/generate.js';

const TENANT_C = 'c3c3c3c3-0000-4000-8000-000000000003';
const TENANTS = [TENANT_A, TENANT_B, TENANT_C];
const OPERATIONS = ['FileAccessed', 'fileaccessed', 'FileModified', 'UserLoggedIn', 'MailItemsAccessed'];
const WORKLOADS = ['SharePoint', 'sharepoint', 'Exchange', 'AzureActiveDirectory', null];
const USERS = ['Alice@Contoso.com', 'alice@contoso.com', 'bob@contoso.com', 'carol@fabrikam.com', null];
const DIMENSIONS: CountDimension[] = ['operation', 'workload', 'recordType', 'tenant', 'day', 'user'];
const ALL: SearchQuery = { range: { start: -8_000_000_000_000, end: 8_000_000_000_000 } };

export function runRollupConformance(name: string, open: () => Promise<Store>): void {
  describe(`Rollup conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
      await store.migrate();
    });
    afterEach(async () => store.close());

    test('rollups equal counting the records through inserts, duplicates, retention and tenant removals', async () => {
      for (const seed of [1, 2, 3]) await property(store, seed);
    });

    test('oldest finds a tenant that starts months after the others, and passes days whose records a sweep removed', async () => {
      const TENANT_C = '9d3f1a7e-0b6c-4e2a-8f5d-3c1b2a4e6f70';
      const records = [
        // A: a record a day for 120 days; B: only from day 90; C: from day 3, its first 20 days removed below.
        ...Array.from({ length: 120 }, (_, i) => record({ creationTime: T0 - (120 - i) * DAY + 11 })),
        ...Array.from({ length: 30 }, (_, i) => record({ tenant: TENANT_B, creationTime: T0 - (30 - i) * DAY + 13 })),
        ...Array.from({ length: 117 }, (_, i) => record({ tenant: TENANT_C, creationTime: T0 - (117 - i) * DAY + 17 })),
      ];
      await store.records.insert(records);
      // A sweep of C's records older than day 23, left unfinished (PostgreSQL keeps its negative rollup rows then).
      const sweep = { tenant: TENANT_C, startedAt: T0, before: T0 - 97 * DAY };
      assert.equal((await store.retention.removeBatch(sweep, 0, 1_000, T0)).records, 20);
      const expected = new Map([
        [TENANT_A, T0 - 120 * DAY + 11],
        [TENANT_B, T0 - 30 * DAY + 13],
        [TENANT_C, T0 - 97 * DAY + 17],
      ]);
      assert.deepEqual(await store.records.oldest(), expected);
      assert.deepEqual(
        await store.records.oldest([TENANT_C, TENANT_B, 'nobody']),
        new Map([
          [TENANT_C, expected.get(TENANT_C)!],
          [TENANT_B, expected.get(TENANT_B)!],
        ]),
      );
      assert.deepEqual(await store.records.oldest([]), new Map());
    });

    test('a count over whole days reads the rollups; other filters and hour buckets read the records', () => {
      const days = { start: T0, end: T0 + 3 * DAY };
      assert.ok(rollupPlan({ range: days, operations: ['x'] }, ['operation']));
      assert.ok(rollupPlan({ range: days, users: ['x'] }, ['user']));
      assert.equal(rollupPlan({ range: days, users: ['x'] }, ['operation']), null);
      assert.equal(rollupPlan({ range: days, objects: ['x'] }, []), null);
      assert.equal(rollupPlan({ range: days }, ['hour']), null);
      assert.equal(rollupPlan({ range: { start: T0 + HOUR, end: T0 + DAY } }, []), null);
      assert.deepEqual(rollupPlan({ range: { start: T0 - HOUR, end: T0 + DAY + HOUR } }, [])?.edges, [
        { start: T0 - HOUR, end: T0 },
        { start: T0 + DAY, end: T0 + DAY + HOUR },
      ]);
    });
  });
}

async function property(store: Store, seed: number): Promise<void> {
  const next = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const made: AuditRecord[] = [];
  const fresh = (): AuditRecord => {
    const userId = pick(USERS);
    const r = record({
      tenant: pick(TENANTS),
      // Ten days around T0, some before the epoch day boundary, some at exact midnights.
      creationTime: next() < 0.1 ? T0 + Math.floor(next() * 10) * DAY : T0 + Math.floor(next() * 10 * DAY),
      recordType: pick([6, 15, 2]),
      operation: pick(OPERATIONS),
      workload: pick(WORKLOADS),
      userId,
      userKey: userId === null ? null : userId.toLowerCase(),
    });
    made.push(r);
    return r;
  };
  /**
   * A copy of a record as a version before ADR 0039 stored it: its tenant or Id (or both) in upper case, now and
   * then with other content (another operation and user: other rollup keys).
   */
  const spelled = (r: AuditRecord): AuditRecord => {
    const which = next();
    const key = {
      tenant: which < 0.6 ? r.tenant.toUpperCase() : r.tenant,
      id: which >= 0.3 ? r.id.toUpperCase() : r.id,
    };
    if (next() < 0.7) return { ...r, ...key };
    const userId = pick(USERS);
    const other = { operation: pick(OPERATIONS), userId, userKey: userId === null ? null : userId.toLowerCase() };
    return { ...r, ...key, ...other, raw: JSON.stringify({ ...(JSON.parse(r.raw) as object), ...other }) };
  };
  const batch = (): AuditRecord[] => {
    const out: AuditRecord[] = [];
    const size = 1 + Math.floor(next() * 60);
    for (let i = 0; i < size; i++) out.push(made.length && next() < 0.25 ? pick(made) : fresh());
    return out;
  };
  const ledgerSum = async (): Promise<number> => (await store.retention.removals()).reduce((n, r) => n + r.records, 0);
  const ledgerStart = await ledgerSum();
  let removed = 0;
  for (let step = 0; step < 14; step++) {
    const before = (await stored(store)).length;
    const roll = next();
    let inserted = 0;
    if (roll < 0.3) inserted = (await store.records.insert(batch())).inserted;
    else if (roll < 0.45) {
      const rows = batch();
      inserted = (await store.ledger.commitBlob(blobRow({ contentId: `s${seed}-${step}` }), rows)).inserted;
    } else if (roll < 0.6 && store.records.bulk) {
      const writer = store.records.bulk();
      try {
        inserted += (await writer.insert(batch())).inserted;
        if (next() < 0.5) {
          // A batch that fails part-way (a record the table refuses, last): none of it is stored or counted.
          const broken = { ...fresh(), operation: null as unknown as string };
          await assert.rejects(writer.insert([...batch(), broken]), `seed ${seed} step ${step}: a refused batch`);
        }
        inserted += (await writer.insert(batch())).inserted;
      } finally {
        await writer.close();
      }
    } else if (roll < 0.85) {
      const sweep = { tenant: pick(TENANTS), startedAt: seed * 100 + step, before: T0 + Math.floor(next() * 10 * DAY) };
      removed += (await store.retention.removeBatch(sweep, -8e15, 1 + Math.floor(next() * 40), T0)).records;
    } else {
      const sweep = { tenant: pick(TENANTS), startedAt: seed * 100 + step, before: Number.MAX_SAFE_INTEGER };
      for (let n = 1; n > 0;) {
        n = (await store.retention.removeBatch(sweep, -8e15, 25, T0)).records;
        removed += n;
      }
    }
    let rows = await stored(store);
    if (roll < 0.6) assert.equal(rows.length, before + inserted, `seed ${seed} step ${step}: inserted count`);
    await checkCounts(store, rows, next, `seed ${seed} step ${step}`);
    if (made.length && next() < 0.35) {
      await store.records.insert(Array.from({ length: 1 + Math.floor(next() * 25) }, () => spelled(pick(made))));
      rows = await stored(store);
      await checkCounts(store, rows, next, `seed ${seed} step ${step}: spelled as an earlier version did`);
    }
    if (store.records.rekey && next() < 0.35) {
      const dry = await store.records.rekey({ dryRun: true });
      const done = await store.records.rekey({ groupBatch: 1 + Math.floor(next() * 6), scanBatch: 7 });
      // (scanned may differ: a record moved to the lower-case tenant is read again further on.)
      assert.deepEqual(
        { ...done, dryRun: true, scanned: 0 },
        { ...dry, scanned: 0 },
        `seed ${seed} step ${step}: the dry run counts the merge`,
      );
      const left = await stored(store);
      assert.equal(left.length, rows.length - done.duplicates - done.conflicts, `seed ${seed} step ${step}: merged`);
      await checkCounts(store, left, next, `seed ${seed} step ${step}: merged`);
    }
  }
  assert.equal((await ledgerSum()) - ledgerStart, removed, `seed ${seed}: the ledger counts every removed record`);
  await store.records.rekey?.();
  for (const tenant of TENANTS) {
    const sweep = { tenant, startedAt: seed * 100 + 99, before: Number.MAX_SAFE_INTEGER };
    while ((await store.retention.removeBatch(sweep, -8e15, 500, T0)).records > 0);
  }
}

async function stored(store: Store): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const r of store.records.search(ALL)) out.push(r);
  return out;
}

async function checkCounts(store: Store, rows: StoredRecord[], next: () => number, at: string): Promise<void> {
  // oldest() starts from the rollups' earliest day: a day whose records went (its rows summing to zero, not yet
  // folded) must not hide the tenant's records of later days.
  const oldest = new Map<string, number>();
  for (const r of rows) oldest.set(r.tenant, Math.min(oldest.get(r.tenant) ?? Infinity, r.creationTime));
  assert.deepEqual(await store.records.oldest(), oldest, `${at}: oldest`);
  const queries: SearchQuery[] = [];
  for (let i = 0; i < 6; i++) {
    const startDay = T0 + Math.floor(next() * 8 - 1) * DAY;
    const whole = next() < 0.5;
    const start = whole ? startDay : startDay + Math.floor(next() * DAY);
    const end = whole ? startDay + (1 + Math.floor(next() * 9)) * DAY : start + Math.floor(next() * 9 * DAY) + 1;
    const q: SearchQuery = { range: { start, end } };
    if (next() < 0.4) {
      const tenant = TENANTS[Math.floor(next() * 3)]!;
      q.tenants = [next() < 0.3 ? tenant.toUpperCase() : tenant];
    }
    if (next() < 0.3) q.operations = [OPERATIONS[Math.floor(next() * OPERATIONS.length)]!.toUpperCase()];
    if (next() < 0.2) q.workloads = ['SHAREPOINT'];
    if (next() < 0.2) q.recordTypes = [6, 2];
    queries.push(q);
  }
  queries.push({ range: { start: dayOf(T0) - DAY, end: T0 + 11 * DAY } });
  for (const q of queries) {
    const matching = rows.filter((r) => matches(r, q));
    assert.equal(await store.records.count(q), matching.length, `${at}: count ${JSON.stringify(q)}`);
    for (const dim of DIMENSIONS) {
      if (dim === 'user' && (q.operations || q.workloads || q.recordTypes)) continue;
      const limit = next() < 0.3 ? 2 : undefined;
      const got = await store.records.countBy(q, dim, limit === undefined ? {} : { limit });
      assert.deepEqual(
        normalize(got, dim),
        expected(matching, dim, limit),
        `${at}: countBy ${dim} ${JSON.stringify(q)}`,
      );
    }
  }
}

/** The oracle: matching records counted by a dimension in countBy's order (largest first, ties by key; days in order). */
function expected(rows: StoredRecord[], dim: CountDimension, limit: number | undefined): CountRow[] {
  const counts = new Map<string | number | null, number>();
  for (const r of rows) {
    const key = keyOf(r, dim);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const out = [...counts].map(([key, count]) => ({ key, count }));
  out.sort((a, b) => (dim === 'day' ? byKey(a.key, b.key) : b.count - a.count || byKey(a.key, b.key)));
  return limit === undefined ? out : out.slice(0, limit);
}

function keyOf(r: StoredRecord, dim: CountDimension): string | number | null {
  switch (dim) {
    case 'operation':
      return r.operation.toLowerCase();
    case 'workload':
      return r.workload;
    case 'recordType':
      return r.recordType;
    case 'tenant':
      return r.tenant;
    case 'day':
      return dayOf(r.creationTime);
    default:
      return r.userKey;
  }
}

function byKey(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** The operation's key is shown as one of its stored spellings: compared lower-cased. */
function normalize(rows: CountRow[], dim: CountDimension): CountRow[] {
  return rows.map((r) => ({
    key: dim === 'operation' && typeof r.key === 'string' ? r.key.toLowerCase() : r.key,
    count: r.count,
  }));
}
