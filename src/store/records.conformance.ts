import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { parseIpFilter } from '../core/ip.js';
import type { AuditRecord, StoredRecord } from '../core/record.js';
import type { IpFilter, SearchQuery } from '../core/search-query.js';
import { recordKeys } from './columns.js';
import type { RecordStore } from './contract.js';
import { runNormalizedConformance } from './testing/normalized-conformance.js';
import { runIdentityConformance } from './testing/identity-conformance.js';
import { runRekeyConformance } from './testing/rekey-conformance.js';
import { runTailConformance, type TailHooks } from './testing/tail-conformance.js';
import { DAY, expectedIds, HOUR, record, T0, TENANT_A, TENANT_B } from './testing/fixtures.js';

/**
 * The conformance suite of the records part of the contract (RecordStore): every adapter passes it,
 * and so would a records-only engine, which needs nothing of the state part to run it. `open` returns
 * a fresh, empty store each time. Search answers are compared with a brute-force filter over the same
 * records (testing/fixtures.ts), so semantics cannot drift between adapters.
 */
export function runRecordsConformance(
  name: string,
  open: () => Promise<RecordsUnderTest>,
  hooks: TailHooks = {},
): void {
  describe(`Records conformance: ${name}`, () => {
    let store: RecordsUnderTest;
    beforeEach(async () => {
      store = await open();
      await store.migrate();
    });
    afterEach(async () => store.close());
    const ctx = {
      get store() {
        return store;
      },
    };
    recordTests(ctx);
    runNormalizedConformance(ctx);
    runIdentityConformance(ctx);
    runRekeyConformance(ctx);
    searchTests(ctx);
    runTailConformance(ctx, hooks);
  });
}

