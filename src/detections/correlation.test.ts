import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRecord } from '../core/record.js';
import { DAY, HOUR } from '../core/time.js';
import type { Hit } from './contract.js';
import { createEvaluator } from './evaluator.js';
import { errorsOf, hitsOf, rulesFrom, stored } from './testing/rules.js';
import { signIn } from '../reports/testing/builders.js';
import { BASE, merged, rng, SIGNIN_RULES, signInAt, story } from './testing/sign-in-story.js';

/** Live: every record arrives up to a day late, in random batches. */
function live(records: readonly AuditRecord[], random: () => number): Hit[] {
  const set = rulesFrom(SIGNIN_RULES);
  const evaluator = createEvaluator(set);
  const arriving = records
    .map((r) => ({ r, at: r.creationTime + Math.floor(random() * DAY) }))
    .sort((a, b) => a.at - b.at)
    .map((x) => stored(x.r, x.at));
  const hits: Hit[] = [];
  for (let i = 0; i < arriving.length;) {
    const n = 1 + Math.floor(random() * 40);
    hits.push(...evaluator.push(arriving.slice(i, i + n)));
    i += n;
  }
  return [...hits, ...evaluator.flush()];
}

test('the correlation and first-seen rules compile and join their rules', () => {
  const set = rulesFrom(SIGNIN_RULES);
  assert.deepEqual(errorsOf(set.problems), []);
  const failed = set.rules.find((r) => r.name === 'failed_signin');
  assert.equal(failed?.kind === 'record' && failed.generate, false, 'a correlated rule raises no hits of its own');
});

test('live (late, shuffled, in batches) and retro (sorted) give the same hits', () => {
  const records = story(rng(7));
  const retro = hitsOf(
    rulesFrom(SIGNIN_RULES),
    [...records].sort((a, b) => a.creationTime - b.creationTime),
  );
  for (const seed of [1, 2, 3]) assert.deepEqual(merged(live(records, rng(seed))), merged(retro), `seed ${seed}`);
  const titles = new Set(retro.map((h) => h.title));
  for (const t of ['Brute force', 'Password spray', 'Failures then success', 'New address for a user'])
    assert.ok(titles.has(t), t);
});

test('brute force: the window holds every failure of the burst, grouped by user', () => {
  const records = story(rng(7));
  const hits = hitsOf(rulesFrom(SIGNIN_RULES), records).filter((h) => h.title === 'Brute force');
  const victim = hits.filter((h) => h.groupKey === 'victim@contoso.com');
  assert.equal(new Set(victim.flatMap((h) => h.recordIds)).size, 14);
  assert.equal(victim[0]?.facts.UserId, 'victim@contoso.com');
});

test('password spray counts distinct users per address', () => {
  const hits = hitsOf(rulesFrom(SIGNIN_RULES), story(rng(7))).filter((h) => h.title === 'Password spray');
  assert.deepEqual([...new Set(hits.map((h) => h.groupKey))], ['198.51.100.66']);
  assert.equal(hits[0]?.facts['distinct UserId'], '8');
});

test('first-seen: a value new in the look-back is a hit; the earliest of a late pair takes it', () => {
  const set = rulesFrom(SIGNIN_RULES);
  const a = signInAt(false, BASE + 2 * HOUR, 'x@contoso.com', '203.0.113.50');
  const b = signInAt(false, BASE + 3 * HOUR, 'x@contoso.com', '203.0.113.50');
  const c = signInAt(false, BASE + 9 * DAY, 'x@contoso.com', '203.0.113.50');
  const evaluator = createEvaluator(set);
  // The store's records reach back past the 7-day look-back.
  evaluator.history(new Map([[a.tenant, BASE - 8 * DAY]]));
  const early = evaluator.push([stored(b)]);
  assert.deepEqual(
    early.filter((h) => h.title === 'New address for a user'),
    [],
    'undecided within the lateness',
  );
  const rest = [...evaluator.push([stored(a)]), ...evaluator.push([stored(c)]), ...evaluator.flush()].filter(
    (h) => h.title === 'New address for a user',
  );
  assert.deepEqual(rest.map((h) => h.recordIds[0]).sort(), [a.id, c.id].sort());
});

