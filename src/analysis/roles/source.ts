import type { TimeRange } from '../../core/time.js';

/**
 * Who held a privileged role, and when. admin-activity asks a RoleHolderSource; two exist: Microsoft
 * Graph's directoryRoles and members (the truth now, no history: microsoft/graph-directory.ts) and
 * the role-membership events in the audit log itself (history, but only of changes that were logged).
 */
export interface RoleHolder {
  /** Lower-cased UPN: what the records' user key is compared with. */
  userPrincipalName: string;
  /** Entra object id when the source knows it. */
  userId?: string;
  /** Role display name, e.g. "Global Administrator". */
  role: string;
  /** Epoch ms the holding began; null = before anything the source knows (held since "ever"). */
  from: number | null;
  /** Epoch ms it ended (exclusive); null = still held. */
  to: number | null;
}

export type RoleSourceName = 'graph' | 'audit-log';

export interface RoleHolders {
  source: RoleSourceName;
  holders: RoleHolder[];
}

export interface RoleHolderSource {
  /** Holders of any of `roles` (display names, case-insensitive) at any time in `period`. */
  holders(tenant: string, roles: readonly string[], period: TimeRange): Promise<RoleHolders>;
}

/** True when the holder held the role at instant `t`: [from, to). */
export function heldAt(holder: RoleHolder, t: number): boolean {
  return (holder.from === null || t >= holder.from) && (holder.to === null || t < holder.to);
}
