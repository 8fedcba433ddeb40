/**
 * Scripted events: the rarer things every investigation report needs to find, placed a few a day per
 * tenant at working hours and cycling through the whole list every three days, so any week holds each
 * of them: inbox rules that forward, delete or hide mail, mailbox forwarding set and cleared, mailbox
 * permissions, audit settings changed, consent and app credentials, password sprays, sign-ins from a new
 * address, mass downloads and deletions by one user in one hour, Teams and sharing administration.
 * An event and its records come from the event's own Rng, so a slot can cut out its part alone.
 */
import { DAY, HOUR, MINUTE } from '../../src/core/time.js';
import { ATTACKER_AGENTS } from './data.js';
import type { TenantModel } from './model.js';
import { holdersAt } from './roles.js';
import { Rng } from './rng.js';
import { pickOther, type Gen } from './records/common.js';
import { deleteItems, folderBind, mailItemsAccessed, updateInboxRules } from './records/exchange-mailbox.js';
import * as xa from './records/exchange-admin.js';
import * as ea from './records/entra-admin.js';
import { signIn } from './records/entra-signin.js';
import { channelAdded, complianceCmdlet, memberAdded, teamCreated } from './records/general.js';
import { fileOp, sharing, siteAdmin } from './records/sharepoint.js';
import type { SimRecord, SimUser } from './types.js';

type Make = (g: Gen) => (SimRecord | null)[];

interface Kind {
  name: string;
  /** How long the event's records spread after its start (bursts: one hour). */
  spanMs: number;
  make: Make;
}

const later = (g: Gen, ms: number): Gen => ({ ...g, at: g.at + ms });
const admin = (g: Gen, role: Parameters<typeof holdersAt>[1] = 'Global Administrator'): SimUser => {
  const spans = holdersAt(g.m.tenant.roles, role, g.at);
  const span = spans.length > 0 ? g.rng.pick(spans) : holdersAt(g.m.tenant.roles, 'Global Administrator', g.at)[0]!;
  return g.m.byUpn.get(span.userPrincipalName)!;
};
const staff = (g: Gen): SimUser => g.rng.pick(g.m.staff);
const newApp = (g: Gen): ea.App => ({
  appId: g.rng.guid(),
  objectId: g.rng.guid(),
  name: g.rng.pick(['Mail Sync Pro', 'PDF Converter Online', 'Calendar Helper', 'Graph Backup']),
});

/** A compromised-looking sign-in from an attacker address, then the rule it was for. */
function fromAttacker(g: Gen, u: SimUser, then: Make): (SimRecord | null)[] {
  const ip = g.rng.pick(g.m.attackerIps);
  return [signIn(g, u, { ok: true, ip, agent: g.rng.pick(ATTACKER_AGENTS) }), ...then(later(g, 2 * MINUTE))];
}

function burst(g: Gen, count: number, one: (g: Gen, i: number) => SimRecord | null): (SimRecord | null)[] {
  return Array.from({ length: count }, (_, i) =>
    one(later(g, Math.floor((i * HOUR) / count) + g.rng.int(0, 20_000)), i),
  );
}

