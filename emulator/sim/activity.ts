/**
 * Everyday activity: one unit of work by one person (a sign-in, reading mail, opening a file …), drawn
 * by weight. Regular users mostly do files, mail and sign-ins; role holders also run admin tasks of
 * their role while they hold it. Rare and scripted events (rules, forwarding, bursts) live in script.ts.
 */
import { holdersAt } from './roles.js';
import { ipOf, pickOther, type Gen } from './records/common.js';
import { deleteItems, folderBind, mailItemsAccessed, send, sendAs } from './records/exchange-mailbox.js';
import { addMailboxPermission, newInboxRule, newTransportRule } from './records/exchange-admin.js';
import { addMemberToGroup, resetPassword, updateUser } from './records/entra-admin.js';
import { signIn } from './records/entra-signin.js';
import { complianceCmdlet, messageWithLink, sessionStarted } from './records/general.js';
import { fileOp, pageViewed, sharing, type FileOperation } from './records/sharepoint.js';
import type { SimRecord, SimSite, SimUser } from './types.js';

type Act = (g: Gen, u: SimUser) => (SimRecord | null)[];

function someSite(g: Gen, u: SimUser): SimSite {
  const own = g.m.oneDriveByUpn.get(u.userPrincipalName);
  return own && g.rng.chance(0.4) ? own : g.rng.pick(g.m.teamSites);
}

function file(g: Gen, u: SimUser, op: FileOperation): SimRecord[] {
  const site = someSite(g, u);
  return [fileOp(g, u, site, g.rng.pick(site.files), op)];
}

const box = (g: Gen, u: SimUser) => g.m.mailboxByUpn.get(u.userPrincipalName);

const USER_ACTS: readonly (readonly [Act, number])[] = [
  [(g, u) => [signIn(g, u, { ok: true, ip: ipOf(g, u) })], 15],
  [(g, u) => [signIn(g, u, { ok: false, ip: ipOf(g, u) })], 1],
  [
    (g, u) => {
      const b = box(g, u);
      return b ? [mailItemsAccessed(g, u, b)] : [];
    },
    20,
  ],
  [
    (g, u) => {
      const b = box(g, u);
      return b ? [send(g, u, b)] : [];
    },
    6,
  ],
  [
    (g, u) => {
      const b = box(g, u);
      return b ? [deleteItems(g, u, b, 'MoveToDeletedItems')] : [];
    },
    4,
  ],
  [
    (g, u) => {
      const b = box(g, u);
      return b ? [deleteItems(g, u, b, 'SoftDelete')] : [];
    },
    2,
  ],
  [
    (g, u) => {
      const b = box(g, u);
      return b ? [deleteItems(g, u, b, 'HardDelete')] : [];
    },
    0.5,
  ],
  [(g, u) => file(g, u, 'FileAccessed'), 15],
  [(g, u) => file(g, u, 'FileDownloaded'), 5],
  [(g, u) => file(g, u, 'FileModified'), 6],
  [(g, u) => file(g, u, 'FileUploaded'), 3],
  [(g, u) => file(g, u, 'FilePreviewed'), 2],
  [(g, u) => file(g, u, 'FileSyncDownloadedFull'), 1],
  [(g, u) => file(g, u, 'FileRecycled'), 1],
  [(g, u) => file(g, u, 'FileDeleted'), 0.5],
  [(g, u) => [pageViewed(g, u, g.rng.pick(g.m.teamSites))], 6],
  [
    (g, u) => {
      const s = someSite(g, u);
      return [
        sharing(
          g,
          u,
          s,
          g.rng.pick(s.files),
          g.rng.chance(0.5) ? 'SharingSet' : 'AddedToSecureLink',
          pickOther(g, g.m.members, u),
        ),
      ];
    },
    1.5,
  ],
  [(g, u) => [sessionStarted(g, u)], 4],
  [
    (g, u) => [
      messageWithLink(g, u, pickOther(g, g.m.members, u), `${g.rng.pick(g.m.teamSites).url}/Shared Documents`),
    ],
    2,
  ],
  [(g, u) => delegateAccess(g, u), 1],
  [(g, u) => [newInboxRule(g, u, 'tidy')], 0.1],
];

