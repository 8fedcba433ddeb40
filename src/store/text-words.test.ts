import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawRecords, rng } from '../search/testing/generate.js';
import { asciiWords, stopWords, textWords, wordHash, WordSet } from './text-words.js';

/**
 * textWords is a hand-made loop over bytes (it is most of a substring index's build time); this is what it
 * must equal, written the plain way: the maximal runs of [a-z0-9] of text.toLowerCase(), three characters or
 * more with a letter g–z, not a stop word, each once in order of first appearance.
 */
function definition(text: string | null, stops: ReadonlySet<string> = new Set()): string[] {
  if (text === null) return [];
  const out: string[] = [];
  for (const [w] of text.toLowerCase().matchAll(/[a-z0-9]+/g))
    if (w.length >= 3 && /[g-z]/.test(w) && !stops.has(w) && !out.includes(w)) out.push(w);
  return out;
}

test('textWords equals its definition on generated records, with and without stop words', () => {
  const raws = [...rawRecords(5_000, { seed: 11, end: Date.UTC(2026, 10, 1), days: 30 })];
  const stops = stopWords(raws.slice(0, 1_000));
  assert.ok(stops.size > 20, 'the sample has stop words (JSON keys)');
  const set = new WordSet(stops);
  for (const raw of raws) {
    assert.deepEqual(textWords(raw, set), definition(raw, stops));
    assert.deepEqual(textWords(raw), definition(raw));
  }
});

test('textWords equals its definition on text of mixed case, non-ASCII letters and odd lengths', () => {
  // Letters whose lower case is longer (İ → i̇), ASCII look-alikes (K for Kelvin, ß), Latin-1 bytes, separators.
  const alphabet = 'aBcZ09_-. ÄäÖöİıẞßǅ\u212a\u0130xyzQGH{}"';
  const stops = new Set(['abc', 'xyz', 'qgh', 'kgh']);
  const set = new WordSet(stops);
  const next = rng(5);
  for (let k = 0; k < 20_000; k++) {
    let text = '';
    const length = Math.floor(next() * 40);
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
    assert.deepEqual(textWords(text, set), definition(text, stops), JSON.stringify(text));
  }
  // The Kelvin sign lower-cases to an ASCII k in JavaScript, so it starts a word.
  assert.deepEqual(textWords('Xyz-GHI ghi \u212aelvin abcdefg'), ['xyz', 'ghi', 'kelvin', 'abcdefg']);
  assert.deepEqual(textWords(null), []);
  // Longer than the buffer an ASCII text is read through, then a short one (nothing of the long one left behind).
  const long = `${'{"Key":"Value-x1"} '.repeat(5_000)}"TailWord"`;
  assert.deepEqual(textWords(long, set), definition(long, stops));
  assert.deepEqual(textWords('ghi', set), ['ghi']);
});

test('textWords gives each word’s hash as wordHash computes it from the word (PostgreSQL posts the hashes)', () => {
  const texts = [
    ...rawRecords(500, { seed: 12, end: Date.UTC(2026, 10, 1), days: 30 }),
    'Xyz-GHI ghi \u212aelvin ÄBCDEFG İstanbul',
  ];
  const set = new WordSet(stopWords(texts.slice(0, 100)));
  for (const text of texts) {
    const hashes: number[] = [];
    const words = textWords(text, set, hashes);
    assert.deepEqual(hashes, words.map(wordHash), text.slice(0, 80));
    for (const h of hashes) assert.ok(Number.isInteger(h) && h >= -(2 ** 31) && h < 2 ** 31, 'a PostgreSQL integer');
  }
  // FNV-1a of "abc", as a signed 32-bit integer (0x1a47e90b).
  assert.equal(wordHash('abc'), 0x1a47e90b);
});

test('asciiWords over a span of bytes gives what textWords gives for that text, hashes included', () => {
  const raws = [...rawRecords(2_000, { seed: 13, end: Date.UTC(2026, 10, 1), days: 30 })].filter(
    (r) => Buffer.byteLength(r) === r.length,
  );
  const set = new WordSet(stopWords(raws.slice(0, 500)));
  // The texts side by side in one buffer, as COPY sends rows: a span ends where the next begins.
  const joined = Buffer.from(raws.join('\t'), 'latin1');
  let at = 0;
  for (const raw of [...raws, 'ABC-ghiJKL mno', 'xyz']) {
    const bytes = at < joined.length ? joined : Buffer.from(raw, 'latin1');
    const start = at < joined.length ? at : 0;
    const hashes: number[] = [];
    const expected: number[] = [];
    assert.deepEqual(asciiWords(bytes, start, start + raw.length, set, hashes), textWords(raw, set, expected));
    assert.deepEqual(hashes, expected);
    at += raw.length + 1;
  }
});
