import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { JsonSplitter } from './json-splitter.js';
import { readNdjson } from './readers.js';
import { MAX_RECORD_CHARS, TOO_LARGE, TOO_LARGE_HEAD_CHARS } from './record-size.js';
import type { RawItem } from './types.js';

function split(chunks: string[]): RawItem[] {
  const s = new JsonSplitter();
  return [...chunks.flatMap((c) => s.push(c)), ...s.end()];
}

const records = [
  { Id: 'a"b\\', Nested: [1, { x: '[{' }] },
  { Id: 'c', Text: 'line\\nbreak }]' },
];

test('array elements come out as their exact text, whatever the chunk boundaries', () => {
  const text = JSON.stringify(records, null, 2);
  const expected = split([text]);
  assert.equal(expected.length, 2);
  assert.deepEqual(
    expected.map((e) => JSON.parse(e.text) as unknown),
    records,
  );
  assert.deepEqual(
    expected.map((e) => e.line),
    [2, 11],
  );
  for (let i = 1; i < text.length; i++)
    assert.deepEqual(split([text.slice(0, i), text.slice(i)]), expected, `split at ${i}`);
  assert.deepEqual(split([...text]), expected, 'one character per chunk');
});

test('concatenated objects, concatenated arrays and Graph pages', () => {
  assert.deepEqual(
    split(['{"a":1}\n{"b":\n2}']).map((e) => e.text),
    ['{"a":1}', '{"b":\n2}'],
  );
  assert.deepEqual(
    split(['[{"a":1}][{"b":2}]']).map((e) => e.text),
    ['{"a":1}', '{"b":2}'],
  );
  const page = '{"@odata.context":"x","value":[{"id":"1","value":[3]},{"id":"2"}],"@odata.nextLink":"n"}';
  for (let i = 1; i < page.length; i++) {
    assert.deepEqual(
      split([page.slice(0, i), page.slice(i)]).map((e) => e.text),
      ['{"id":"1","value":[3]}', '{"id":"2"}'],
      `split at ${i}`,
    );
  }
});

test('a record cut off by the end of the file is flagged', () => {
  const items = split(['[{"a":1},\n{"b":"unterminated']);
  assert.equal(items.length, 2);
  assert.equal(items[1]!.line, 2);
  assert.match(
    items[1]!.reject!,
    /^the file ends inside this record, at line 2, column 19: the text ends inside a string: its closing " never comes \(near \{"b":"unterminated<HERE>\)\. The file was cut off there/,
  );
});

test('a record over MAX_RECORD_CHARS is rejected with its start only, and the records around it still come out', async () => {
  const big = `{"Id":"big","X":"${'a'.repeat(MAX_RECORD_CHARS)}"}`;
  const pieces = (text: string) =>
    Array.from({ length: Math.ceil(text.length / (1 << 20)) }, (_, i) => text.slice(i << 20, (i + 1) << 20));
  const inArray = split(pieces(`[{"Id":"a"},\n${big},\n{"Id":"b"}]`));
  assert.deepEqual(
    inArray.map((i) => [i.line, i.text.slice(0, 12), i.text.length <= TOO_LARGE_HEAD_CHARS + 20, i.reject ?? null]),
    [
      [1, '{"Id":"a"}', true, null],
      [2, '{"Id":"big",', true, TOO_LARGE],
      [3, '{"Id":"b"}', true, null],
    ],
  );
  const lines: RawItem[] = [];
  for await (const items of readNdjson(Readable.from(pieces(`{"Id":"a"}\n${big}\n{"Id":"b"}\n${big}`))))
    lines.push(...items);
  assert.deepEqual(
    lines.map((i) => [i.line, i.text.slice(0, 12), i.reject ?? null]),
    [
      [1, '{"Id":"a"}', null],
      [2, '{"Id":"big",', TOO_LARGE],
      [3, '{"Id":"b"}', null],
      [4, '{"Id":"big",', TOO_LARGE],
    ],
  );
});

test('a text ending with an array or object open is cut off, between records or inside one', () => {
  const at = (text: string): { items: RawItem[]; cutOff: boolean } => {
    const s = new JsonSplitter();
    const items = [...s.push(text), ...s.end()];
    return { items, cutOff: s.cutOff };
  };
  for (const whole of ['[{"a":1},{"b":2}]', '{"a":1}\n{"b":2}', '{"value":[{"a":1}],"@odata.nextLink":"x"}', '[]'])
    assert.equal(at(whole).cutOff, false, whole);
  const between = at('[{"a":1},');
  assert.equal(between.cutOff, true);
  assert.deepEqual(
    between.items.map((i) => [i.text, i.reject]),
    [['{"a":1}', undefined]],
  );
  assert.equal(at('{"value":[{"a":1}').cutOff, true, 'a Graph page cut off');
  const inside = at('[{"a":1},{"b":"tw');
  assert.equal(inside.cutOff, true);
  assert.match(inside.items[1]!.reject!, /ends inside this record/);
});

