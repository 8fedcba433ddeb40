import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_VALUES_PER_FILTER } from '../../search/filters.js';
import { keptExactly, sanitize } from './sanitize.js';

test('a value is kept exactly when the trail keeps it as it is and keeps no other value the same way', () => {
  const long = 'x'.repeat(501);
  const cut = sanitize(long) as string;
  // A text over 500 characters is kept cut, and so is the cut text itself: the trail keeps both as one.
  assert.equal(sanitize(cut), cut);
  assert.equal(keptExactly(long), false);
  assert.equal(keptExactly(cut), false);
  assert.equal(keptExactly('x'.repeat(500)), true);
  // A list of 1,000 (the most values a search or report filter takes) is kept as the first 1,000 of a longer one.
  const most = Array.from({ length: 1_000 }, (_, i) => `u${i}`);
  assert.deepEqual(sanitize([...most, 'u1000']), most);
  assert.equal(keptExactly(most), false);
  assert.equal(keptExactly(most.slice(1)), true);
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

test('every value a search or report filter takes is kept: the one looked for is never the one left out', () => {
  // A list was kept as its first 50 values: a search for one person behind 50 others was recorded without them.
  const users = [...Array.from({ length: 50 }, (_, i) => `decoy${i}@contoso.com`), 'target@contoso.com'];
  const kept = sanitize({ start: '7d', user: users }) as { user: string[] };
  assert.deepEqual(kept.user, users);
  const most = Array.from({ length: MAX_VALUES_PER_FILTER }, (_, i) => `u${i}`);
  assert.deepEqual(sanitize({ user: most }), { user: most });
});

test("an object's keys are kept up to 200, and how many more were sent is said, not kept", () => {
  // Every key was kept: one body of made-up keys up to the 1 MB limit became a trail entry that large.
  const many = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]));
  const kept = sanitize({ status: 'resolved', extra: many }) as { status: string; extra: Record<string, unknown> };
  assert.equal(kept.status, 'resolved');
  assert.equal(Object.keys(kept.extra).length, 201);
  assert.equal(kept.extra.k199, 199);
  assert.equal(kept.extra.k200, undefined);
  assert.equal(kept.extra['…'], '49,800 more keys not kept');
  // Secrets are dropped before counting: they are neither kept nor counted as left out.
  const secrets = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`password${i}`, 'x']));
  assert.deepEqual(sanitize({ ...secrets, note: 'n' }), { note: 'n' });
  const most = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
  assert.deepEqual(sanitize(most), most);
  assert.equal(keptExactly(most), true);
  assert.equal(keptExactly({ ...most, k200: 200 }), false);
  assert.deepEqual(sanitize({ ...most, k200: 200 }), { ...most, '…': '1 more key not kept' });
  assert.equal(keptExactly({ '…': '1 more key not kept' }), false);
  // A key is cut as any text is: one key as long as the body was kept whole.
  const key = 'k'.repeat(900_000);
  assert.deepEqual(sanitize({ [key]: 1, note: 'n' }), { [`${'k'.repeat(500)}…`]: 1, note: 'n' });
  assert.equal(keptExactly({ [key]: 1 }), false);
});

test('an API token pasted into a query or body under any name is kept cut, never whole', () => {
  const token = 'tw_0123456789abcdef_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde';
  const kept = sanitize({ start: '7d', auth: token, note: `see Bearer ${token} here`, list: [token] });
  assert.deepEqual(kept, { start: '7d', auth: 'tw_…', note: 'see Bearer tw_… here', list: ['tw_…'] });
  assert.equal(keptExactly({ auth: token }), false);
  assert.equal(keptExactly({ user: 'tw_user@contoso.com' }), true);
});