/** What the records suite needs of a store: its records, and a schema to create and re-create. */
export interface RecordsUnderTest {
  readonly records: RecordStore;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreContext {
  readonly store: RecordsUnderTest;
}

const ALL: SearchQuery = { range: { start: 0, end: 8_000_000_000_000 } };

async function collect(it: AsyncIterable<StoredRecord>): Promise<string[]> {
  const out: string[] = [];
  for await (const r of it) out.push(`${r.tenant}/${r.id}`);
  return out;
}

function ip(text: string): IpFilter {
  const f = parseIpFilter(text);
  assert.ok(f, text);
  return f;
}

function recordTests(ctx: StoreContext): void {
  test('migrate runs again safely and keeps the data', async () => {
    await ctx.store.records.insert([record()]);
    await ctx.store.migrate();
    assert.equal(await ctx.store.records.count(ALL), 1);
  });

  test('a record already stored is ignored and counted as a duplicate, within and across batches', async () => {
    const a = record();
    const b = record();
    assert.deepEqual(await ctx.store.records.insert([a, b, { ...a, operation: 'Changed' }]), {
      inserted: 2,
      duplicates: 1,
    });
    assert.deepEqual(await ctx.store.records.insert([b, record({ tenant: TENANT_B, id: a.id })]), {
      inserted: 1,
      duplicates: 1,
    });
    assert.equal((await ctx.store.records.get(a.tenant, a.id))?.operation, 'FileAccessed', 'the first copy stays');
    assert.equal(await ctx.store.records.count(ALL), 3);
    assert.deepEqual(await ctx.store.records.insert([]), { inserted: 0, duplicates: 0 });
  });

  test('a stored Id arriving with other content is a conflict: the first stays, the other is kept aside (small and COPY)', async () => {
    for (const size of [3, 1_200]) {
      const a = record({ raw: '{"Id":"a","Operation":"FileAccessed","N":1}' });
      const rows = Array.from({ length: size - 2 }, () => record());
      const reordered = { ...a, raw: '{ "N": 1, "Operation": "FileAccessed", "Id": "a" }' };
      const changed = { ...a, raw: '{"Id":"a","Operation":"FileDeleted","N":1}', source: 'import' as const };
      rows.push(a, changed);
      const first = await ctx.store.records.insert(rows);
      assert.deepEqual(first, { inserted: size - 1, duplicates: 0, conflicts: [size - 1] }, 'within a batch');
      const again = await ctx.store.records.insert([reordered, changed, record(), a]);
      assert.deepEqual(again, { inserted: 1, duplicates: 2, conflicts: [1] }, 'key order is not content');
      // A Graph copy stored with its OData annotation (before normalizing dropped it) is the same record.
      const annotated = record({ raw: '{"@odata.type":"#microsoft.graph.security.defaultAuditData","Id":"g","N":1}' });
      await ctx.store.records.insert([annotated]);
      const plain = { ...annotated, raw: '{"Id":"g","N":1}' };
      assert.deepEqual(await ctx.store.records.insert([plain]), { inserted: 0, duplicates: 1 }, 'annotation');
      assert.equal((await ctx.store.records.get(a.tenant, a.id))?.raw, a.raw, 'the first content stays');
      const kept = await ctx.store.records.conflictsOf(a.tenant, a.id);
      assert.deepEqual(
        kept.map((c) => [c.raw, c.source]),
        [[changed.raw, 'import']],
        'the other content is kept once, recoverable',
      );
      assert.equal(typeof kept[0]!.seenAt, 'number');
      assert.deepEqual(await ctx.store.records.conflictsOf(a.tenant, 'other'), []);
    }
  });

  test('get returns every field as stored, raw byte for byte, and null for an unknown record', async () => {
    const raw = '{"Id":"x", "Name":"M\u00fcller \u2603",\n "Text":"tab\\tand \\"quotes\\""}';
    const r = record({
      raw,
      clientPort: 51234,
      userType: 10,
      resultStatus: null,
      workload: null,
      contentType: null,
      source: 'import',
      outcome: 'failure',
      appId: '47629505-c2b6-4a80-adb1-9b3a3d233b7b',
      logonType: 2,
    });
    await ctx.store.records.insert([r]);
    const got = await ctx.store.records.get(r.tenant, r.id);
    assert.ok(got);
    const { ingestedAt, ...rest } = got;
    assert.deepEqual(rest, r);
    assert.equal(typeof ingestedAt, 'number');
    assert.ok(ingestedAt > 0);
    assert.equal(await ctx.store.records.get(r.tenant, 'missing'), null);
    assert.equal(await ctx.store.records.get(TENANT_B, r.id), null);
  });

  test('a large batch (the COPY path in PostgreSQL) keeps counts exact and every byte of raw', async () => {
    const tricky = '{"A":"tab\there","B":"line\nbreak","C":"back\\slash \\N","D":"\u00e9\u2603 \ud83d\ude00","E":"\r"}';
    const unc = String.raw`\\server\share\N`;
    const rows = Array.from({ length: 1_500 }, (_, i) =>
      record(i === 7 ? { raw: tricky } : i === 9 ? { objectId: unc } : {}),
    );
    const literal = record({ raw: 'tab\there\nnewline\\ and \\N' });
    rows.push(literal, rows[0]!, rows[1]!);
    assert.deepEqual(await ctx.store.records.insert(rows), { inserted: 1_501, duplicates: 2 });
    assert.equal((await ctx.store.records.get(rows[7]!.tenant, rows[7]!.id))?.raw, tricky);
    assert.equal((await ctx.store.records.get(rows[9]!.tenant, rows[9]!.id))?.objectId, unc);
    assert.equal((await ctx.store.records.get(literal.tenant, literal.id))?.raw, literal.raw);
    assert.equal((await ctx.store.records.get(rows[3]!.tenant, rows[3]!.id))?.userKey, 'alice@contoso.com');
    assert.deepEqual(await ctx.store.records.insert(rows.slice(0, 1_200)), { inserted: 0, duplicates: 1_200 });
  });

  test('a NUL character in a field is stored as the escape \\u0000 and never fails its batch (small and COPY)', async () => {
    for (const size of [101, 1_500]) {
      const rows = Array.from({ length: size }, () => record());
      const nul = record({ operation: 'File\u0000Accessed', userId: 'a\u0000@b.c', userKey: 'a\u0000@b.c' });
      rows.splice(50, 0, nul);
      assert.deepEqual(await ctx.store.records.insert(rows), { inserted: size + 1, duplicates: 0 });
      const got = await ctx.store.records.get(nul.tenant, nul.id);
      assert.ok(got);
      assert.equal(got.operation, 'File\\u0000Accessed');
      assert.equal(got.userId, 'a\\u0000@b.c');
      assert.equal(got.raw, nul.raw, 'raw keeps the original (JSON writes U+0000 as its escape)');
      assert.equal(JSON.parse(`"${got.operation}"`), nul.operation, 'the original is recoverable');
    }
  });

  test('newest gives the latest CreationTime per tenant', async () => {
    await ctx.store.records.insert([
      record({ creationTime: T0 + 5 }),
      record({ creationTime: T0 + 9 }),
      record({ tenant: TENANT_B, creationTime: T0 + 1 }),
    ]);
    assert.deepEqual(
      await ctx.store.records.newest(),
      new Map([
        [TENANT_A, T0 + 9],
        [TENANT_B, T0 + 1],
      ]),
    );
    assert.deepEqual(await ctx.store.records.newest([TENANT_B, 'nobody']), new Map([[TENANT_B, T0 + 1]]));
  });

  test('tenantKeysAlike finds the tenant keys equal but for case, and only those', async () => {
    const stored = ['Case-2026', 'CASE-2026', 'case-2027', 'Case-20260', 'Case-202', 'Café', 'K9', '\u212A9', 'οδος'];
    await ctx.store.records.insert([...stored.map((tenant) => record({ tenant })), record()]);
    const alike = (label: string) => ctx.store.records.tenantKeysAlike(label);
    assert.deepEqual(await alike('case-2026'), ['CASE-2026', 'Case-2026'], 'in code point order');
    assert.deepEqual(await alike('Case-2026'), ['CASE-2026', 'Case-2026'], 'the label itself among them');
    assert.deepEqual(await alike('CASE-2027'), ['case-2027']);
    assert.deepEqual(await alike('CAFÉ'), ['Café']);
    assert.deepEqual(await alike('k9'), ['K9', '\u212A9'], 'the Kelvin sign lower-cases to k');
    assert.deepEqual(await alike('ΟΔΟΣ'), ['οδος']);
    for (const none of ['case-202x', 'case-20', 'nobody', '', TENANT_A.toUpperCase() + 'x'])
      assert.deepEqual(await alike(none), [], none);
    assert.deepEqual(await alike(TENANT_A.toUpperCase()), [TENANT_A]);
  });

  test('tenantKeysAlike and guidTenantKeys find every spelling of a GUID, and only those, among keys that sort between them', async () => {
    const guid = '0e8108b1-18e9-41a4-961b-dfcddf92ef0a';
    const spellings = [guid, guid.toUpperCase(), '0E8108b1-18e9-41a4-961b-dfcddf92ef0a'];
    // Keys in code point order between the all-upper and the all-lower spelling, that are none of them.
    const between = ['0F000000-0000-4000-8000-000000000000', '0a8108b1-18e9-41a4-961b-dfcddf92ef0a', '0E8108B1', 'x'];
    await ctx.store.records.insert([...spellings, ...between].map((tenant) => record({ tenant })));
    const sorted = [...spellings].sort();
    for (const label of spellings) assert.deepEqual(await ctx.store.records.tenantKeysAlike(label), sorted, label);
    assert.deepEqual(await ctx.store.records.tenantKeysAlike('0e8108b1-18e9-41a4-961b-dfcddf92ef0b'), []);
    // Many at once (a user's list of tenants): each GUID's spellings, in one answer in code point order.
    const other = '0a8108b1-18e9-41a4-961b-dfcddf92ef0a';
    assert.deepEqual(
      await ctx.store.records.guidTenantKeys([
        other.toUpperCase(),
        guid,
        '0e8108b1-18e9-41a4-961b-dfcddf92ef0b',
        'x',
        guid,
      ]),
      [...sorted, other].sort(),
    );
    assert.deepEqual(await ctx.store.records.guidTenantKeys([]), []);
  });

  test('oldest gives the earliest CreationTime per tenant, and follows deletions', async () => {
    const DAY = 86_400_000;
    await ctx.store.records.insert([
      record({ creationTime: T0 + 5 }),
      record({ creationTime: T0 - 3 * DAY + 7 }),
      record({ creationTime: T0 - 3 * DAY + 9 }),
      record({ tenant: TENANT_B, creationTime: T0 + DAY + 1 }),
    ]);
    assert.deepEqual(
      await ctx.store.records.oldest(),
      new Map([
        [TENANT_A, T0 - 3 * DAY + 7],
        [TENANT_B, T0 + DAY + 1],
      ]),
    );
    assert.deepEqual(await ctx.store.records.oldest([TENANT_B, 'nobody']), new Map([[TENANT_B, T0 + DAY + 1]]));
    await ctx.store.records.purgeTenant(TENANT_B);
    assert.deepEqual(await ctx.store.records.oldest([TENANT_B]), new Map());
  });

  test("purgeTenant deletes exactly one tenant's records, in batches, with the count; the tail goes on", async () => {
    const many = Array.from({ length: 5_003 }, () => record({ raw: '{"note":"Zanzibar purged"}' }));
    const kept = [record({ tenant: TENANT_B }), record({ tenant: TENANT_B, raw: '{"note":"Zanzibar kept"}' })];
    await ctx.store.records.insert([...many, ...kept]);
    const before = await ctx.store.records.tail(null, { limit: 10_000 });
    await ctx.store.records.optimize?.({ textIndex: true });
    assert.equal(await ctx.store.records.purgeTenant(TENANT_A), 5_003, 'the count of records deleted');
    assert.equal(await ctx.store.records.count({ ...ALL, tenants: [TENANT_A] }), 0);
    assert.equal(await ctx.store.records.get(TENANT_A, many[0]!.id), null);
    assert.deepEqual(await collect(ctx.store.records.search(ALL)), expectedIds(kept, ALL), 'the other tenant stays');
    const text = { ...ALL, freeText: ['zanzibar'] };
    assert.deepEqual(await collect(ctx.store.records.search(text)), expectedIds(kept, text), 'the text index agrees');
    assert.deepEqual(await ctx.store.records.newest([TENANT_A]), new Map());
    assert.equal(await ctx.store.records.purgeTenant(TENANT_A), 0, 'a second purge finds nothing');
    const again = record();
    await ctx.store.records.insert([again]);
    const after = await ctx.store.records.tail(before.next, { limit: 10 });
    assert.deepEqual(
      after.records.map((r) => r.id),
      [again.id],
      'a record stored after the purge is next in the tail',
    );
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(ctx.store.records.purgeTenant(TENANT_B, { signal: aborted.signal }));
    assert.equal(await ctx.store.records.count({ ...ALL, tenants: [TENANT_B] }), 2, 'an aborted purge deletes nothing');
  });

  test('a bulk writer (when offered) counts exactly and makes everything visible at close', async (t) => {
    const bulk = ctx.store.records.bulk?.();
    if (!bulk) return t.skip('this store has no bulk writer');
    const rows = Array.from({ length: 30 }, () => record());
    try {
      assert.deepEqual(await bulk.insert(rows.slice(0, 20)), { inserted: 20, duplicates: 0 });
      assert.deepEqual(await bulk.insert(rows.slice(10)), { inserted: 10, duplicates: 10 });
      await assert.rejects(bulk.insert([record(), record({ operation: null as unknown as string })]));
    } finally {
      await bulk.close();
    }
    assert.equal(await ctx.store.records.count(ALL), 30, 'a failed batch leaves nothing, earlier batches stay');
  });

  test('a bulk writer storing batches at once (when it offers to) stores each record once and counts exactly', async (t) => {
    const bulk = ctx.store.records.bulk?.();
    if (!bulk?.concurrency || bulk.concurrency < 2) {
      await bulk?.close();
      return t.skip('this store stores one bulk batch at a time');
    }
    // Overlapping batches given at once, months apart (partitions made by concurrent batches), one of them
    // large (PostgreSQL COPYs it), each repeating records of the others.
    const months = [0, 40, 80, 120].map((d) => T0 + d * DAY);
    const all = months.flatMap((at) => Array.from({ length: 700 }, (_, i) => record({ creationTime: at + i * 1000 })));
    const batches = [
      all.slice(0, 1_400),
      [...all.slice(700, 1_100), ...all.slice(2_100)],
      [...all.slice(1_000, 2_200), ...all.slice(0, 50)],
    ];
    let inserted = 0;
    let duplicates = 0;
    try {
      for (let i = 0; i < batches.length; i += bulk.concurrency) {
        const results = await Promise.all(batches.slice(i, i + bulk.concurrency).map((b) => bulk.insert(b)));
        for (const r of results) {
          inserted += r.inserted;
          duplicates += r.duplicates;
        }
      }
    } finally {
      await bulk.close();
    }
    const given = batches.reduce((n, b) => n + b.length, 0);
    assert.equal(inserted, all.length, 'each record counted as inserted once');
    assert.equal(duplicates, given - all.length, 'the rest counted as duplicates');
    const wide: SearchQuery = { range: { start: T0 - DAY, end: T0 + 200 * DAY } };
    assert.equal((await collect(ctx.store.records.search(wide))).length, all.length, 'each stored once');
    assert.equal(await ctx.store.records.count(wide), all.length, 'the rollups count each once');
  });

  test('a bulk batch with its keys computed elsewhere (the parse worker) is stored as the store derives it', async (t) => {
    const bulk = ctx.store.records.bulk?.();
    if (!bulk) return t.skip('this store has no bulk writer');
    const given = [
      record({ operation: 'FileAccessed', userId: 'Zoë@Contoso.com', clientIp: '2001:db8::1', objectId: 'Größe.docx' }),
      record({ operation: 'File\u0000Accessed', workload: 'Exchange', clientIp: null }),
      ...Array.from({ length: 1_200 }, (_, i) => record({ clientIp: `203.0.113.${i % 5}`, objectId: 'Report.DOCX' })),
    ];
    try {
      // As the worker sends them: with raw's UTF-8 bytes.
      await bulk.insert(
        given,
        given.map((r) => ({ ...recordKeys(r), rawBytes: Buffer.from(r.raw, 'utf8') })),
      );
      await bulk.insert(given.map((r) => ({ ...r, tenant: TENANT_B })));
    } finally {
      await bulk.close();
    }
    const idsOf = async (query: SearchQuery, tenant: string) =>
      (await collect(ctx.store.records.search({ ...query, tenants: [tenant] }))).map((k) => k.slice(tenant.length));
    for (const query of [
      { ...ALL, ips: [ip('2001:db8::/32')] },
      { ...ALL, ips: [ip('203.0.113.0/30')] },
      { ...ALL, workloads: ['exchange'] },
      { ...ALL, operations: ['fileaccessed'] },
      { ...ALL, objects: ['größe', 'report.docx'] },
      { ...ALL, freeText: ['"report.docx"'] },
      { ...ALL, freeText: ['zoë@contoso'] },
    ]) {
      const a = await idsOf(query, TENANT_A);
      assert.ok(a.length > 0, JSON.stringify(query));
      assert.deepEqual(a, await idsOf(query, TENANT_B), JSON.stringify(query));
    }
    const stored = await ctx.store.records.get(given[1]!.tenant, given[1]!.id);
    assert.equal(stored?.operation, 'File\\u0000Accessed');
    for (const r of [given[0]!, given[2]!])
      assert.equal((await ctx.store.records.get(r.tenant, r.id))?.raw, r.raw, 'raw as given');
  });
}

/** Records that exercise every filter: cases, metacharacters, addresses, tenants, ties. */
function dataset(): AuditRecord[] {
  return [
    record({ userId: 'Alice@Contoso.com', operation: 'FileAccessed', clientIp: '203.0.113.10' }),
    record({
      userId: 'BOB@contoso.com',
      operation: 'FileDownloaded',
      objectId: 'https://contoso.sharepoint.com/sites/HR/100% raise.docx',
      clientIp: '203.0.113.200',
    }),
    record({
      userId: 'bob@contoso.com',
      operation: 'MailItemsAccessed',
      workload: 'Exchange',
      recordType: 50,
      objectId: 'a_b',
      clientIp: '198.51.100.7',
      logonType: 2,
      appId: 'd3590ed6-52b3-4102-aeff-aad2292ab01c',
    }),
    record({
      userId: 'carol@fabrikam.com',
      operation: 'Set-Mailbox',
      workload: 'Exchange',
      recordType: 1,
      objectId: 'c\\d',
      clientIp: '2001:db8::1',
      tenant: TENANT_B,
    }),
    record({
      userId: 'dave@contoso.com',
      operation: 'UserLoggedIn',
      workload: 'AzureActiveDirectory',
      recordType: 15,
      clientIp: '2001:db8:0:1::5',
      outcome: 'failure',
    }),
    record({ userId: 'erin@contoso.com', operation: 'fileaccessed', clientIp: null, objectId: null, workload: null }),
    record({
      userId: null,
      operation: 'New-InboxRule',
      workload: 'Exchange',
      recordType: 1,
      objectId: 'Müller Ärger',
      clientIp: '10.1.2.3',
      logonType: 0,
      appId: '47629505-c2b6-4a80-adb1-9b3a3d233b7b',
    }),
    record({
      raw: '{"Text":"Zanzibar RARE-token with 100% and a_b and c\\\\d and \' OR 1=1 --"}',
      operation: 'SharingSet',
    }),
    record({ raw: '{"Name":"STRASSE Müller ÄRGER"}', operation: 'SharingSet', tenant: TENANT_B }),
    record({ creationTime: T0 + 3 * DAY, tenant: TENANT_B, id: 'tie-1' }),
    record({ creationTime: T0 + 3 * DAY, tenant: TENANT_A, id: 'tie-2' }),
    record({ creationTime: T0 + 3 * DAY, tenant: TENANT_A, id: 'tie-3' }),
    record({ creationTime: T0 + 2 * DAY, id: 'at-end' }),
    record({ creationTime: T0 + DAY, id: 'at-start' }),
  ];
}

const QUERIES: [string, Omit<SearchQuery, 'range'>, number][] = [
  ['users, any case', { users: ['ALICE@contoso.COM', 'bob@CONTOSO.com'] }, -1],
  ['operations, any case', { operations: ['FILEACCESSED'] }, 2 + 5],
  ['record types', { recordTypes: [1, 50] }, 3],
  ['workloads, any case', { workloads: ['exchange'] }, 3],
  ['tenants', { tenants: [TENANT_B] }, 3],
  ['an IPv4 address', { ips: [ip('203.0.113.10')] }, -1],
  ['an IPv4 CIDR', { ips: [ip('203.0.113.0/24')] }, -1],
  ['an IPv6 address in another spelling', { ips: [ip('2001:0db8:0000:0000:0000:0000:0000:0001')] }, 1],
  ['an IPv6 CIDR', { ips: [ip('2001:db8::/48')] }, 2],
  ['a narrow IPv6 CIDR', { ips: [ip('2001:db8:0:1::/64')] }, 1],
  ['a mapped address finds the IPv4', { ips: [ip('::ffff:198.51.100.7')] }, 1],
  ['objects, substring any case', { objects: ['SITES/hr'] }, 1],
  ['objects: % is literal', { objects: ['%'] }, 1],
  ['objects: _ is literal', { objects: ['_'] }, 1],
  ['objects: backslash is literal', { objects: ['\\'] }, 1],
  ['objects: non-ASCII any case', { objects: ['MÜLLER ä'] }, 1],
  ['free text, any case', { freeText: ['zanzibar rare'] }, 1],
  ['free text: short term', { freeText: ['%'] }, -1],
  ['free text: non-ASCII, in raw and ObjectId', { freeText: ['müller är'] }, 2],
  ['free text: OR within', { freeText: ['rare-token', 'strasse'] }, 2],
  ['injection in a user', { users: ["' OR 1=1 --"] }, 0],
  ['injection in free text matches only its literal text', { freeText: ["' OR 1=1 --"] }, 1],
  ['injection in objects', { objects: ["'); DROP TABLE records; --"] }, 0],
  ['injection in operations', { operations: ['x" OR "1"="1'] }, 0],
  ['AND across filters', { users: ['bob@contoso.com'], workloads: ['Exchange'], ips: [ip('198.51.100.0/24')] }, 1],
  ['an empty filter list matches nothing', { users: [] }, 0],
  ['logon types', { logonTypes: [0, 2] }, 2],
  ['an application other than these, any case', { appsOtherThan: ['D3590ED6-52B3-4102-AEFF-AAD2292AB01C'] }, 1],
  ['any application', { appsOtherThan: [] }, 2],
  ['logon type and application together', { logonTypes: [0], appsOtherThan: ['x'] }, 1],
];

function searchTests(ctx: StoreContext): void {
  for (const [what, filters, expected] of QUERIES) {
    test(`search: ${what}`, async () => {
      const records = dataset();
      await ctx.store.records.insert(records);
      const query: SearchQuery = { ...ALL, ...filters };
      const want = expectedIds(records, query);
      if (expected >= 0) assert.equal(want.length, expected, 'the fixture expectation itself');
      assert.deepEqual(await collect(ctx.store.records.search(query)), want);
      assert.equal(await ctx.store.records.count(query), want.length);
      assert.equal(await ctx.store.records.count(ALL), records.length, 'nothing dropped or altered by the query');
    });
  }

  test('search: the range is [start, end) and results are newest first, ties by tenant then id descending', async () => {
    const records = dataset();
    await ctx.store.records.insert(records);
    const query: SearchQuery = { range: { start: T0 + DAY, end: T0 + 2 * DAY } };
    const ids = await collect(ctx.store.records.search(query));
    assert.ok(ids.includes(`${TENANT_A}/at-start`));
    assert.ok(!ids.includes(`${TENANT_A}/at-end`));
    const all = await collect(ctx.store.records.search(ALL));
    assert.deepEqual(all.slice(0, 3), [`${TENANT_B}/tie-1`, `${TENANT_A}/tie-3`, `${TENANT_A}/tie-2`]);
    assert.deepEqual(all, expectedIds(records, ALL));
  });

  test('search: pages through the cursor give exactly one full read; limit is honoured', async () => {
    const records = [
      ...dataset(),
      ...Array.from({ length: 40 }, (_, i) => record({ creationTime: T0 + (i % 7) * HOUR })),
    ];
    await ctx.store.records.insert(records);
    const full = await collect(ctx.store.records.search(ALL));
    assert.equal(full.length, records.length);
    const paged: string[] = [];
    let after: StoredRecord | undefined;
    for (;;) {
      const page: StoredRecord[] = [];
      for await (const r of ctx.store.records.search(ALL, { limit: 6, ...(after ? { after } : {}) })) page.push(r);
      assert.ok(page.length <= 6);
      paged.push(...page.map((r) => `${r.tenant}/${r.id}`));
      if (page.length < 6) break;
      after = page.at(-1);
    }
    assert.deepEqual(paged, full);
    assert.equal((await collect(ctx.store.records.search(ALL, { limit: 0 }))).length, 0);
  });

  test('search: a whole period (read in time slices) equals the paged read, dense hours and a sparse year alike', async () => {
    const dense = Array.from({ length: 690 }, (_, i) =>
      record({
        creationTime: T0 - 3 * HOUR - Math.floor(i / 7) * 60_000,
        operation: i % 3 ? 'FileAccessed' : 'FileDownloaded',
      }),
    );
    // …and one three centuries back: after an empty slice the read jumps to the next match, not 30 days at a time.
    const sparse = [
      ...Array.from({ length: 12 }, (_, i) => record({ creationTime: T0 - (i + 1) * 29 * DAY })),
      record({ creationTime: T0 - 300 * 365 * DAY }),
    ];
    const other = Array.from({ length: 30 }, (_, i) =>
      record({ creationTime: T0 - i * HOUR, operation: 'UserLoggedIn' }),
    );
    await ctx.store.records.insert([...dense, ...sparse, ...other]);
    const query: SearchQuery = {
      range: { start: T0 - 1000 * 365 * DAY, end: T0 + DAY },
      operations: ['FileAccessed', 'FileDownloaded'],
    };
    const whole = await collect(ctx.store.records.search(query));
    const paged: string[] = [];
    let after: StoredRecord | undefined;
    for (;;) {
      const page: StoredRecord[] = [];
      for await (const r of ctx.store.records.search(query, { limit: 500, ...(after ? { after } : {}) })) page.push(r);
      paged.push(...page.map((r) => `${r.tenant}/${r.id}`));
      if (page.length < 500) break;
      after = page.at(-1);
    }
    assert.equal(whole.length, dense.length + sparse.length);
    assert.deepEqual(whole, paged);
  });

  test('headBatches: every row of search once, in batches, with the head columns of each record', async () => {
    // Dense hours (slices shrink), records exactly on hour marks (a slice's edges), and one a year away (slices grow).
    const records = [
      ...dataset(),
      ...Array.from({ length: 900 }, (_, i) =>
        record({
          creationTime: T0 + (i % 9) * HOUR + (i % 7) * 1000,
          logonType: i % 3,
          appId: i % 2 ? null : `app-${i % 5}`,
        }),
      ),
      record({ creationTime: T0 - 365 * DAY }),
    ];
    await ctx.store.records.insert(records);
    const fields = [
      'tenant',
      'id',
      'creationTime',
      'recordType',
      'operation',
      'workload',
      'userKey',
      'clientIp',
      'outcome',
      'userAgent',
      'appId',
      'logonType',
    ] as const;
    const byKey = (a: { tenant: string; id: string }, b: { tenant: string; id: string }): number =>
      a.tenant + a.id < b.tenant + b.id ? -1 : 1;
    // The last ends just after the data, so its first slices are an hour wide (from a far end they grow to take it all at once).
    const near: SearchQuery = { range: { start: T0 - 400 * DAY, end: T0 + 10 * HOUR } };
    const queries: SearchQuery[] = [
      ALL,
      { ...ALL, operations: ['FileAccessed', 'FileDownloaded'] },
      { ...ALL, tenants: [TENANT_B] },
      { range: { start: T0 + HOUR, end: T0 + 5 * HOUR } },
      near,
    ];
    for (const query of queries) {
      const whole: { tenant: string; id: string }[] = [];
      for await (const r of ctx.store.records.search(query))
        whole.push(Object.fromEntries(fields.map((f) => [f, r[f]])) as never);
      let batches = 0;
      const heads: { tenant: string; id: string }[] = [];
      for await (const batch of ctx.store.records.headBatches(query)) {
        assert.ok(batch.length > 0, 'no empty batch');
        batches++;
        heads.push(...batch);
      }
      assert.ok(whole.length > 0);
      assert.deepEqual(heads.sort(byKey), whole.sort(byKey));
      if (query === near) assert.ok(batches > 1, `rows over 9 hours come in several batches (got ${batches})`);
    }
  });

  test('headBatches: an aborted signal stops the read with an error', async () => {
    await ctx.store.records.insert(dataset());
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      async () => {
        for await (const batch of ctx.store.records.headBatches(ALL, { signal: controller.signal }))
          assert.fail(`read ${batch.length} rows`);
      },
      { code: 'CANCELLED' },
    );
  });