test('a byte order mark before an array (a blob or file saved with one, files joined) is not part of a record', () => {
  const blob = `\ufeff${JSON.stringify(records)}\r\n\ufeff${JSON.stringify(records)}`;
  const items = split([blob]);
  assert.deepEqual(
    items.map((i) => [i.reject ?? null, JSON.parse(i.text) as unknown]),
    [...records, ...records].map((r) => [null, r]),
  );
});

test('an element missing its closing } ends where the next element opens; the elements after it come out whole', () => {
  const rec = (i: number) => JSON.stringify({ Id: `r${i}`, Nested: { a: [1, { b: 2 }] } }, null, 2);
  const broken = rec(2).replace(/\n}$/, '');
  // Pretty-printed, the line `}` lost (a `,` then `{` where a key is expected) or the line `},` lost (a value
  // then `{`); on one line, `{…,{`; in a Graph page and in concatenated objects.
  const texts = [
    `[\n${rec(1)},\n${broken}\n,\n${rec(3)},\n${rec(4)}\n]`,
    `[\n${rec(1)},\n${broken}\n${rec(3)},\n${rec(4)}\n]`,
    `[${JSON.stringify(JSON.parse(rec(1)))},${JSON.stringify(JSON.parse(rec(2))).slice(0, -1)},${[3, 4].map((i) => JSON.stringify(JSON.parse(rec(i)))).join(',')}]`,
    `{"value":[${rec(1)},${broken},\n${rec(3)},${rec(4)}]}`,
    `${rec(1)}\n${broken}\n${rec(3)}\n${rec(4)}`,
  ];
  for (const text of texts) {
    const whole = split([text]);
    assert.deepEqual(
      whole.map((i) => [i.reject === undefined, (JSON.parse(i.reject ? i.text + '}' : i.text) as { Id: string }).Id]),
      [
        [true, 'r1'],
        [false, 'r2'],
        [true, 'r3'],
        [true, 'r4'],
      ],
      text,
    );
    assert.match(whole[1]!.reject!, /closing \} seems to be missing/);
    assert.equal(
      whole[1]!.text,
      whole[1]!.text.trimEnd(),
      'the rejected text ends with the record, not the blank before the next',
    );
    for (let i = 1; i < text.length; i++)
      assert.deepEqual(split([text.slice(0, i), text.slice(i)]), whole, `split at ${i}`);
  }
});

test('the last element missing its }, a missing ] and a trailing , at the end cost no element', () => {
  const last = split(['[{"Id":"a"},\n{"Id":"b",\n"X":1\n]']);
  assert.deepEqual(
    last.map((i) => [i.line, i.text, i.reject === undefined]),
    [
      [1, '{"Id":"a"}', true],
      [2, '{"Id":"b",\n"X":1', false],
    ],
  );
  assert.match(last[1]!.reject!, /closing \} seems to be missing: the \] at line 4/);
  for (const text of ['[{"Id":"a"},{"Id":"b"}', '[{"Id":"a"},{"Id":"b"},]', '[{"Id":"a"},{"Id":"b"},\n'])
    assert.deepEqual(
      split([text]).map((i) => [i.text, i.reject]),
      [
        ['{"Id":"a"}', undefined],
        ['{"Id":"b"}', undefined],
      ],
      text,
    );
});

test('a record that never closes, with more than MAX_RECORD_CHARS of records after it, gives every one of them back', () => {
  const rec = (i: number) =>
    JSON.stringify({ CreationTime: '2024-05-23T15:10:00', Id: `r${i}`, Pad: 'x'.repeat(1000) });
  const n = Math.ceil(MAX_RECORD_CHARS / 1000) + 500;
  const text = `[${rec(0)},\n{"Id":"broken","P":[{"a":1},\n${Array.from({ length: n }, (_, i) => rec(i + 1)).join(',\n')}]`;
  const found = split(
    Array.from({ length: Math.ceil(text.length / (1 << 20)) }, (_, i) => text.slice(i << 20, (i + 1) << 20)),
  );
  assert.equal(found.length, n + 2);
  assert.deepEqual([found[0]!.reject, found[1]!.text, found[2]!.line], [undefined, '{"Id":"broken","P":[{"a":1}', 3]);
  assert.match(
    found[1]!.reject!,
    /^the record's closing \] and \} seem to be missing: a record starts at line 3, column 1 /,
  );
  assert.ok(found.slice(2).every((item, i) => item.reject === undefined && item.text === rec(i + 1)));
});
