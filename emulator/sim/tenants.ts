/**
 * Simulated tenants from a seed (issue 3): names and domains, GUIDs, one app registration each, users
 * (members, a few guests, a service account), mailboxes with the Exchange Online audit defaults
 * (spec §5.5), SharePoint sites, OneDrives and files. Role holders come from roles.ts.
 */
import { DAY } from '../../src/core/time.js';
import {
  AUDIT_ADMIN,
  AUDIT_DELEGATE,
  AUDIT_OWNER,
  DEPARTMENTS,
  FILE_EXTENSIONS,
  FILE_STEMS,
  FIRST_NAMES,
  LAST_NAMES,
  ORGS,
  PROFILES,
  SITE_NAMES,
  USER_AGENTS,
} from './data.js';
import { Rng, stableGuid } from './rng.js';
import { buildRoles } from './roles.js';
import type { SimMailbox, SimOptions, SimSite, SimTenant, SimUser } from './types.js';

/** Fewer users than this cannot hold every role and kind the issue asks for. */
export const MIN_USERS = 15;

export function buildTenant(o: SimOptions, index: number): SimTenant {
  const org = ORGS[index % ORGS.length]!;
  const name = index < ORGS.length ? org.name : `${org.name}${Math.floor(index / ORGS.length) + 1}`;
  const domain = `${name}.onmicrosoft.com`;
  const profile = PROFILES[index % PROFILES.length]!;
  const tenantId = stableGuid(o.seed, 'tenant', index);
  const users = buildUsers(o, tenantId, domain, index);
  return {
    name,
    tenantId,
    domain,
    profile,
    ualEnabled: profile !== 'ual-off',
    orgAuditDisabled: profile === 'org-audit-off',
    dehydrated: profile === 'dehydrated',
    users,
    mailboxes: buildMailboxes(o, tenantId, domain, users, profile),
    sites: buildSites(o, tenantId, name, users),
    roles: buildRoles(o, users),
    clientId: stableGuid(o.seed, tenantId, 'app'),
    clientSecret: secret(Rng.of(o.seed, tenantId, 'secret')),
    publisherId: stableGuid(o.seed, tenantId, 'publisher'),
  };
}

/** A secret in the shape Entra issues (40 characters, a "~" among them). */
function secret(rng: Rng): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
  let s = '';
  for (let i = 0; i < 40; i++) s += i === 3 ? '~' : alphabet[rng.int(0, alphabet.length - 1)];
  return s;
}

/**
 * Users in a fixed order the rest of the simulator relies on: the first eight hold the admin roles
 * (roles.ts), the last is the service account, the three before it are guests.
 */
function buildUsers(o: SimOptions, tenantId: string, domain: string, index: number): SimUser[] {
  const n = Math.max(o.users, MIN_USERS);
  const rng = Rng.of(o.seed, tenantId, 'users');
  const taken = new Set<string>();
  const guests = n >= 20 ? 3 : 1;
  const users: SimUser[] = [];
  for (let u = 0; u < n; u++) {
    const kind: SimUser['kind'] = u === n - 1 ? 'service' : u >= n - 1 - guests ? 'guest' : 'member';
    const first = FIRST_NAMES[(u * 7 + index * 3) % FIRST_NAMES.length]!;
    const last = LAST_NAMES[(u * 11 + Math.floor(u / FIRST_NAMES.length) + index) % LAST_NAMES.length]!;
    let local = kind === 'service' ? 'svc-sync' : `${first}.${last}`.toLowerCase();
    for (let k = 2; taken.has(local); k++) local = `${first}.${last}${k}`.toLowerCase();
    taken.add(local);
    const outside = ORGS[(index + 1 + u) % ORGS.length]!.partner;
    const upn = kind === 'guest' ? `${local}_${outside}#EXT#@${domain}` : `${local}@${domain}`;
    users.push({
      id: stableGuid(o.seed, tenantId, 'user', u),
      userPrincipalName: upn,
      displayName: kind === 'service' ? 'Directory Sync Service' : `${first} ${last}`,
      puid: `1003${rng.hex(12).toUpperCase()}`,
      kind,
      department: kind === 'service' ? 'IT' : DEPARTMENTS[rng.int(0, DEPARTMENTS.length - 1)]!,
      homeIps: homeIps(index, u, rng),
      userAgent: USER_AGENTS[rng.int(0, USER_AGENTS.length - 1)]!,
    });
  }
  return users;
}

