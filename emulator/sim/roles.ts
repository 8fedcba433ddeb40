/**
 * Who held which Entra admin role, over time (SimRoleSpan). The admin-activity report counts an action
 * only while its author held a role, so the week must contain both a holder added during the week and
 * one removed during it; the matching "Add member to role." / "Remove member from role." records are
 * written at exactly those instants (records/entra-admin.ts).
 */
import { DAY, HOUR } from '../../src/core/time.js';
import { ROLE_TEMPLATES, type RoleName } from './data.js';
import type { SimOptions, SimRoleSpan, SimUser } from './types.js';

interface Plan {
  role: RoleName;
  user: number;
  /** Days relative to the history start (negative = before it); null = still holds. */
  from: number;
  to: number | null;
}

/**
 * Fixed plan over user indexes 0–7 (tenants.ts keeps them members). `from`/`to` inside the history are
 * fractions of it, so even a 1-day history has an add and a removal: 0.3 and 0.55 of the way through.
 */
const PLAN: readonly Plan[] = [
  { role: 'Global Administrator', user: 0, from: -400, to: null },
  { role: 'Global Administrator', user: 1, from: -120, to: null },
  { role: 'Global Administrator', user: 2, from: 0.3, to: null },
  { role: 'Exchange Administrator', user: 3, from: -90, to: 0.55 },
  { role: 'Exchange Administrator', user: 4, from: -60, to: null },
  { role: 'SharePoint Administrator', user: 5, from: -200, to: null },
  { role: 'Security Administrator', user: 6, from: -30, to: null },
  { role: 'User Administrator', user: 7, from: -45, to: null },
];

export function buildRoles(o: SimOptions, users: readonly SimUser[]): SimRoleSpan[] {
  const start = o.start - o.days * DAY;
  const span = o.start - start;
  /** Whole seconds, at 10:17 or so into a working hour: role changes are made by people. */
  const at = (x: number): number => {
    const raw = x < 0 ? start + x * DAY : start + x * span;
    return Math.floor(raw / HOUR) * HOUR + 17 * 60_000 + 23_000;
  };
  return PLAN.map((p) => {
    const user = users[p.user]!;
    return {
      role: p.role,
      roleTemplateId: ROLE_TEMPLATES[p.role],
      userId: user.id,
      userPrincipalName: user.userPrincipalName,
      from: at(p.from),
      to: p.to === null ? null : at(p.to),
    };
  });
}

/** Holders of the role at the instant. */
export function holdersAt(spans: readonly SimRoleSpan[], role: RoleName, at: number): SimRoleSpan[] {
  return spans.filter((s) => s.role === role && s.from <= at && (s.to === null || at < s.to));
}

/** Role changes inside [from, to): the instants that get a role-membership record. */
export function roleChanges(
  spans: readonly SimRoleSpan[],
  from: number,
  to: number,
): { span: SimRoleSpan; kind: 'add' | 'remove'; at: number }[] {
  const out: { span: SimRoleSpan; kind: 'add' | 'remove'; at: number }[] = [];
  for (const span of spans) {
    if (span.from >= from && span.from < to) out.push({ span, kind: 'add', at: span.from });
    if (span.to !== null && span.to >= from && span.to < to) out.push({ span, kind: 'remove', at: span.to });
  }
  return out;
}
