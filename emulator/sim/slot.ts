/**
 * One tenant's records for one 10-minute slot: everyday activity (a Poisson count shaped by hour of day
 * and weekday), the parts of scripted events that fall in the slot, and role-membership records at the
 * instants role spans begin or end. Everything comes from Rngs keyed by (seed, tenant, slot) or by the
 * event, so slots can be generated alone and in any order, and adjoining ranges concatenate exactly.
 */
import { DAY, HOUR, MINUTE } from '../../src/core/time.js';
import { activity } from './activity.js';
import type { TenantModel } from './model.js';
import { holdersAt, roleChanges } from './roles.js';
import { Rng } from './rng.js';
import { roleMembership } from './records/entra-admin.js';
import type { Gen } from './records/common.js';
import { daySchedule, eventRecords, LONGEST_EVENT } from './script.js';
import type { SimOptions, SimRecord } from './types.js';

export const SLOT_MS = 10 * MINUTE;

/** Relative activity by local hour (people work days; some mail sync and phones at night). */
const HOUR_WEIGHT = [
  0.2, 0.15, 0.15, 0.15, 0.15, 0.2, 0.35, 0.7, 1.3, 1.7, 1.8, 1.7, 1.2, 1.6, 1.7, 1.6, 1.4, 1.0, 0.6, 0.45, 0.4, 0.35,
  0.3, 0.25,
];
const WEEKEND = 0.2;
/** Mean of the weekly profile, so the average rate is what the options say. */
const MEAN = (HOUR_WEIGHT.reduce((s, w) => s + w, 0) * (5 + 2 * WEEKEND)) / (24 * 7);

/** Tenants sit in different time zones, so their busy hours differ (hours east of UTC). */
export function utcOffset(m: TenantModel): number {
  return [0, -5, 1, -8, 10][m.index % 5]!;
}

export function intensity(m: TenantModel, at: number): number {
  const local = at + utcOffset(m) * HOUR;
  const hour = Math.floor((local % DAY) / HOUR);
  const weekday = new Date(local).getUTCDay();
  return (HOUR_WEIGHT[hour]! * (weekday === 0 || weekday === 6 ? WEEKEND : 1)) / MEAN;
}

/** Records per activity on average (some activities write more than one record, some none). */
const PER_ACTIVITY = 1.05;

export function slotRecords(o: SimOptions, m: TenantModel, slot: number, earliest: number): SimRecord[] {
  const from = slot * SLOT_MS;
  const to = from + SLOT_MS;
  const out: SimRecord[] = [];
  const rng = Rng.of(o.seed, m.tenant.tenantId, 'slot', slot);
  const expected = (m.tenant.users.length * o.recordsPerUserPerDay * SLOT_MS * intensity(m, from)) / DAY / PER_ACTIVITY;
  const n = rng.poisson(expected);
  for (let i = 0; i < n; i++) {
    const g: Gen = { m, rng, at: from + rng.int(0, SLOT_MS / 1000 - 1) * 1000 };
    out.push(...activity(g));
  }
  out.push(...scripted(m, from, to));
  out.push(...roleRecords(o, m, from, to));
  const kept = out.filter((r) => r.creationTime >= Math.max(from, earliest) && r.creationTime < to);
  return kept.sort(byTimeThenId);
}

/** Recently made schedules and event records per tenant: a burst spans several slots, made once. */
const recent = new WeakMap<TenantModel, Map<string, unknown>>();
function remember<T>(m: TenantModel, key: string, make: () => T): T {
  let cache = recent.get(m);
  if (!cache) recent.set(m, (cache = new Map()));
  if (cache.has(key)) return cache.get(key) as T;
  const value = make();
  cache.set(key, value);
  if (cache.size > 64) cache.delete(cache.keys().next().value!);
  return value;
}

function scripted(m: TenantModel, from: number, to: number): SimRecord[] {
  const out: SimRecord[] = [];
  const offset = utcOffset(m);
  for (let day = Math.floor((from - LONGEST_EVENT - DAY) / DAY); day <= Math.floor(to / DAY) + 1; day++) {
    for (const e of remember(m, `day:${day}`, () => daySchedule(m, day, offset))) {
      if (e.at >= to || e.at + e.kind.spanMs + MINUTE <= from) continue;
      out.push(...remember(m, `event:${e.key}`, () => eventRecords(m, e)));
    }
  }
  return out;
}

/** "Add member to role." / "Remove member from role." exactly at the span's from / to. */
function roleRecords(o: SimOptions, m: TenantModel, from: number, to: number): SimRecord[] {
  return roleChanges(m.tenant.roles, from, to).map(({ span, kind, at }) => {
    const rng = Rng.of(o.seed, m.tenant.tenantId, 'role', span.userId, span.role, kind);
    const actors = holdersAt(m.tenant.roles, 'Global Administrator', at - 1).filter((s) => s.userId !== span.userId);
    const actor = m.byUpn.get(
      (actors[0] ?? holdersAt(m.tenant.roles, 'Global Administrator', at)[0]!).userPrincipalName,
    )!;
    const member = m.byUpn.get(span.userPrincipalName)!;
    return roleMembership({ m, rng, at }, actor, span, member, kind);
  });
}

export function byTimeThenId(a: SimRecord, b: SimRecord): number {
  if (a.creationTime !== b.creationTime) return a.creationTime - b.creationTime;
  const x = a.record.Id as string;
  const y = b.record.Id as string;
  return x < y ? -1 : x > y ? 1 : 0;
}