  test('search: an aborted signal stops the stream with an error', async () => {
    await ctx.store.records.insert(dataset());
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(collect(ctx.store.records.search(ALL, { signal: controller.signal })), { code: 'CANCELLED' });
  });

  test('countBy counts per dimension: largest first, day and hour as UTC bucket starts in time order', async () => {
    const records = dataset();
    await ctx.store.records.insert(records);
    const ops = await ctx.store.records.countBy(ALL, 'operation');
    // One group per operation whatever its case, shown in one of its stored spellings (which one is the store's choice).
    assert.deepEqual({ ...ops[0], key: String(ops[0]?.key).toLowerCase() }, { key: 'fileaccessed', count: 7 });
    assert.ok(
      records.some((r) => r.operation === ops[0]?.key),
      `${String(ops[0]?.key)} is a stored spelling`,
    );
    assert.equal(
      ops.reduce((n, r) => n + r.count, 0),
      records.length,
    );
    const days = await ctx.store.records.countBy(ALL, 'day');
    assert.deepEqual(
      days.map((r) => r.key),
      [T0, T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY],
    );
    assert.deepEqual(
      days.map((r) => r.count),
      [9, 1, 1, 3],
    );
    const hours = await ctx.store.records.countBy({ range: { start: T0 + 3 * DAY, end: T0 + 4 * DAY } }, 'hour');
    assert.deepEqual(hours, [{ key: T0 + 3 * DAY, count: 3 }]);
    assert.deepEqual(await ctx.store.records.countBy(ALL, 'tenant'), [
      { key: TENANT_A, count: 11 },
      { key: TENANT_B, count: 3 },
    ]);
    assert.deepEqual(await ctx.store.records.countBy({ ...ALL, workloads: ['exchange'] }, 'recordType'), [
      { key: 1, count: 2 },
      { key: 50, count: 1 },
    ]);
    assert.deepEqual(await ctx.store.records.countBy(ALL, 'outcome'), [
      { key: 'success', count: 13 },
      { key: 'failure', count: 1 },
    ]);
    assert.deepEqual(
      (await ctx.store.records.countBy(ALL, 'user', { limit: 2 })).map((r) => r.key),
      ['alice@contoso.com', 'bob@contoso.com'],
    );
    const ips = await ctx.store.records.countBy({ ...ALL, users: ['bob@contoso.com'] }, 'clientIp');
    assert.deepEqual(ips, [
      { key: '198.51.100.7', count: 1 },
      { key: '203.0.113.200', count: 1 },
    ]);
    const workloads = await ctx.store.records.countBy(ALL, 'workload');
    assert.deepEqual(
      workloads.at(-1),
      { key: null, count: 1 },
      'missing values are one group, counted last among equals',
    );
  });

