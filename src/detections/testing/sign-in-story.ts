/**
 * A story of sign-ins for correlation and first-seen tests: ten days of them with a brute force, a
 * password spray, failures then a success and new addresses among the noise, the rules that find them,
 * and what an alert would hold whatever the order the hits came in.
 */
import type { AuditRecord } from '../../core/record.js';
import { DAY, HOUR, MINUTE } from '../../core/time.js';
import { signIn } from '../../reports/testing/builders.js';
import type { Hit } from '../contract.js';

export const BASE = Date.UTC(2026, 2, 2);
const iso = (t: number) => new Date(t).toISOString().slice(0, 19);

export const SIGNIN_RULES = `title: Failed sign-in
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

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function signInAt(failed: boolean, t: number, user: string, ip: string): AuditRecord {
  return signIn(failed, { CreationTime: iso(t), UserId: user, ClientIP: ip });
}

/** Ten days of sign-ins: a brute force, a spray, failures then success, new addresses, noise. */
export function story(random: () => number): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let day = 0; day < 10; day++) {
    for (let i = 0; i < 30; i++) {
      const user = `user${i % 6}@contoso.com`;
      out.push(
        signInAt(
          random() < 0.2,
          BASE + day * DAY + Math.floor(random() * DAY),
          user,
          `192.0.2.${(i % 6) + (day === 8 && i % 6 === 2 ? 100 : 0)}`,
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
export function merged(hits: readonly Hit[]): string[] {
  const by = new Map<string, Set<string>>();
  for (const h of hits) {
    const key = `${h.ruleId} ${h.tenant} ${h.groupKey} ${h.facts.window ?? h.recordIds[0]}`;
    const set = by.get(key) ?? new Set<string>();
    h.recordIds.forEach((id) => set.add(id));
    by.set(key, set);
  }
  return [...by].map(([k, ids]) => `${k}: ${[...ids].sort().join(',')}`).sort();
}
