/**
 * Who holds a lease (the collector's streams, the forwarder's sinks): `host:pid:xxxxxxxx`, made and read
 * here side by side. A holder named so on this host whose process no longer exists is gone, and its lease
 * can be taken over at once instead of waiting out its term; a live process or another host's holder is not.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** This process's owner name (the random part tells runs in one process apart). */
export function leaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

const OWNER = /^(.*):(\d+):[0-9a-f]{8}$/;

/** How a person reads an owner: `process 4242 on build-7` (the random part tells nobody anything). */
export function ownerText(owner: string): string {
  const m = OWNER.exec(owner);
  return m ? `process ${m[2]} on ${m[1]}` : owner;
}

/** True for an owner named by leaseOwner() on this host whose process does not exist. */
export function isDeadLocalOwner(owner: string): boolean {
  const m = OWNER.exec(owner);
  if (!m || m[1] !== hostname()) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