/** A delegate working in a shared mailbox: folder binds, reads, sends as it (LogonType 2). */
function delegateAccess(g: Gen, u: SimUser): (SimRecord | null)[] {
  const shared = g.rng.pick(g.m.sharedMailboxes);
  const pick = g.rng.int(0, 2);
  if (pick === 0) return [folderBind(g, u, shared, 2)];
  if (pick === 1) return [mailItemsAccessed(g, u, shared, 2)];
  return [sendAs(g, u, shared)];
}

const ADMIN_ACTS: Record<string, readonly (readonly [Act, number])[]> = {
  'Global Administrator': [
    [(g, u) => [updateUser(g, u, g.rng.pick(g.m.staff))], 2],
    [
      (g, u) => [
        addMemberToGroup(g, u, g.rng.pick(g.m.staff), g.rng.pick(['All Staff', 'Finance Readers', 'VPN Users'])),
      ],
      2,
    ],
    [(g, u) => [complianceCmdlet(g, u)], 1],
    [
      (g, u) => [addMailboxPermission(g, u, g.rng.pick(g.m.sharedMailboxes).userPrincipalName, g.rng.pick(g.m.staff))],
      1,
    ],
  ],
  'Exchange Administrator': [
    [
      (g, u) => [addMailboxPermission(g, u, g.rng.pick(g.m.sharedMailboxes).userPrincipalName, g.rng.pick(g.m.staff))],
      2,
    ],
    [
      (g, u) => {
        const t = g.rng.pick(g.m.staff);
        const b = box(g, t);
        return b ? [mailItemsAccessed(g, u, b, 1)] : [];
      },
      2,
    ],
    [(g, u) => [newTransportRule(g, u)], 0.3],
  ],
  'SharePoint Administrator': [[(g, u) => [pageViewed(g, u, g.rng.pick(g.m.teamSites))], 1]],
  'Security Administrator': [[(g, u) => [complianceCmdlet(g, u)], 1]],
  'User Administrator': [
    [(g, u) => [resetPassword(g, u, g.rng.pick(g.m.staff))], 1],
    [(g, u) => [updateUser(g, u, g.rng.pick(g.m.staff))], 2],
  ],
};

const GUEST_ACTS: readonly (readonly [Act, number])[] = [
  [(g, u) => [signIn(g, u, { ok: true, ip: u.homeIps[1]! })], 3],
  [
    (g, u) => {
      const s = g.rng.pick(g.m.teamSites);
      return [
        fileOp(g, u, s, g.rng.pick(s.files), g.rng.chance(0.6) ? 'FileAccessed' : 'FileDownloaded', u.homeIps[1]),
      ];
    },
    5,
  ],
];

const SERVICE_ACTS: readonly (readonly [Act, number])[] = [
  [(g, u) => [signIn(g, u, { ok: true, ip: u.homeIps[0]!, agent: 'Microsoft Azure AD Connect' })], 3],
  [
    (g, u) => {
      const s = g.rng.pick(g.m.teamSites);
      return [fileOp(g, u, s, g.rng.pick(s.files), 'FileAccessed', u.homeIps[0])];
    },
    1,
  ],
];

/** One activity at g.at: who acts, and what they do. */
export function activity(g: Gen): SimRecord[] {
  const who = g.rng.next();
  let user: SimUser;
  let acts = USER_ACTS;
  if (who < 0.03 && g.m.guests.length > 0) {
    user = g.rng.pick(g.m.guests);
    acts = GUEST_ACTS;
  } else if (who < 0.05) {
    user = g.m.service;
    acts = SERVICE_ACTS;
  } else if (who < 0.12) {
    const spans = g.m.tenant.roles.filter((s) => s.from <= g.at && (s.to === null || g.at < s.to));
    const span = g.rng.pick(spans.length > 0 ? spans : holdersAt(g.m.tenant.roles, 'Global Administrator', g.at));
    user = g.m.byUpn.get(span.userPrincipalName)!;
    if (g.rng.chance(0.4)) acts = ADMIN_ACTS[span.role] ?? USER_ACTS;
  } else {
    user = g.rng.pick(g.m.staff);
  }
  const act = g.rng.weighted(acts);
  return act(g, user).filter((r): r is SimRecord => r !== null);
}