  test('countBy operation shows the newest spelling of each operation, the same in every store', async () => {
    await ctx.store.records.insert([
      record({ operation: 'fileaccessed', creationTime: T0 }),
      record({ operation: 'FileAccessed', creationTime: T0 + HOUR }),
      record({ operation: 'FILEMODIFIED', creationTime: T0 + 2 * HOUR }),
      record({ operation: 'filemodified', creationTime: T0 + 2 * HOUR }),
      record({ operation: 'FileModified', creationTime: T0 + 2 * HOUR }),
    ]);
    // Ties at the newest instant (CreationTime has whole seconds) go to the first spelling in byte order.
    assert.deepEqual(await ctx.store.records.countBy(ALL, 'operation'), [
      { key: 'FILEMODIFIED', count: 3 },
      { key: 'FileAccessed', count: 2 },
    ]);
  });

  test('groupCounts counts the combinations of several dimensions, equal to counting the records by hand', async () => {
    const records = dataset();
    await ctx.store.records.insert(records);
    const groups = await ctx.store.records.groupCounts(ALL, ['tenant', 'user', 'clientIp']);
    const expected = new Map<string, number>();
    for (const r of records) {
      const key = JSON.stringify([r.tenant, r.userKey, r.clientIp]);
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    assert.deepEqual(new Map(groups.map((g) => [JSON.stringify(g.keys), g.count])), expected);
    assert.ok(
      groups.every((g, i) => i === 0 || groups[i - 1]!.count >= g.count),
      'largest group first',
    );
    const byDayAndOp = await ctx.store.records.groupCounts({ ...ALL, users: ['bob@contoso.com'] }, [
      'day',
      'operation',
      'recordType',
    ]);
    for (const g of byDayAndOp) {
      assert.equal(typeof g.keys[0], 'number', 'a day is its bucket start in epoch ms');
      assert.equal(typeof g.keys[2], 'number');
    }
    assert.equal(
      byDayAndOp.reduce((n, g) => n + g.count, 0),
      records.filter((r) => r.userKey === 'bob@contoso.com').length,
    );
    assert.deepEqual(await ctx.store.records.groupCounts({ ...ALL, users: [] }, ['tenant']), []);
    await assert.rejects(ctx.store.records.groupCounts(ALL, []), { code: 'BAD_INPUT' });
  });

  test('free text gives the same answers with the optional text index as without it', async (t) => {
    const optimize = ctx.store.records.optimize?.bind(ctx.store.records);
    if (!optimize) return t.skip('this store has no optimize()');
    const records = dataset();
    await ctx.store.records.insert(records);
    const queries = [
      'zanzibar',
      'anzib',
      'zibar rare-tok',
      'RARE-TOKEN',
      'müller',
      'a_b',
      '1=1',
      'zz',
      '"',
      'nothing-like-this',
      '100% and',
    ].map((t) => ({ ...ALL, freeText: [t] }));
    for (const q of queries)
      assert.deepEqual(
        await collect(ctx.store.records.search(q)),
        expectedIds(records, q),
        `${q.freeText[0]} (no index)`,
      );
    const result = await optimize({ textIndex: true });
    const late = record({ raw: '{"late":"Zanzibar after the index"}' });
    await ctx.store.records.insert([late]);
    records.push(late);
    for (const q of queries) {
      assert.deepEqual(await collect(ctx.store.records.search(q)), expectedIds(records, q), q.freeText[0]);
      assert.equal(await ctx.store.records.count(q), expectedIds(records, q).length);
    }
    if (result.textIndex) await optimize({ textIndex: false });
    assert.equal(await ctx.store.records.count(queries[0]!), 2);
  });
}
