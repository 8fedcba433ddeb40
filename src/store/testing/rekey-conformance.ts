/**
 * The merge of `optimize --rekey` (RecordStore.rekey, store/rekey.ts, ADR 0039) for every adapter: a store an
 * earlier version wrote, with a tenant split under two spellings of its GUID, records stored twice, conflicting
 * copies either way round, an Id under an import label, an Id in three spellings and a conflict kept under an
 * upper-case key, ends with every record under its canonical key, once; the dry run counts the same, written nothing;
 * the substring index and the counts follow; a second run finds nothing; a lower-case copy arriving later is a
 * duplicate.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord, StoredRecord } from '../../core/record.js';
import type { SearchQuery } from '../../core/search-query.js';
import { normalizeRecord } from '../../ingest/normalize.js';
import type { RecordStore } from '../contract.js';
import { needsRekey, type RekeyResult } from '../rekey.js';
import { record, T0, TENANT_A } from './fixtures.js';

const WHOLE: SearchQuery = { range: { start: 0, end: 8_000_000_000_000 } };
const T = TENANT_A;
const TU = TENANT_A.toUpperCase();
const LABEL = 'Case-2026';

/** A GUID Id with hex letters (so its upper case is another spelling), numbered. */
function guid(n: number): string {
  return `aaaabbbb-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** A record as an earlier version stored it: keyed as spelled; `word` goes into raw (the substring index posts it). */
function stored(tenant: string, id: string, word = 'common', over: Partial<AuditRecord> = {}): AuditRecord {
  const r = record({ tenant, id, organizationId: tenant, creationTime: T0 + 3_600_000, ...over });
  return {
    ...r,
    raw: JSON.stringify({ ...(JSON.parse(r.raw) as object), RecordType: 6, OrganizationId: tenant, Note: word }),
  };
}

async function keys(records: RecordStore, query: SearchQuery = WHOLE): Promise<string[]> {
  const out: string[] = [];
  for await (const r of records.search(query)) out.push(`${r.tenant}/${r.id}`);
  return out.sort();
}

async function all(records: RecordStore): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const r of records.search(WHOLE)) out.push(r);
  return out;
}

/** The store an earlier version left, inserted one record at a time (arrival order decides which copy stays). */
async function earlierStore(records: RecordStore): Promise<Record<string, AuditRecord>> {
  const rows: Record<string, AuditRecord> = {
    split: stored(TU, guid(1), 'splitword'),
    twiceFirst: stored(TU, guid(2)),
    twiceLater: stored(T, guid(2)),
    conflictKept: stored(T, guid(3)),
    conflictGone: stored(TU, guid(3).toUpperCase(), 'lostword', { operation: 'FileDeleted' }),
    upperFirst: stored(TU, guid(4).toUpperCase(), 'firstword'),
    lowerLater: stored(T, guid(4), 'zebraword', { operation: 'FileDeleted' }),
    idOnly: stored(T, guid(5).toUpperCase()),
    labelled: stored(LABEL, guid(6).toUpperCase()),
    anonymised: stored(LABEL, 'ANONYMIZED'),
    threeA: stored(TU, guid(7).toUpperCase()),
    threeB: stored(TU, guid(7)),
    threeC: stored(T, guid(7).toUpperCase()),
    asideKey: stored(TU, guid(8).toUpperCase()),
    canonical: stored(T, guid(9)),
  };
  for (const r of Object.values(rows)) assert.equal((await records.insert([r])).inserted, 1);
  // A conflict an earlier version kept aside under the upper-case key.
  const aside = stored(TU, guid(8).toUpperCase(), 'asideword', { operation: 'FileDeleted' });
  assert.deepEqual((await records.insert([aside])).conflicts, [0]);
  rows.aside = aside;
  return rows;
}

const EXPECTED = { rekeyed: 7, duplicates: 3, conflicts: 2, tenantKeys: [TU] };

export function runRekeyConformance(ctx: { readonly store: { readonly records: RecordStore } }): void {
  test('rekey: every record moves to its lower-case key, once; a dry run counts the same and writes nothing', async (t) => {
    const records = ctx.store.records;
    if (!records.rekey) return t.skip('this store has no merge');
    const rows = await earlierStore(records);
    const before = await keys(records);
    if (records.optimize) await records.optimize({ textIndex: true });

    const counts = (r: RekeyResult) => ({
      rekeyed: r.rekeyed,
      duplicates: r.duplicates,
      conflicts: r.conflicts,
      tenantKeys: r.tenantKeys,
    });
    const dry = await records.rekey({ dryRun: true });
    assert.deepEqual(
      { ...counts(dry), dryRun: dry.dryRun, scanned: dry.scanned },
      {
        ...EXPECTED,
        dryRun: true,
        scanned: before.length,
      },
    );
    // Batches of one candidate: a group whose spellings fall in different batches is counted once.
    assert.deepEqual(counts(await records.rekey({ dryRun: true, scanBatch: 2, groupBatch: 1 })), EXPECTED);
    assert.deepEqual(await keys(records), before, 'a dry run writes nothing');

    const batches: RekeyResult[] = [];
    const done = await records.rekey({ scanBatch: 3, groupBatch: 2, onBatch: (r) => batches.push(r) });
    assert.deepEqual({ ...counts(done), dryRun: done.dryRun }, { ...EXPECTED, dryRun: false });
    assert.ok(batches.length > 2, `${batches.length} transactions`);

    const after = await all(records);
    assert.equal(after.length, before.length - EXPECTED.duplicates - EXPECTED.conflicts);
    assert.deepEqual(
      after.filter((r) => needsRekey(r)).map((r) => `${r.tenant}/${r.id}`),
      [],
      'every key is canonical',
    );
    assert.deepEqual([...(await records.newest()).keys()].sort(), [T, LABEL].sort(), 'the tenant is one key');
    const raw = async (tenant: string, id: string) => (await records.get(tenant, id))?.raw;
    assert.equal(await raw(T, guid(1)), rows.split!.raw, 'a split tenant record moved, raw untouched');
    assert.equal(await raw(T, guid(2)), rows.twiceFirst!.raw, 'of a record stored twice, the first stays');
    assert.equal(await raw(T, guid(3)), rows.conflictKept!.raw, 'the first stored stays: the lower-case one');
    assert.equal(await raw(T, guid(4)), rows.upperFirst!.raw, 'the first stored stays: the upper-case one');
    assert.equal(await raw(LABEL, guid(6)), rows.labelled!.raw, 'an Id under an import label');
    assert.equal(await raw(LABEL, 'ANONYMIZED'), rows.anonymised!.raw, 'not a GUID: as stored');
    assert.equal(await raw(T, guid(7)), rows.threeA!.raw, 'three spellings, one record');
    const aside = async (tenant: string, id: string) => (await records.conflictsOf(tenant, id)).map((c) => c.raw);
    assert.deepEqual(await aside(T, guid(3)), [rows.conflictGone!.raw], 'the other content is kept aside');
    assert.deepEqual(await aside(T, guid(4)), [rows.lowerLater!.raw]);
    assert.deepEqual(await aside(T, guid(8)), [rows.aside!.raw], 'a conflict kept before moves with its record');
    assert.deepEqual(await aside(TU, guid(8).toUpperCase()), []);

    // The substring index and the counts follow the records.
    const text = async (word: string) => keys(records, { ...WHOLE, freeText: [word] });
    assert.deepEqual(await text('splitword'), [`${T}/${guid(1)}`]);
    assert.deepEqual(await text('firstword'), [`${T}/${guid(4)}`]);
    assert.deepEqual(await text('zebraword'), [], 'a removed record is no longer found');
    assert.deepEqual(await text('lostword'), []);
    assert.equal(await records.count({ ...WHOLE, tenants: [T] }), after.filter((r) => r.tenant === T).length);
    const days = { range: { start: T0, end: T0 + 86_400_000 } };
    assert.deepEqual(await records.countBy(days, 'tenant'), [
      { key: T, count: after.filter((r) => r.tenant === T).length },
      { key: LABEL, count: 2 },
    ]);

    // Nothing left to do; a copy arriving now in lower case (another path) is the record stored.
    assert.deepEqual(counts(await records.rekey()), { rekeyed: 0, duplicates: 0, conflicts: 0, tenantKeys: [] });
    const again = normalizeRecord(rows.split!.raw.replace(TU, T), { source: 'management-api' });
    assert.ok(again.ok);
    assert.deepEqual(await records.insert([again.record]), { inserted: 0, duplicates: 1 });
  });

  test('rekey: stopped, it goes on where it stopped; after it finished, a run reads only what arrived since', async (t) => {
    const records = ctx.store.records;
    if (!records.rekey) return t.skip('this store has no merge');
    // Keys with nothing to merge that the walk reads before any candidate ('0A-…' sorts before '0E8108B1-…').
    const before = Array.from({ length: 20 }, (_, i) => stored('0A-before', `id-${String(i).padStart(2, '0')}`));
    await records.insert(before);
    await earlierStore(records);
    const stop = new AbortController();
    const first: RekeyResult[] = [];
    const options = { scanBatch: 3, groupBatch: 1 };
    await assert.rejects(
      records.rekey({
        ...options,
        signal: stop.signal,
        onBatch: (r) => {
          first.push(r);
          if (first.length === 6) stop.abort();
        },
      }),
      { name: 'AbortError' },
    );
    assert.ok(first.at(-1)!.scanned > before.length, 'stopped past the keys with nothing to merge');
    const rest = await records.rekey(options);
    assert.ok(rest.scanned < before.length, `went on where it stopped: ${rest.scanned} keys read`);
    assert.deepEqual(
      [first.at(-1)!.rekeyed + rest.rekeyed, first.at(-1)!.duplicates + rest.duplicates],
      [EXPECTED.rekeyed, EXPECTED.duplicates],
      'the two runs merged what one run merges',
    );
    assert.deepEqual(
      (await all(records)).filter((r) => needsRekey(r)).map((r) => `${r.tenant}/${r.id}`),
      [],
      'every key is canonical',
    );

    const again = await records.rekey();
    assert.deepEqual([again.scanned, again.rekeyed], [0, 0], 'after it finished: nothing read again');
    // An earlier version writing meanwhile stores an upper-case key again, anywhere in key order.
    await records.insert([stored(TU, guid(0x20)), stored(T, guid(0x21))]);
    assert.deepEqual(
      [(await records.rekey({ dryRun: true })).rekeyed, (await records.rekey({ dryRun: true })).scanned],
      [1, 2],
      'a dry run counts what arrived since, and saves nothing',
    );
    const late = await records.rekey();
    assert.deepEqual([late.scanned, late.rekeyed], [2, 1], 'only what arrived since is read');
    assert.ok(await records.get(T, guid(0x20)), 'and merged');
    assert.equal((await records.rekey()).scanned, 0);
  });

  test('rekey: a store with nothing to merge is only read', async (t) => {
    const records = ctx.store.records;
    if (!records.rekey) return t.skip('this store has no merge');
    await records.insert([record(), record({ tenant: LABEL }), record({ id: 'ANONYMIZED' })]);
    const result = await records.rekey();
    assert.deepEqual(result, {
      dryRun: false,
      scanned: 3,
      rekeyed: 0,
      duplicates: 0,
      conflicts: 0,
      tenantKeys: [],
    });
  });
}
