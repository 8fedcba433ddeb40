/**
 * Seeded, stable pseudo-randomness. Every decision the emulator makes "at random" (which blob a record
 * lands in, which request gets a 500) is a hash of the seed and a stable key, so the same seed and the
 * same clock give the same answers: ground truth and tests stay stable.
 */

import { hash32 } from '../sim/rng.js';

export { hash32 };

/** A number in [0, 1) from the key. */
export function unit(...key: (string | number)[]): number {
  return hash32(key.join('|')) / 0x1_0000_0000;
}

/** A GUID-shaped, stable id from the key. */
export function stableGuid(...key: (string | number)[]): string {
  const base = key.join('|');
  let hex = '';
  for (let i = 0; hex.length < 32; i++) hex += hash32(`${base}#${i}`).toString(16).padStart(8, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
