/**
 * What record generators need to know about one tenant, computed once: who is who, which mailbox and
 * OneDrive belongs to whom, addresses and Exchange identifiers. Derived only from the SimTenant and the
 * seed, so it never changes what the tenant looks like.
 */
import { ORGS } from './data.js';
import { Rng } from './rng.js';
import type { SimMailbox, SimSite, SimTenant, SimUser } from './types.js';

export interface TenantModel {
  seed: number;
  index: number;
  tenant: SimTenant;
  orgDisplay: string;
  members: SimUser[];
  guests: SimUser[];
  service: SimUser;
  /** Members without an admin role: the bulk of the activity. */
  staff: SimUser[];
  byUpn: Map<string, SimUser>;
  mailboxByUpn: Map<string, SimMailbox>;
  teamSites: SimSite[];
  oneDriveByUpn: Map<string, SimSite>;
  sharedMailboxes: SimMailbox[];
  /** Exchange Online server names ("PH0PR14MB4341") records of this tenant come from. */
  servers: string[];
  /** On-premises-style SID prefix for LogonUserSid / MailboxOwnerSid. */
  sidPrefix: string;
  /** Attacker addresses (documentation range 198.51.100.0/24). */
  attackerIps: string[];
  /** Per-UPN identifiers computed once. */
  sids: Map<string, string>;
  mailboxGuids: Map<string, string>;
}

export function buildModel(seed: number, index: number, tenant: SimTenant): TenantModel {
  const rng = Rng.of(seed, tenant.tenantId, 'model');
  const members = tenant.users.filter((u) => u.kind === 'member');
  const adminIds = new Set(tenant.roles.map((r) => r.userId));
  const region = ['PH0PR14', 'AM0PR07', 'BYAPR18', 'CH0PR18', 'PAXP193'][index % 5]!;
  return {
    seed,
    index,
    tenant,
    orgDisplay: ORGS[index % ORGS.length]!.display,
    members,
    guests: tenant.users.filter((u) => u.kind === 'guest'),
    service: tenant.users.find((u) => u.kind === 'service')!,
    staff: members.some((u) => !adminIds.has(u.id)) ? members.filter((u) => !adminIds.has(u.id)) : members,
    byUpn: new Map(tenant.users.map((u) => [u.userPrincipalName, u])),
    mailboxByUpn: new Map(tenant.mailboxes.map((m) => [m.userPrincipalName, m])),
    teamSites: tenant.sites.filter((s) => s.kind !== 'onedrive'),
    oneDriveByUpn: new Map(tenant.sites.filter((s) => s.kind === 'onedrive').map((s) => [s.ownerUpn ?? '', s])),
    sharedMailboxes: tenant.mailboxes.filter((m) => m.recipientTypeDetails === 'SharedMailbox'),
    servers: Array.from({ length: 4 }, () => `${region}MB${rng.int(1000, 9999)}`),
    sidPrefix: `S-1-5-21-${rng.int(1e9, 4e9)}-${rng.int(1e9, 4e9)}-${rng.int(1e8, 9e8)}`,
    attackerIps: Array.from({ length: 3 }, (_, i) => `198.51.100.${20 + index * 10 + i}`),
    sids: new Map(),
    mailboxGuids: new Map(),
  };
}

/** A stable SID per user, as Exchange writes it in LogonUserSid / MailboxOwnerSid. */
export function sidOf(m: TenantModel, upn: string): string {
  return memo(m.sids, upn, () => `${m.sidPrefix}-${Rng.of(m.seed, m.tenant.tenantId, 'sid', upn).int(1e7, 9e7)}`);
}

/** The Exchange mailbox GUID (MailboxGuid), distinct from the Entra object id. */
export function mailboxGuid(m: TenantModel, upn: string): string {
  return memo(m.mailboxGuids, upn, () => Rng.of(m.seed, m.tenant.tenantId, 'mailbox-guid', upn).guid());
}

function memo(cache: Map<string, string>, key: string, make: () => string): string {
  let v = cache.get(key);
  if (v === undefined) cache.set(key, (v = make()));
  return v;
}
