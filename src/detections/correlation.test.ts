import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRecord } from '../core/record.js';
import { DAY, HOUR, MINUTE } from '../core/time.js';
import { signIn } from '../reports/testing/builders.js';
import type { Hit } from './contract.js';
import { createEvaluator } from './evaluator.js';
import { errorsOf, hitsOf, rulesFrom, stored } from './testing/rules.js';

const BASE = Date.UTC(2026, 2, 2);
const iso = (t: number) => new Date(t).toISOString().slice(0, 19);

const SIGNIN_RULES = `title: Failed sign-in
id: 10000000-0000-4000-8000-000000000001
name: failed_signin
level: low
logsource: {product: m365, service: audit}
detection:
  sel: {Operation: UserLoginFailed}
  condition: sel
---
title: Successful sign-in
id: 10000000-0000-4000-8000-000000000002
name: good_signin
level: low
logsource: {product: m365, service: audit}
detection:
  sel: {Operation: UserLoggedIn}
  condition: sel
---
title: Brute force
id: 10000000-0000-4000-8000-000000000003
level: high
correlation:
  type: event_count
  rules: [failed_signin]
  group-by: [UserId]
  timespan: 10m
  condition: {gte: 10}
---
title: Password spray
id: 10000000-0000-4000-8000-000000000004
level: high
correlation:
  type: value_count
  rules: [failed_signin]
  group-by: [ClientIP]
  timespan: 1h
  condition: {field: UserId, gte: 5}
---
title: Failures then success
id: 10000000-0000-4000-8000-000000000005
level: high
correlation:
  type: temporal
  rules: [failed_signin, good_signin]
  group-by: [UserId]
  timespan: 30m
---
title: New address for a user
id: 10000000-0000-4000-8000-000000000006
level: low
logsource: {product: m365, service: audit}
detection:
  sel: {Operation: UserLoggedIn}
  condition: sel
first-seen:
  field: ClientIP
  group-by: [UserId]
  days: 7
`;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function signInAt(failed: boolean, t: number, user: string, ip: string): AuditRecord {
  return signIn(failed, { CreationTime: iso(t), UserId: user, ClientIP: ip });
}

/** Ten days of sign-ins: a brute force, a spray, failures then success, new addresses, noise. */
function story(random: () => number): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let day = 0; day < 10; day++) {
    for (let i = 0; i < 30; i++) {
      const user = `user${i % 6}@contoso.com`;
      out.push(
        signInAt(
          random() < 0.2,
          BASE + day * DAY + Math.floor(random() * DAY),
          user,
          `192.0.2.${(i % 6) + (day === 6 && i % 6 === 2 ? 100 : 0)}`,
        ),
      );
    }
  }
  const brute = BASE + 3 * DAY + 5 * HOUR + 2 * MINUTE;
  for (let i = 0; i < 14; i++) out.push(signInAt(true, brute + i * 20_000, 'victim@contoso.com', '203.0.113.9'));
  out.push(signInAt(false, brute + 5 * MINUTE, 'victim@contoso.com', '203.0.113.9'));
  const spray = BASE + 5 * DAY + 2 * HOUR;
  for (let i = 0; i < 8; i++)
    out.push(signInAt(true, spray + i * 3 * MINUTE, `staff${i}@contoso.com`, '198.51.100.66'));
  return out;
}

/** Hits merged by rule, tenant, group and window: what an alert holds whatever the arrival order. */
function merged(hits: readonly Hit[]): string[] {
  const by = new Map<string, Set<string>>();
  for (const h of hits) {
    const key = `${h.ruleId} ${h.tenant} ${h.groupKey} ${h.facts.window ?? h.recordIds[0]}`;
    const set = by.get(key) ?? new Set<string>();
    h.recordIds.forEach((id) => set.add(id));
    by.set(key, set);
  }
  return [...by].map(([k, ids]) => `${k}: ${[...ids].sort().join(',')}`).sort();
}

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
