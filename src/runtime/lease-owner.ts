/**
 * Who holds a lease (the collector's streams, the forwarder's sinks): `host:pid:xxxxxxxx`, made and read
 * here side by side. A holder named so on this host whose process no longer exists is gone, and its lease
 * can be taken over at once instead of waiting out its term; a live process or another host's holder is not.
 *
 * "This host" is the host name and, inside a container, its process id namespace: containers that share a host
 * name (Kubernetes pods with hostNetwork, `docker run --uts=host`) each number their processes apart, so a holder's
 * pid looked up in another container's namespace was not found (or was another process), and a live holder's lease
 * was taken over. Outside containers (the host's first namespace) the host part is the host name alone.
 */
import { randomUUID } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** The inode of the host's first process id namespace (Linux's PROC_PID_INIT_INO). */
const FIRST_PID_NAMESPACE = '4026531836';

/** This process's process id namespace, as /proc names it (`pid:[4026532198]`); null where there is none to read. */
function pidNamespace(): string | null {
  try {
    return /^pid:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** The host part of an owner name: the host name, and the process id namespace when it is not the host's first. */
export function ownerHost(name: string = hostname(), namespace: string | null = pidNamespace()): string {
  return namespace === null || namespace === FIRST_PID_NAMESPACE ? name : `${name}#pidns-${namespace}`;
}

let here: string | undefined;
/** This process's host part (it never changes while the process runs). */
function localHost(): string {
  return (here ??= ownerHost());
}

/** This process's owner name (the random part tells runs in one process apart). */
export function leaseOwner(): string {
  return `${localHost()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

const OWNER = /^(.*):(\d+):[0-9a-f]{8}$/;

/** How a person reads an owner: `process 4242 on build-7` (the random part tells nobody anything). */
export function ownerText(owner: string): string {
  const m = OWNER.exec(owner);
  return m ? `process ${m[2]} on ${m[1]}` : owner;
}

/**
 * True for an owner named by leaseOwner() on this host (`host`: this process's host part, ownerHost) whose process
 * does not exist.
 */
export function isDeadLocalOwner(owner: string, host: string = localHost()): boolean {
  const m = OWNER.exec(owner);
  if (!m || m[1] !== host) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