const KINDS: readonly Kind[] = [
  {
    name: 'rule-forward',
    spanMs: 5 * MINUTE,
    make: (g) => fromAttacker(g, staff(g), (h) => [xa.newInboxRule(h, staff(h), 'forward')]),
  },
  { name: 'rule-delete', spanMs: MINUTE, make: (g) => [xa.newInboxRule(g, staff(g), 'delete')] },
  { name: 'rule-folder', spanMs: MINUTE, make: (g) => [xa.newInboxRule(g, staff(g), 'obscure-folder')] },
  { name: 'rule-read', spanMs: MINUTE, make: (g) => [xa.newInboxRule(g, staff(g), 'mark-read')] },
  { name: 'rule-set', spanMs: MINUTE, make: (g) => [xa.setInboxRule(g, staff(g))] },
  {
    name: 'forwarding',
    spanMs: 3 * HOUR,
    make: (g) => {
      const t = staff(g);
      return [
        xa.setMailboxForwarding(g, admin(g), t, false),
        xa.setMailboxForwarding(later(g, 2 * HOUR), admin(g), t, true),
      ];
    },
  },
  {
    name: 'mailbox-permission',
    spanMs: MINUTE,
    make: (g) => [xa.addMailboxPermission(g, admin(g, 'Exchange Administrator'), staff(g).userPrincipalName, staff(g))],
  },
  {
    name: 'recipient-permission',
    spanMs: MINUTE,
    make: (g) => [
      xa.addRecipientPermission(
        g,
        admin(g, 'Exchange Administrator'),
        g.rng.pick(g.m.sharedMailboxes).userPrincipalName,
        staff(g),
      ),
    ],
  },
  { name: 'audit-config', spanMs: MINUTE, make: (g) => [xa.setAdminAuditLogConfig(g, admin(g), true)] },
  { name: 'mailbox-audit-off', spanMs: MINUTE, make: (g) => [xa.setMailboxAuditOff(g, admin(g), staff(g))] },
  { name: 'transport-rule', spanMs: MINUTE, make: (g) => [xa.newTransportRule(g, admin(g, 'Exchange Administrator'))] },
  {
    name: 'consent',
    spanMs: 10 * MINUTE,
    make: (g) => {
      const app = newApp(g);
      return [
        ea.consent(g, staff(g), app, false, 'Mail.Read offline_access'),
        ea.consent(later(g, 5 * MINUTE), admin(g), app, true, 'Mail.ReadWrite Files.Read.All'),
      ];
    },
  },
  {
    name: 'service-principal',
    spanMs: 5 * MINUTE,
    make: (g) => {
      const app = newApp(g);
      const a = admin(g);
      return [ea.addServicePrincipal(g, a, app), ea.addAppRoleAssignment(later(g, 3 * MINUTE), a, app)];
    },
  },
  { name: 'app-secret', spanMs: MINUTE, make: (g) => [ea.appSecretAdded(g, admin(g), newApp(g))] },
  { name: 'new-user', spanMs: 5 * MINUTE, make: (g) => newUser(g) },
  {
    name: 'reset-password',
    spanMs: MINUTE,
    make: (g) => [ea.resetPassword(g, admin(g, 'User Administrator'), staff(g))],
  },
  { name: 'password-spray', spanMs: 20 * MINUTE, make: (g) => spray(g) },
  { name: 'brute-force', spanMs: 30 * MINUTE, make: (g) => bruteForce(g) },
  { name: 'mass-download', spanMs: HOUR, make: (g) => massFiles(g, 'FileDownloaded') },
  { name: 'mass-delete', spanMs: HOUR, make: (g) => massFiles(g, 'FileDeleted') },
  { name: 'team', spanMs: 10 * MINUTE, make: (g) => newTeam(g) },
  { name: 'external-sharing', spanMs: 10 * MINUTE, make: (g) => externalSharing(g) },
  {
    name: 'site-admin',
    spanMs: 10 * MINUTE,
    make: (g) => {
      const a = admin(g, 'SharePoint Administrator');
      const s = g.rng.pick(g.m.teamSites);
      return [
        siteAdmin(g, a, s, 'SiteCollectionAdminAdded', staff(g)),
        siteAdmin(later(g, 5 * MINUTE), a, s, 'SharingPolicyChanged', a),
      ];
    },
  },
  {
    name: 'admin-center',
    spanMs: 10 * MINUTE,
    make: (g) => [
      complianceCmdlet(g, admin(g, 'Security Administrator')),
      ea.companySetting(later(g, 3 * MINUTE), admin(g), 'Set Company Information.'),
      ea.companySetting(later(g, 6 * MINUTE), admin(g), 'Update authorization policy.'),
    ],
  },
  {
    name: 'outlook-forward',
    spanMs: MINUTE,
    make: (g) => {
      const u = staff(g);
      const b = g.m.mailboxByUpn.get(u.userPrincipalName);
      return b ? [updateInboxRules(g, u, b, `${u.displayName.split(' ')[0]!.toLowerCase()}@proton.me`)] : [];
    },
  },
  { name: 'admin-mailbox-access', spanMs: 10 * MINUTE, make: (g) => adminMailboxAccess(g) },
  {
    name: 'mail-purge',
    spanMs: 5 * MINUTE,
    make: (g) => {
      const u = staff(g);
      const b = g.m.mailboxByUpn.get(u.userPrincipalName);
      return b ? [deleteItems(g, u, b, 'HardDelete', 0, g.rng.int(20, 60))] : [];
    },
  },
];

function newUser(g: Gen): (SimRecord | null)[] {
  const a = admin(g, 'User Administrator');
  const n = g.rng.int(100, 999);
  const upn = `new.hire${n}@${g.m.tenant.domain}`;
  return [ea.addUser(g, a, upn, `New Hire ${n}`), ea.addMemberToGroup(later(g, 2 * MINUTE), a, staff(g), 'All Staff')];
}

