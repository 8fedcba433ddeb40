import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unescapeJsonText } from './json-unescape.js';
import { rng } from './rng.js';

test('needless \\u escapes become their characters; needed ones, and an escaped backslash before u, stay', () => {
  const cases: [string, string][] = [
    [String.raw`{"a":"Caf\u00e9 Paris"}`, '{"a":"Café Paris"}'],
    [String.raw`{"a":"R\u0026D \u003Cb\u003E O\u0027Neil 1\u002b1"}`, `{"a":"R&D <b> O'Neil 1+1"}`],
    [String.raw`{"\u00c9quipe":"\u00C9"}`, '{"Équipe":"É"}'],
    [String.raw`{"a":"\ud83d\ude00!"}`, '{"a":"😀!"}'],
    [String.raw`{"a":"\\u0041"}`, String.raw`{"a":"\\u0041"}`],
    [String.raw`{"a":"\\\u0041"}`, String.raw`{"a":"\\A"}`],
    [String.raw`{"a":"\u0022\u005c\u0000\u001f\n"}`, String.raw`{"a":"\u0022\u005c\u0000\u001f\n"}`],
    [String.raw`{"a":"\ud800x\udc00\ude00\ud83d"}`, String.raw`{"a":"\ud800x\udc00\ude00\ud83d"}`],
    [
      String.raw`{"a":"\u007f\u0085\u009b\u2028\u2029\u00a0"}`,
      String.raw`{"a":"\u007f\u0085\u009b\u2028\u2029` + '\u00a0"}',
    ],
    // Numbers and layout are never rewritten (JSON.stringify would make 1.50 1.5 and lose the big integer).
    [
      String.raw`{ "n": 1.50, "big": 12345678901234567890, "e": 1E+2, "s": "\u00e9" }`,
      '{ "n": 1.50, "big": 12345678901234567890, "e": 1E+2, "s": "é" }',
    ],
  ];
  for (const [input, expected] of cases) {
    assert.equal(unescapeJsonText(input), expected, input);
    assert.deepEqual(JSON.parse(expected), JSON.parse(input), input);
  }
});

test('a text without \\u is returned as it is (the fast path: no copy)', () => {
  const text = String.raw`{"Path":"C:\\Users\\bob","Q":"\"x\"","T":"\t"}`;
  assert.equal(unescapeJsonText(text), text);
});

/** Characters that exercise every branch: ASCII (u and backslash among them), controls, C1, line separators, non-ASCII, surrogates. */
const POOL = [
  'a',
  'u',
  'U',
  '0',
  'f',
  'D',
  '\\',
  '"',
  '/',
  ' ',
  '&',
  '<',
  "'",
  '+',
  '\u0000',
  '\n',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u00a0',
  'é',
  'É',
  'ß',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\u212a',
  '中',
  '\ud83d',
  '\ude00',
  '\udbff',
  '\udc00',
];

/** One UTF-16 unit of a string as some JSON writer may write it: as is (where JSON allows), a short escape, or \uXXXX in either case. */
function writeUnit(c: string, next: () => number): string {
  const code = c.charCodeAt(0);
  const hex = code.toString(16).padStart(4, '0');
  const short: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '/': '\\/' };
  const r = next();
  if (r < 0.35) return `\\u${r < 0.17 ? hex : hex.toUpperCase()}`;
  if (short[c] !== undefined && (r < 0.7 || c === '"' || c === '\\' || c === '\n')) return short[c];
  if (code < 0x20) return `\\u${hex}`;
  return c;
}

function randomString(next: () => number): { value: string; text: string } {
  let value = '';
  let text = '';
  const n = Math.floor(next() * 12);
  for (let i = 0; i < n; i++) {
    // Now and then a backslash written escaped right before the letters of an escape: `\\u0041` is not one.
    if (next() < 0.1) {
      value += '\\u0041';
      text += '\\\\u0041';
      continue;
    }
    // A surrogate pair, each half written its own way.
    if (next() < 0.1) {
      value += '\ud83d\ude00';
      text += writeUnit('\ud83d', next) + writeUnit('\ude00', next);
      continue;
    }
    const c = POOL[Math.floor(next() * POOL.length)]!;
    value += c;
    text += writeUnit(c, next);
  }
  return { value, text: `"${text}"` };
}

const NUMBERS = ['0', '-1', '1.50', '1E+2', '12345678901234567890', '-0.000001'];

function randomJson(next: () => number, depth: number): string {
  const r = next();
  if (depth > 2 || r < 0.4) return randomString(next).text;
  if (r < 0.5) return NUMBERS[Math.floor(next() * NUMBERS.length)]!;
  if (r < 0.55) return ['true', 'false', 'null'][Math.floor(next() * 3)]!;
  const n = Math.floor(next() * 4);
  const items = Array.from({ length: n }, () => randomJson(next, depth + 1));
  if (r < 0.7) return `[${items.join(', ')}]`;
  return `{ ${items.map((v) => `${randomString(next).text}: ${v}`).join(',\n')} }`;
}

/** Each \uXXXX escape left in a JSON text, with whether a \uXXXX escape sits right before and after it. */
function escapesLeft(text: string): { code: number; before: number; after: number }[] {
  const out: { code: number; before: number; after: number }[] = [];
  const re = /\\(u[0-9a-fA-F]{4}|[^u])/g;
  let previous: { code: number; end: number } | null = null;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1]!.length !== 5) continue;
    const code = parseInt(m[1]!.slice(1), 16);
    const entry = { code, before: previous && previous.end === m.index ? previous.code : -1, after: -1 };
    const last = out[out.length - 1];
    if (last && previous && previous.end === m.index) last.after = code;
    out.push(entry);
    previous = { code, end: m.index + 6 };
  }
  return out;
}

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

test('property: over random JSON texts, the result parses to the same value, keeps numbers and layout, and leaves only needed escapes', () => {
  const next = rng(20261206);
  const strings = /"(?:[^"\\]|\\.)*"/g;
  for (let i = 0; i < 3_000; i++) {
    const before = randomJson(next, 0);
    const after = unescapeJsonText(before);
    assert.deepEqual(JSON.parse(after), JSON.parse(before), before);
    assert.equal(after.replace(strings, '""'), before.replace(strings, '""'), `outside strings: ${before}`);
    assert.equal(unescapeJsonText(after), after, `once is enough: ${before}`);
    for (const { code, before: b, after: a } of escapesLeft(after)) {
      const needed =
        code < 0x20 ||
        code === 0x22 ||
        code === 0x5c ||
        (code >= 0x7f && code <= 0x9f) ||
        code === 0x2028 ||
        code === 0x2029 ||
        (isHigh(code) && !isLow(a)) ||
        (isLow(code) && !isHigh(b));
      assert.ok(needed, `\\u${code.toString(16)} left in ${after} (from ${before})`);
    }
  }
  // A string value written out whole by the generator: the random strings above did reach every kind.
  const sample = randomString(rng(7));
  assert.equal(JSON.parse(sample.text), sample.value);
});
