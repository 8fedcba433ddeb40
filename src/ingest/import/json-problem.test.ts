import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWellFormed } from '../well-formed.js';
import { jsonProblem } from './json-problem.js';
import { excerpt } from './json-reasons.js';

const record = JSON.stringify({
  CreationTime: '2024-05-23T15:10:00',
  Id: 'a"b\\c',
  Nested: [1, -2.5e3, true, false, null, { x: '[{\u00e9😀' }, []],
  Empty: {},
});

/** A seeded generator: the same texts every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

test('a fault is found exactly when JSON.parse refuses the text (deletions, insertions and swaps at random)', () => {
  const next = random(7);
  const pieces = [
    '"',
    ',',
    '{',
    '}',
    '[',
    ']',
    ':',
    '\\',
    ' ',
    '\n',
    'x',
    '0',
    '-',
    '.',
    'e',
    '\t',
    '\u0001',
    '\ufeff',
  ];
  for (let n = 0; n < 5000; n++) {
    let text = record;
    for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
      const at = Math.floor(next() * text.length);
      const piece = pieces[Math.floor(next() * pieces.length)]!;
      const kind = next();
      text =
        kind < 0.4
          ? text.slice(0, at) + text.slice(at + 1)
          : kind < 0.8
            ? text.slice(0, at) + piece + text.slice(at)
            : text.slice(0, at) + piece + text.slice(at + 1);
    }
    let parses = true;
    try {
      JSON.parse(text);
    } catch {
      parses = false;
    }
    const fault = jsonProblem(text);
    assert.equal(fault === null, parses, `${JSON.stringify(text)}: ${fault?.problem}`);
    if (fault) assert.ok(fault.offset >= 0 && fault.offset <= text.length);
  }
});

test('a text cut anywhere is cut short, at its end', () => {
  for (let i = 1; i < record.length; i++) {
    const fault = jsonProblem(record.slice(0, i));
    if (fault?.offset !== i) continue; // a cut inside a number or word can leave another fault at the end first
    assert.ok(fault.cutShort, `cut at ${i}: ${fault.problem}`);
  }
  assert.match(jsonProblem('{"a":[{"b":1}')!.problem, /the text ends before the record does: \] and \} never come/);
  assert.match(jsonProblem('{"a":"b')!.problem, /the text ends inside a string/);
});

test('the excerpt is short, marks the place and shows invisible characters as escapes', () => {
  const text = `{"a":"${'x'.repeat(100)}"\ufeff,"b":"${'y'.repeat(100)}"}`;
  const shown = excerpt(text, text.indexOf('\ufeff'));
  assert.equal(shown, `near …${'x'.repeat(23)}"<HERE>\\uFEFF,"b":"${'y'.repeat(17)}…`);
  // a surrogate pair at either edge is kept whole
  const emoji = excerpt(`${'😀'.repeat(20)}!${'😀'.repeat(20)}`, 40);
  assert.ok(isWellFormed(emoji), emoji);
});