/** Many users, one attacker address, wrong passwords within minutes. */
function spray(g: Gen): (SimRecord | null)[] {
  const ip = g.rng.pick(g.m.attackerIps);
  const agent = g.rng.pick(ATTACKER_AGENTS);
  return burst(g, Math.min(25, g.m.members.length), (h, i) =>
    signIn({ ...h, at: g.at + i * 40_000 }, g.m.members[i % g.m.members.length]!, { ok: false, ip, agent }),
  );
}

/** One user: a run of failures from one address, then a success from it (a new address for them). */
function bruteForce(g: Gen): (SimRecord | null)[] {
  const u = staff(g);
  const ip = g.rng.pick(g.m.attackerIps);
  const fails = g.rng.int(8, 15);
  const out = Array.from({ length: fails }, (_, i) =>
    signIn(later(g, i * 90_000), u, { ok: false, ip, error: i === fails - 1 ? 2 : 0 }),
  );
  return [...out, signIn(later(g, fails * 90_000 + 30_000), u, { ok: true, ip })];
}

function massFiles(g: Gen, op: 'FileDownloaded' | 'FileDeleted'): (SimRecord | null)[] {
  const u = staff(g);
  const site = g.rng.pick(g.m.teamSites);
  const ip = u.homeIps[u.homeIps.length - 1]!;
  return burst(g, g.rng.int(60, 120), (h, i) =>
    fileOp(
      h,
      u,
      site,
      site.files[i % site.files.length]!,
      op === 'FileDeleted' && i % 3 === 0 ? 'FileRecycled' : op,
      ip,
    ),
  );
}

function newTeam(g: Gen): (SimRecord | null)[] {
  const owner = staff(g);
  const team = { id: g.rng.guid(), name: g.rng.pick(['Project Falcon', 'Q3 Launch', 'Vendor Review']) };
  const guest = g.m.guests.length > 0 ? g.rng.pick(g.m.guests) : pickOther(g, g.m.members, owner);
  return [
    teamCreated(g, owner, team),
    channelAdded(later(g, MINUTE), owner, team, 'Planning'),
    memberAdded(later(g, 2 * MINUTE), owner, team, pickOther(g, g.m.members, owner)),
    memberAdded(later(g, 3 * MINUTE), owner, team, guest),
  ];
}

function externalSharing(g: Gen): (SimRecord | null)[] {
  const u = staff(g);
  const site = g.m.oneDriveByUpn.get(u.userPrincipalName) ?? g.rng.pick(g.m.teamSites);
  return [
    sharing(g, u, site, g.rng.pick(site.files), 'SharingInvitationCreated', pickOther(g, g.m.members, u)),
    sharing(later(g, 4 * MINUTE), u, site, g.rng.pick(site.files), 'AnonymousLinkCreated', u),
  ];
}

/** An Exchange administrator reading someone's mail (LogonType 1) and browsing a shared mailbox. */
function adminMailboxAccess(g: Gen): (SimRecord | null)[] {
  const a = admin(g, 'Exchange Administrator');
  const target = g.m.mailboxByUpn.get(staff(g).userPrincipalName);
  const shared = g.rng.pick(g.m.sharedMailboxes);
  return [
    target ? mailItemsAccessed(g, a, target, 1) : null,
    folderBind(later(g, MINUTE), pickOther(g, g.m.staff, a), shared, 2),
  ];
}

export const EVENTS_PER_DAY = 9;
export const LONGEST_EVENT = 3 * HOUR;

export interface Scheduled {
  kind: Kind;
  at: number;
  key: string;
}

/** The day's scripted events for a tenant: which kinds, at what instants (local working hours). */
export function daySchedule(m: TenantModel, day: number, utcOffsetHours: number): Scheduled[] {
  const rng = Rng.of(m.seed, m.tenant.tenantId, 'script', day);
  return Array.from({ length: EVENTS_PER_DAY }, (_, k) => {
    const kind = KINDS[(day * EVENTS_PER_DAY + k + m.index * 5) % KINDS.length]!;
    const localHour = rng.int(8, 17);
    const at = day * DAY + (localHour - utcOffsetHours) * HOUR + rng.int(0, HOUR / 1000 - 1) * 1000;
    return { kind, at, key: `${day}/${k}` };
  });
}

/** Every record of the scheduled event (its own Rng, so the same whichever slot asks). */
export function eventRecords(m: TenantModel, e: Scheduled): SimRecord[] {
  const g: Gen = { m, rng: Rng.of(m.seed, m.tenant.tenantId, 'event', e.key), at: e.at };
  return e.kind.make(g).filter((r): r is SimRecord => r !== null);
}

export function spanOf(e: Scheduled): number {
  return e.kind.spanMs;
}

export const EVENT_KINDS = KINDS.map((k) => k.name);
