import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quoted, showDirectionControls } from './quote.js';

test('a quoted value shows each direction control as an escape, where it is', () => {
  assert.equal(quoted('invoice\u202Efdp.exe'), '"invoice\\u202Efdp.exe"');
  assert.equal(quoted('a\u2066b\u2069c\u200Ed\u200Fe\u061Cf'), '"a\\u2066b\\u2069c\\u200Ed\\u200Fe\\u061Cf"');
  assert.equal(showDirectionControls('x\u202Ay\u202Dz'), 'x\\u202Ay\\u202Dz');
});

test('a quoted value shows control characters, quotes and line separators escaped, and is cut', () => {
  assert.equal(quoted('a\x1b[2J"b\u0085c\u2028d'), '"a\\u001b[2J\\"b\\u0085c\\u2028d"');
  assert.equal(quoted('contoso'), '"contoso"');
  assert.equal(quoted('x'.repeat(100), 20), `"${'x'.repeat(17)}..."`);
});
