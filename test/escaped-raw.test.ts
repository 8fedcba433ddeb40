import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredRecord } from '../src/core/record.js';
import { hitsOf, auditRule, rulesFrom } from '../src/detections/testing/rules.js';
import { importFiles, memoryRejects, type ImportSummary } from '../src/ingest/import/index.js';
import { normalizeRecord } from '../src/ingest/normalize.js';
import { parseSearchFilters } from '../src/search/filters.js';
import type { Store } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import { pgUrl, tempDir } from './support/paths.js';
import { dropSchema, isolatedPgUrl } from './support/pg.js';

/**
 * Records whose raw JSON writes characters as \u escapes (Python's json.dumps with ensure_ascii, .NET's
 * System.Text.Json) are found by free text and Sigma keywords as the characters they are (ADR 0011): imported
 * on both paths (this thread, the parse worker), into both stores, with and without the word index.
 */
const ORG = 'b7c3a9e2-1111-4222-8333-944455566677';
const NOW = Date.UTC(2024, 5, 1);
const PY = '00000000-0000-4000-8000-00000000e501';
const NET = '00000000-0000-4000-8000-00000000e502';
const OTHER = '00000000-0000-4000-8000-00000000e503';

const line = (id: string, extra: string): string =>
  `{"CreationTime":"2024-05-23T15:10:00","Id":"${id}","Operation":"FileAccessed","OrganizationId":"${ORG}","RecordType":6,"UserId":"a@contoso.com","Workload":"SharePoint",${extra}}`;
/** Python's json.dumps: every non-ASCII character escaped, `&` as it is; a big integer and 1.50 as written. */
const PYTHON = line(
  PY,
  String.raw`"SiteUrl":"https://contoso.sharepoint.com/sites/\u00c9quipe Caf\u00e9 R&D/","Size":12345678901234567890,"Ratio":1.50`,
);
/** .NET's System.Text.Json: `&<>` escaped too, upper-case hex; a Kelvin sign (lower case: an ASCII k) and an emoji. */
const DOTNET = line(
  NET,
  String.raw`"SiteUrl":"https://contoso.sharepoint.com/sites/R\u0026D \u003Cdraft\u003E","Unit":"\u212Aelvin","Note":"\uD83D\uDE00"`,
);
const PLAIN = line(OTHER, '"SiteUrl":"https://contoso.sharepoint.com/sites/Sales"');

const STORES = [
  { name: 'SQLite', url: (dir: string) => `sqlite:${join(dir, 'store.sqlite')}`, cleanup: async () => {} },
  ...(pgUrl ? [{ name: 'PostgreSQL', url: () => isolatedPgUrl('escaped'), cleanup: dropSchema }] : []),
];

async function importText(store: Store, dir: string, text: string, parallel: boolean): Promise<ImportSummary> {
  const path = join(dir, `records-${parallel}.ndjson`);
  writeFileSync(path, text);
  // As `tenantwatch import` does: the bulk writer, fed the parse worker's keys when it runs.
  const writer = store.records.bulk!();
  try {
    return await importFiles([path], {
      sink: (records, keys) => writer.insert(records, keys),
      rejects: memoryRejects(),
      now: NOW,
      parallel,
    });
  } finally {
    await writer.close();
  }
}

async function find(store: Store, term: string): Promise<string[]> {
  const query = parseSearchFilters(
    { start: '2024-05-23T00:00:00Z', end: '2024-05-24T00:00:00Z', freeText: [term] },
    NOW,
  );
  const ids: string[] = [];
  for await (const r of store.records.search(query)) ids.push(r.id);
  return ids.sort();
}

async function all(store: Store): Promise<StoredRecord[]> {
  const query = parseSearchFilters({ start: '2024-05-23T00:00:00Z', end: '2024-05-24T00:00:00Z' }, NOW);
  const out: StoredRecord[] = [];
  for await (const r of store.records.search(query)) out.push(r);
  return out;
}

for (const kind of STORES)
  for (const parallel of [false, true])
    test(`${kind.name}, ${parallel ? 'parse worker' : 'one thread'}: free text and Sigma keywords find characters a JSON writer escaped`, async () => {
      const { dir, cleanup } = tempDir();
      const url = kind.url(dir);
      const store = await openStore(url);
      try {
        const summary = await importText(store, dir, [PYTHON, DOTNET, PLAIN].join('\n') + '\n', parallel);
        assert.equal(summary.imported, 3);
        assert.equal(summary.files[0]!.worker, parallel);
        const stored = new Map((await all(store)).map((r) => [r.id, r]));
        for (const [id, text] of [
          [PY, PYTHON],
          [NET, DOTNET],
        ] as const) {
          const raw = stored.get(id)!.raw;
          assert.deepEqual(JSON.parse(raw), JSON.parse(text), 'the same value as received');
          assert.ok(!raw.includes('\\u'), `no needless escape left: ${raw}`);
        }
        assert.match(stored.get(PY)!.raw, /"Size":12345678901234567890,"Ratio":1\.50/, 'numbers kept as written');
        for (const indexed of [false, true]) {
          if (indexed) assert.equal((await store.records.optimize!({ textIndex: true })).textIndex, true);
          const at = `${kind.name}, ${indexed ? 'with' : 'without'} the word index`;
          assert.deepEqual(await find(store, 'équipe café r&d'), [PY], at);
          assert.deepEqual(await find(store, 'Café'), [PY], at);
          assert.deepEqual(await find(store, 'r&d'), [PY, NET], at);
          assert.deepEqual(await find(store, 'R&D <draft>'), [NET], at);
          assert.deepEqual(await find(store, '😀'), [NET], at);
          // JavaScript lower-cases the Kelvin sign to k: found only if the row is not taken for pure ASCII.
          assert.deepEqual(await find(store, 'kelvin'), [NET], at);
        }
        const rules = rulesFrom(
          auditRule("  keywords:\n    - 'équipe café r&d'\n  condition: keywords"),
          auditRule("  keywords:\n    - 'R&D <draft>'\n  condition: keywords").replace('000000000001', '000000000002'),
        );
        const hits = hitsOf(rules, [...stored.values()]);
        assert.deepEqual(hits.map((h) => h.recordIds).sort(), [[PY], [NET]].sort());
      } finally {
        await store.close();
        await kind.cleanup(url);
        cleanup();
      }
    });

for (const kind of STORES)
  test(`${kind.name}: a record stored with its escapes before and imported again is a duplicate, not a conflict`, async () => {
    const { dir, cleanup } = tempDir();
    const url = kind.url(dir);
    const store = await openStore(url);
    try {
      // As normalization stored it before: raw exactly as received, escapes and all.
      const before = normalizeRecord(PYTHON, { source: 'import' });
      assert.ok(before.ok);
      await store.records.insert([{ ...before.record, raw: PYTHON }]);
      const summary = await importText(store, dir, `${PYTHON}\n${DOTNET}\n`, false);
      assert.deepEqual([summary.imported, summary.duplicates, summary.conflicts], [1, 1, 0]);
      assert.deepEqual(await store.records.conflictsOf(ORG, PY), []);
      const kept = await store.records.get(ORG, PY);
      assert.ok(kept);
      assert.equal(kept.raw, PYTHON, 'the record stored first stays as it was');
      // Sigma keywords read an old record's text with its escapes undone too.
      const hits = hitsOf(rulesFrom(auditRule("  keywords:\n    - 'équipe café r&d'\n  condition: keywords")), [kept]);
      assert.deepEqual(
        hits.map((h) => h.recordIds),
        [[PY]],
      );
    } finally {
      await store.close();
      await kind.cleanup(url);
      cleanup();
    }
  });
