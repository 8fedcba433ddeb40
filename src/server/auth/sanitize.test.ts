import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keptExactly, sanitize } from './sanitize.js';

test('a value is kept exactly when the trail keeps it as it is and keeps no other value the same way', () => {
  const long = 'x'.repeat(501);
  const cut = sanitize(long) as string;
  // A text over 500 characters is kept cut, and so is the cut text itself: the trail keeps both as one.
  assert.equal(sanitize(cut), cut);
  assert.equal(keptExactly(long), false);
  assert.equal(keptExactly(cut), false);
  assert.equal(keptExactly('x'.repeat(500)), true);
  // A list of 50 is kept as the first 50 of a longer one.
  const fifty = Array.from({ length: 50 }, (_, i) => `u${i}`);
  assert.deepEqual(sanitize([...fifty, 'u50']), fifty);
  assert.equal(keptExactly(fifty), false);
  assert.equal(keptExactly(fifty.slice(1)), true);
  // A key the trail drops, and U+FFFD, which is also what a NUL is kept as.
  assert.equal(keptExactly({ start: '7d', apiKey: 'k' }), false);
  assert.equal(keptExactly({ start: '7d', user: 'a\uFFFDb' }), false);
  assert.deepEqual(sanitize({ user: 'a\u0000b' }), { user: 'a\uFFFDb' });
  // What is kept exactly, sanitize leaves as it is.
  const query = { start: '7d', end: 'now', tenant: ['contoso', 'fabrikam'], freeText: 'x'.repeat(500), limit: 5 };
  assert.equal(keptExactly(query), true);
  assert.deepEqual(sanitize(query, 1), query);
});

test('nothing nested deeper than the trail keeps is kept as sent: no secret under it, no overflow of a deep one', () => {
  const buried = { a: { b: { c: { d: { password: 'hunter2', note: 'x' } } } } };
  assert.deepEqual(sanitize(buried), { a: { b: { c: { d: '…' } } } });
  assert.doesNotMatch(JSON.stringify(sanitize(buried)), /hunter2/);
  let deep: unknown = 'x';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.deepEqual(sanitize({ status: 'resolved', extra: deep }), { status: 'resolved', extra: [[['…']]] });
  assert.equal(keptExactly({ extra: deep }), false);
});
