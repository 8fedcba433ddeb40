import assert from 'node:assert/strict';
import { test } from 'node:test';
import { terminalLines, terminalText } from './terminal.js';

test('escape sequences, bells, line breaks and bidi overrides become spaces; other text is kept', () => {
  assert.equal(terminalText('a\x1b]0;t\x07b\r\nc\u202ed\u2028é ✓'), 'a ]0;t b  c d é ✓');
  assert.equal(terminalLines('one\x1b[2J\ntwo\r\n'), 'one [2J\ntwo \n');
});
