import data from './data/user-types.json' with { type: 'json' };
import { lookupKey } from './lookup-key.js';

/**
 * UserType catalogue (spec/schema/user-types.json, 0 Regular … 10 Guest). Graph sends the same values as
 * lowerCamel strings (`regular`, `dcAdmin`, `servicePrincipal`). Note schema.md quirk 11: Entra records
 * report admins as 0, so privilege is never inferred from this.
 */
const rows = data.rows as unknown as [number, string][];
const byValue = new Map(rows);
const byKey = new Map(rows.map(([value, name]) => [lookupKey(name), value]));

export function userTypeName(n: number): string {
  return byValue.get(n) ?? `UserType_${n}`;
}

export function resolveUserType(input: string | number): number | null {
  if (typeof input === 'number') return Number.isInteger(input) ? input : null;
  const key = lookupKey(input);
  if (key === '') return null;
  const known = byKey.get(key);
  if (known !== undefined) return known;
  const label = /^usertype_(\d+)$/.exec(key);
  const numeric = Number(label ? label[1] : key);
  return Number.isInteger(numeric) && numeric >= 0 ? numeric : null;
}
