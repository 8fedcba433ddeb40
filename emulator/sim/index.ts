/**
 * The tenant simulator (issue 3, "Simulated tenants from a seed"): deterministic tenants and their audit
 * activity for the emulator's protocol side (emulator/sim/types.ts is the seam). Records are generated
 * on demand per tenant and 10-minute slot, with a small LRU of recent slots, so a week of 5 tenants ×
 * 200 users costs little memory and any range can be asked for in any order.
 */
import { AppError } from '../../src/core/errors.js';
import { DAY } from '../../src/core/time.js';
import { buildModel, type TenantModel } from './model.js';
import { SLOT_MS, slotRecords } from './slot.js';
import { buildTenant } from './tenants.js';
import type { SimOptions, SimRecord, SimRoleSpan, Simulation } from './types.js';

export type { SimOptions, Simulation } from './types.js';

export const DEFAULT_SIM_OPTIONS: Omit<SimOptions, 'start'> = {
  seed: 1,
  tenants: 5,
  users: 50,
  days: 8,
  recordsPerUserPerDay: 20,
};

/** Slots kept in memory; a week of one tenant is ~1,000 slots, so this is a working set, not a store. */
const CACHE_SLOTS = 256;

export function createSimulation(options: Partial<SimOptions> & { start: number }): Simulation {
  const o: SimOptions = { ...DEFAULT_SIM_OPTIONS, ...options };
  validate(o);
  const tenants = Array.from({ length: o.tenants }, (_, i) => buildTenant(o, i));
  const models = new Map<string, TenantModel>(
    tenants.map((t, i) => [t.tenantId.toLowerCase(), buildModel(o.seed, i, t)]),
  );
  const earliest = o.start - o.days * DAY;
  const cache = new Map<string, SimRecord[]>();

  const slot = (m: TenantModel, s: number): SimRecord[] => {
    const key = `${m.index}:${s}`;
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const made = slotRecords(o, m, s, earliest);
    cache.set(key, made);
    if (cache.size > CACHE_SLOTS) cache.delete(cache.keys().next().value!);
    return made;
  };

  return {
    options: o,
    tenants,
    records(tenantId: string, from: number, to: number): SimRecord[] {
      const m = models.get(tenantId.toLowerCase());
      if (!m) return [];
      const lo = Math.max(from, earliest);
      const out: SimRecord[] = [];
      for (let s = Math.floor(lo / SLOT_MS); s * SLOT_MS < to; s++) {
        for (const r of slot(m, s)) if (r.creationTime >= lo && r.creationTime < to) out.push(r);
      }
      return out;
    },
    roles(tenantId: string): readonly SimRoleSpan[] {
      return models.get(tenantId.toLowerCase())?.tenant.roles ?? [];
    },
  };
}

function validate(o: SimOptions): void {
  const whole = (name: keyof SimOptions, min: number): void => {
    const v = o[name];
    if (!Number.isFinite(v) || !Number.isInteger(v) || v < min) {
      throw new AppError('CONFIG_INVALID', `simulation option ${name} is ${String(v)}`, {
        hint: `give ${name} as a whole number ≥ ${min}`,
      });
    }
  };
  whole('seed', Number.MIN_SAFE_INTEGER);
  whole('tenants', 1);
  whole('users', 1);
  whole('days', 0);
  whole('start', 0);
  if (!Number.isFinite(o.recordsPerUserPerDay) || o.recordsPerUserPerDay < 0) {
    throw new AppError(
      'CONFIG_INVALID',
      `simulation option recordsPerUserPerDay is ${String(o.recordsPerUserPerDay)}`,
      { hint: 'give the average records per user per day as a number ≥ 0' },
    );
  }
}