/**
 * Documentation address ranges only (RFC 5737 / RFC 3849), so no simulated record names a real host:
 * the office egress address 203.0.113.x (shared by the tenant), a home IPv4 192.0.2.x or an IPv6 home
 * in 2001:db8::/32.
 */
function homeIps(tenantIndex: number, u: number, rng: Rng): string[] {
  const office = `203.0.113.${10 + (tenantIndex % 40) * 5}`;
  const home = rng.chance(0.3)
    ? `2001:db8:${(tenantIndex + 1).toString(16)}:${u.toString(16)}::${rng.int(1, 0xfff).toString(16)}`
    : `192.0.2.${rng.int(1, 254)}`;
  return [office, home];
}

function buildMailboxes(
  o: SimOptions,
  tenantId: string,
  domain: string,
  users: SimUser[],
  profile: SimTenant['profile'],
): SimMailbox[] {
  const owned = users.filter((u) => u.kind !== 'guest');
  const boxes: SimMailbox[] = owned.map((u, i) =>
    mailbox(u.userPrincipalName, u.id, u.displayName, 'UserMailbox', !(profile === 'mailboxes-off' && i % 4 === 3)),
  );
  const shared = [
    ['info', 'Info'],
    ['finance-team', 'Finance Team'],
  ] as const;
  for (const [local, display] of shared) {
    const box = mailbox(
      `${local}@${domain}`,
      stableGuid(o.seed, tenantId, 'shared', local),
      display,
      'SharedMailbox',
      !(profile === 'mailboxes-off' && local === 'info'),
    );
    // Shared mailboxes where an admin asked for folder access to be audited too.
    box.auditDelegate = [...box.auditDelegate, 'FolderBind'].sort();
    boxes.push(box);
  }
  return boxes;
}

function mailbox(
  upn: string,
  id: string,
  displayName: string,
  type: SimMailbox['recipientTypeDetails'],
  auditEnabled: boolean,
): SimMailbox {
  return {
    userPrincipalName: upn,
    id,
    displayName,
    recipientTypeDetails: type,
    auditEnabled,
    auditLogAgeLimit: '90.00:00:00',
    auditOwner: [...AUDIT_OWNER],
    auditDelegate: [...AUDIT_DELEGATE],
    auditAdmin: [...AUDIT_ADMIN],
    defaultAuditSet: ['Admin', 'Delegate', 'Owner'],
  };
}

function buildSites(o: SimOptions, tenantId: string, name: string, users: SimUser[]): SimSite[] {
  const rng = Rng.of(o.seed, tenantId, 'sites');
  const sites: SimSite[] = SITE_NAMES.map((title, i) => {
    const slug = title.replace(/\s+/g, '');
    const kind: SimSite['kind'] = i === 0 ? 'communication' : 'team';
    return {
      id: stableGuid(o.seed, tenantId, 'site', i),
      url: `https://${name}.sharepoint.com/sites/${slug}`,
      title,
      kind,
      ownerUpn: users[i % users.length]!.userPrincipalName,
      files: files(rng, ['Shared Documents', `Shared Documents/${title}`, 'Shared Documents/Archive'], 10),
    };
  });
  for (const [i, u] of users.entries()) {
    if (u.kind !== 'member') continue;
    const personal = u.userPrincipalName.replace(/[@.]/g, '_');
    sites.push({
      id: stableGuid(o.seed, tenantId, 'onedrive', i),
      url: `https://${name}-my.sharepoint.com/personal/${personal}`,
      title: u.displayName,
      kind: 'onedrive',
      ownerUpn: u.userPrincipalName,
      files: files(rng, ['Documents', 'Documents/Desktop', 'Documents/Projects'], 5),
    });
  }
  return sites;
}

function files(rng: Rng, folders: string[], count: number): SimSite['files'] {
  const out: SimSite['files'] = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < count && i < count * 4; i++) {
    const extension = rng.pick(FILE_EXTENSIONS);
    const name = `${rng.pick(FILE_STEMS)}${rng.chance(0.4) ? ` v${rng.int(2, 9)}` : ''}.${extension}`;
    const path = rng.pick(folders);
    if (seen.has(`${path}/${name}`)) continue;
    seen.add(`${path}/${name}`);
    out.push({ path, name, extension });
  }
  return out;
}

/** Start of the history: records before it do not exist. */
export function historyStart(o: SimOptions): number {
  return o.start - o.days * DAY;
}
