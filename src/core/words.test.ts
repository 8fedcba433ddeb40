import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countOf, pluralOf } from './words.js';

test('plurals are words ("3 policies", not "3 policys"; "2 passes", not "2 pass(es)")', () => {
  assert.deepEqual(
    ['policy', 'dead letter', 'match', 'day', 'tenant', 'entry', 'pass', 'mailbox change'].map(pluralOf),
    ['policies', 'dead letters', 'matches', 'days', 'tenants', 'entries', 'passes', 'mailbox changes'],
  );
});

test('a count in words agrees with its number ("1 record", never "1 records" or "1 record(s)")', () => {
  assert.deepEqual(
    [countOf(1, 'record'), countOf(0, 'record'), countOf(1234, 'record'), countOf(1, 'policy'), countOf(2, 'policy')],
    ['1 record', '0 records', '1,234 records', '1 policy', '2 policies'],
  );
});
