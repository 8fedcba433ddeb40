/**
 * One process sends to a sink at a time: it holds the lease `sink:<name>` in the store's ledger (as the
 * collector does per stream), renews it after every batch and while it waits to retry one (forwarder.ts
 * waitHoldingLease), and lets it go when it stops. A holder on this machine whose process died is taken
 * over at once; one elsewhere when its lease runs out.
 */
import { isDeadLocalOwner, leaseOwner } from '../runtime/lease-owner.js';
import type { Leases } from './ports.js';

export { isDeadLocalOwner, leaseOwner };

export function leaseKey(sink: string): string {
  return `sink:${sink}`;
}

/** Takes the sink's lease, or reclaims it from a dead local holder; 'reclaimed' names who held it. */
export async function takeLease(
  leases: Leases,
  sink: string,
  owner: string,
  now: number,
  termMs: number,
): Promise<{ held: boolean; reclaimedFrom?: string }> {
  const key = leaseKey(sink);
  if (await leases.acquireLease(key, owner, now + termMs, now)) return { held: true };
  const holder = await leases.leaseHolder(key);
  if (!holder || !isDeadLocalOwner(holder.owner)) return { held: false };
  const won = await leases.reclaimLease(key, holder.owner, owner, now + termMs);
  return won ? { held: true, reclaimedFrom: holder.owner } : { held: false };
}
