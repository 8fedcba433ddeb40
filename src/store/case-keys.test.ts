import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keysAlike } from './case-keys.js';

/** A sorted key index, as a store's: the least key ≥ a prefix, with the seeks counted. */
function index(keys: string[]) {
  const sorted = [...keys].sort();
  const seeks = { n: 0 };
  const smallestFrom = (from: string): Promise<string | null> => {
    seeks.n++;
    return Promise.resolve(sorted.find((k) => k >= from) ?? null);
  };
  return { smallestFrom, seeks };
}

test('the keys equal but for case are found by a few seeks, whatever the number of tenants', async () => {
  // Ten thousand tenants (GUIDs and labels): the look-up listed them all, each with its newest record.
  const keys = Array.from({ length: 10_000 }, (_, i) => `tenant-${String(i).padStart(5, '0')}`);
  keys.push('Case-2026', 'CASE-2026', 'case-2027');
  const { smallestFrom, seeks } = index(keys);
  assert.deepEqual(await keysAlike('case-2026', smallestFrom), ['CASE-2026', 'Case-2026']);
  assert.ok(seeks.n <= 40, `${seeks.n} seeks`);
  seeks.n = 0;
  assert.deepEqual(await keysAlike('mistyped', smallestFrom), []);
  assert.ok(seeks.n <= 4, `${seeks.n} seeks for a label no key begins like`);
  seeks.n = 0;
  assert.deepEqual(await keysAlike('TENANT-01234', smallestFrom), ['tenant-01234']);
  assert.ok(seeks.n <= 30, `${seeks.n} seeks`);
});

test('every case form of a character is tried, and the answer is what toLowerCase says', async () => {
  const keys = ['Straße', 'STRASSE', 'ǅemal', 'ǆemal', '𐐨𐐯', '𐐀𐐇', 'ıi'];
  const { smallestFrom } = index(keys);
  for (const key of keys) {
    const expected = keys.filter((k) => k.toLowerCase() === key.toLowerCase()).sort();
    assert.deepEqual([...(await keysAlike(key, smallestFrom))].sort(), expected, key);
  }
  assert.deepEqual(await keysAlike('\u01C4EMAL', smallestFrom), ['ǅemal', 'ǆemal']);
  assert.deepEqual(await keysAlike('𐐨𐐯', smallestFrom), ['𐐀𐐇', '𐐨𐐯'], 'supplementary letters, in code point order');
});
