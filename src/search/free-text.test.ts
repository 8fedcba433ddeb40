import assert from 'node:assert/strict';
import { test } from 'node:test';
import { record, T0, DAY } from '../store/testing/fixtures.js';
import { openStore } from '../store/open.js';
import { parseSearchFilters } from './filters.js';
import { freeTextForms } from './free-text.js';

test('a plain word is searched as it is, alone', () => {
  assert.deepEqual(freeTextForms('zanzibar'), ['zanzibar']);
  assert.deepEqual(freeTextForms('FileAccessed 12:00'), ['FileAccessed 12:00']);
});

test('a term with a backslash, a quote or a letter beyond ASCII is also searched as raw JSON writes it', () => {
  assert.deepEqual(freeTextForms('C:\\Users'), ['C:\\Users', 'C:\\\\Users', 'C:\\\\\\\\Users']);
  const forms = freeTextForms('Boîte "x"');
  assert.ok(forms.includes('Boîte \\"x\\"'), 'JSON.stringify / Newtonsoft');
  assert.ok(forms.includes('Bo\\u00eete \\u0022x\\u0022'), 'System.Text.Json');
  assert.ok(forms.includes('Bo\\\\u00eete \\\\u0022x\\\\u0022'), 'inside a JSON string inside the record');
});

test('free text finds values as they read, whichever way the stored record escapes them, in every store the same', async () => {
  const at = T0 + 1000;
  const rows = [
    record({ creationTime: at, raw: String.raw`{"Id":"1","Path":"C:\\Users\\bob\\AppData"}` }),
    record({
      creationTime: at,
      raw: String.raw`{"Id":"2","Parameters":"[{\"Name\":\"Bo\\u00eete de r\\u00e9ception\"}]"}`,
    }),
    record({ creationTime: at, raw: String.raw`{"Id":"3","Subject":"say \"hello\" now"}` }),
    record({ creationTime: at, raw: String.raw`{"Id":"4","Subject":"Boîte de réception"}` }),
    record({ creationTime: at, raw: String.raw`{"Id":"5","Subject":"nothing here"}` }),
  ];
  const store = await openStore('sqlite::memory:');
  try {
    await store.records.insert(rows);
    const find = async (term: string): Promise<string[]> => {
      const query = parseSearchFilters(
        { start: new Date(T0).toISOString(), end: new Date(T0 + DAY).toISOString(), freeText: [term] },
        T0 + DAY,
      );
      const ids: string[] = [];
      for await (const r of store.records.search(query)) ids.push((JSON.parse(r.raw) as { Id: string }).Id);
      return ids.sort();
    };
    for (const indexed of [false, true]) {
      if (indexed) assert.equal((await store.records.optimize!({ textIndex: true })).textIndex, true);
      assert.deepEqual(await find('C:\\Users\\BOB'), ['1']);
      assert.deepEqual(await find('boîte de r'), ['2', '4']);
      assert.deepEqual(await find('"hello"'), ['3']);
      assert.deepEqual(await find('\\"hello\\"'), ['3'], 'the written form a person may already type still matches');
    }
  } finally {
    await store.close();
  }
});
