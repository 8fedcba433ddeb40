import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonSplitter } from './json-splitter.js';
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
  assert.match(items[1]!.reject!, /truncated/);
});