test('first-seen: a value is not new while the history is shorter than the look-back', () => {
  const set = rulesFrom(SIGNIN_RULES);
  const first = signInAt(false, BASE, 'x@contoso.com', '192.0.2.1');
  const a = signInAt(false, BASE + 6 * DAY, 'x@contoso.com', '203.0.113.50');
  const b = signInAt(false, BASE + 7 * DAY, 'x@contoso.com', '203.0.113.51');
  const evaluator = createEvaluator(set, { lateness: Infinity });
  const hits = [...evaluator.push([first, a, b].map((r) => stored(r))), ...evaluator.flush()];
  assert.deepEqual(
    hits.filter((h) => h.title === 'New address for a user').map((h) => h.recordIds[0]),
    [b.id],
    'a week after the first record, not before',
  );
  const told = createEvaluator(set, { lateness: Infinity });
  told.history(new Map([[a.tenant, BASE - DAY]]));
  const more = [...told.push([first, a, b].map((r) => stored(r))), ...told.flush()];
  assert.deepEqual(
    more
      .filter((h) => h.title === 'New address for a user')
      .map((h) => h.recordIds[0])
      .sort(),
    [a.id, b.id].sort(),
    "the store's earlier records count",
  );
});

test('first-seen: history observed before a retro run makes a value known, not new', () => {
  const set = rulesFrom(SIGNIN_RULES);
  const before = signInAt(false, BASE, 'x@contoso.com', '203.0.113.50');
  const after = signInAt(false, BASE + 2 * DAY, 'x@contoso.com', '203.0.113.50');
  const evaluator = createEvaluator(set, { lateness: Infinity });
  evaluator.observe([stored(before)]);
  const hits = [...evaluator.push([stored(after)]), ...evaluator.flush()];
  assert.deepEqual(
    hits.filter((h) => h.title === 'New address for a user'),
    [],
  );
});

test('several group-by values: a | or \\ inside a value never joins two groups into one', () => {
  const rules = `${SIGNIN_RULES.split('\n---\n')[0]}
---
title: Failures by user and agent
id: 10000000-0000-4000-8000-0000000000aa
level: high
correlation:
  type: event_count
  rules: [failed_signin]
  group-by: [UserId, UserAgent]
  timespan: 1h
  condition: {gte: 2}
`;
  // ('a|b', 'c') and ('a', 'b|c') joined plainly are both a|b|c; so are ('x\\', '|y') and ('x\\|', 'y') when only the
  // | is escaped.
  const pairs: [string, string][] = [
    ['a|b@contoso.com', 'curl'],
    ['a', 'b@contoso.com|curl'],
    ['x\\', '|y'],
    ['x\\|', 'y'],
    ['plain@contoso.com', 'curl'],
  ];
  const at = (t: number) => new Date(t).toISOString().slice(0, 19);
  const records = pairs.flatMap(([user, agent], i) =>
    [1_000, 2_000].map((dt) =>
      signIn(true, { CreationTime: at(BASE + dt + i * 1_000), UserId: user, ClientIP: '192.0.2.1', UserAgent: agent }),
    ),
  );
  const hits = hitsOf(rulesFrom(rules), records).filter((h) => h.title === 'Failures by user and agent');
  assert.equal(new Set(hits.map((h) => h.groupKey)).size, pairs.length, hits.map((h) => h.groupKey).join('  '));
  assert.ok(hits.every((h) => h.recordIds.length === 2));
  // Values without | or \\ keep the key (and so the alert id) they had before the escape.
  assert.ok(hits.some((h) => h.groupKey === 'plain@contoso.com|curl'));
});
