/**
 * The seam between the tenant simulator (emulator/sim: pure, deterministic data from a seed) and the
 * protocol side of the emulator (emulator/server, token service, Management Activity API, Graph,
 * Exchange admin REST), which owns delivery (blobs, delays, duplicates), credentials, faults and
 * mutable state (settings changed through Set-* cmdlets).
 *
 * Determinism: the same seed and the same clock give the same tenants and the same records.
 */
import type { ContentType } from '../../src/core/record.js';

export interface SimOptions {
  seed: number;
  /** Number of tenants (default 5). Their audit states cycle through the profiles below. */
  tenants: number;
  /** Users per tenant (default 50). */
  users: number;
  /** Days of history before `start` that records exist for (default 8). */
  days: number;
  /** Anchor instant (epoch ms): history covers [start - days, start); activity continues after it. */
  start: number;
  /** Average records per user per day (default 20); activity keeps arriving at this rate. */
  recordsPerUserPerDay: number;
}

/**
 * Audit profile of a simulated tenant, so posture checks and collection see every case:
 * healthy; UAL off; org mailbox auditing off; some mailboxes with auditing off; dehydrated.
 */
export type TenantProfile = 'healthy' | 'ual-off' | 'org-audit-off' | 'mailboxes-off' | 'dehydrated';

export interface SimUser {
  /** Entra object id (GUID). */
  id: string;
  userPrincipalName: string;
  displayName: string;
  /** Microsoft's PUID-like UserKey, e.g. 10032000A1B2C3D4. */
  puid: string;
  kind: 'member' | 'guest' | 'service';
  department: string;
  /** Usual client IPs and user agent, so sign-in and file records look like one person. */
  homeIps: string[];
  userAgent: string;
}

export interface SimRoleSpan {
  /** Entra role display name, e.g. "Global Administrator". */
  role: string;
  roleTemplateId: string;
  userId: string;
  userPrincipalName: string;
  /** Epoch ms; the assignment holds over [from, to). to null = still holds. */
  from: number;
  to: number | null;
}

export interface SimMailbox {
  userPrincipalName: string;
  /** Exchange object id / ExternalDirectoryObjectId. */
  id: string;
  displayName: string;
  recipientTypeDetails: 'UserMailbox' | 'SharedMailbox';
  auditEnabled: boolean;
  /** TimeSpan text, default "90.00:00:00". */
  auditLogAgeLimit: string;
  auditOwner: string[];
  auditDelegate: string[];
  auditAdmin: string[];
  defaultAuditSet: string[];
}

export interface SimSite {
  id: string;
  url: string;
  title: string;
  kind: 'team' | 'communication' | 'onedrive';
  ownerUpn: string | null;
  files: { path: string; name: string; extension: string }[];
}

export interface SimTenant {
  name: string;
  tenantId: string;
  domain: string;
  profile: TenantProfile;
  /** Initial audit state (the protocol side owns later changes). */
  ualEnabled: boolean;
  orgAuditDisabled: boolean;
  dehydrated: boolean;
  users: SimUser[];
  mailboxes: SimMailbox[];
  sites: SimSite[];
  roles: SimRoleSpan[];
  /** Seeded, stable app registration id and secret (certificates are made by the protocol side). */
  clientId: string;
  clientSecret: string;
  publisherId: string;
}

/** One generated audit record and the feed it belongs to. */
export interface SimRecord {
  contentType: ContentType;
  /** CreationTime in epoch ms (also inside `record.CreationTime`, formatted without Z). */
  creationTime: number;
  /** The AuditData object with Microsoft's PascalCase keys, shaped like the real records in shared/corpus. */
  record: Record<string, unknown>;
}

export interface Simulation {
  readonly options: SimOptions;
  readonly tenants: readonly SimTenant[];
  /**
   * Every record of the tenant with CreationTime in [from, to), in CreationTime order; deterministic
   * for any range (generated per time slot from the seed, so ranges can be asked for in any order and
   * activity never ends). Records before `options.start - days` do not exist.
   */
  records(tenantId: string, from: number, to: number): SimRecord[];
  /** Role holders over time (also what Graph directoryRoles members are built from). */
  roles(tenantId: string): readonly SimRoleSpan[];
}
