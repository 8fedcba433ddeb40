/**
 * One process sends to a sink at a time: it holds the lease `sink:<name>` in the store's ledger (as the
 * collector does per stream), renews it after every batch, and lets it go when it stops. A holder on
 * this machine whose process died is taken over at once; one elsewhere when its lease runs out.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Leases } from './ports.js';

/** This process's owner name, `host:pid:xxxxxxxx`, the same form as the collector's. */
export function leaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export function leaseKey(sink: string): string {
  return `sink:${sink}`;
}

/** True when `owner` was named by leaseOwner() on this host and its process no longer exists. */
export function isDeadLocalOwner(owner: string): boolean {
  const m = /^(.*):(\d+):[0-9a-f]{8}$/.exec(owner);
  if (!m || m[1] !== hostname()) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as { code?: string }).code === 'ESRCH';
  }
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
