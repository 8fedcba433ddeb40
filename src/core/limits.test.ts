import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppError } from './errors.js';
import { MAX_LIMIT, parseLimit } from './limits.js';

const options = { what: '--limit', hint: 'Give --limit 50' };

test('a limit is a whole number from 1 to the maximum', () => {
  assert.equal(parseLimit(' 50 ', options), 50);
  assert.equal(parseLimit(String(MAX_LIMIT), options), MAX_LIMIT);
  assert.equal(parseLimit('7', { ...options, max: 7 }), 7);
});

test('too large says so and names the maximum (it was "not a positive whole number", or a raw SQLite error)', () => {
  for (const text of ['99999999999999999999', String(MAX_LIMIT + 1)])
    assert.throws(
      () => parseLimit(text, options),
      (e: AppError) =>
        e.code === 'LIMIT_TOO_LARGE' &&
        e.message === `--limit ${text} is too large: the most is ${MAX_LIMIT}` &&
        e.hint === `Give --limit 50 (from 1 to ${MAX_LIMIT})`,
    );
});

test('anything else is not a positive whole number', () => {
  for (const text of ['0', '000', '-1', '1.5', '1e3', 'ten', ''])
    assert.throws(
      () => parseLimit(text, options),
      (e: AppError) => e.code === 'BAD_INPUT' && /is not a positive whole number/.test(e.message),
      text,
    );
});
