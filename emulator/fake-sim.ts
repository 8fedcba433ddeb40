import type { ContentType } from '../src/core/record.js';
import { DAY } from '../src/core/time.js';
import type { SimMailbox, SimOptions, SimRecord, SimRoleSpan, SimTenant, SimUser, Simulation, TenantProfile } from './sim/types.js';
import { stableGuid, unit } from './util/rand.js';

/**
 * A small, deterministic stand-in for the tenant simulator (emulator/sim), used by the protocol side's
 * own tests and as a fallback when emulator/sim/index.ts is not present. It is not the simulator: a few
 * record shapes only, enough to exercise delivery, paging and ground truth.
 */
const PROFILES: TenantProfile[] = ['healthy', 'ual-off', 'org-audit-off', 'mailboxes-off', 'dehydrated'];
const BUCKET = 10 * 60_000;
const OWNER = ['ApplyRecord', 'HardDelete', 'MoveToDeletedItems', 'SoftDelete', 'Update', 'UpdateCalendarDelegation', 'UpdateFolderPermissions', 'UpdateInboxRules'];
const DELEGATE = ['ApplyRecord', 'Create', 'HardDelete', 'MoveToDeletedItems', 'SendAs', 'SendOnBehalf', 'SoftDelete', 'Update', 'UpdateFolderPermissions', 'UpdateInboxRules'];

function makeTenant(o: SimOptions, i: number): SimTenant {
  const profile = PROFILES[i % PROFILES.length]!;
  const name = `Contoso${i + 1}`;
  const domain = `contoso${i + 1}.onmicrosoft.com`;
  const tenantId = stableGuid(o.seed, 'tenant', i);
  const users: SimUser[] = Array.from({ length: o.users }, (_, u) => ({
    id: stableGuid(o.seed, tenantId, 'user', u),
    userPrincipalName: `user${u + 1}@${domain}`,
    displayName: `User ${u + 1}`,
    puid: `10032000${Math.floor(unit(o.seed, tenantId, u) * 0xffffffff).toString(16).toUpperCase().padStart(8, '0')}`,
    kind: 'member',
    department: ['Sales', 'IT', 'Finance'][u % 3]!,
    homeIps: [`203.0.113.${(u % 250) + 1}`],
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
  }));
  const mailboxes: SimMailbox[] = users.map((u, n) => ({
    userPrincipalName: u.userPrincipalName,
    id: stableGuid(o.seed, tenantId, 'mbx', n),
    displayName: u.displayName,
    recipientTypeDetails: 'UserMailbox',
    auditEnabled: !(profile === 'mailboxes-off' && n % 3 === 0),
    auditLogAgeLimit: '90.00:00:00',
    auditOwner: [...OWNER],
    auditDelegate: [...DELEGATE],
    auditAdmin: [...new Set([...OWNER, ...DELEGATE])].sort(),
    defaultAuditSet: ['Admin', 'Delegate', 'Owner'],
  }));
  const ga = '62e90394-69f5-4237-9190-012177145e10';
  const from = o.start - o.days * DAY;
  const span = (role: string, tpl: string, u: number, f: number, t: number | null): SimRoleSpan => ({ role, roleTemplateId: tpl, userId: users[u]!.id, userPrincipalName: users[u]!.userPrincipalName, from: f, to: t });
  const roles = [
    span('Global Administrator', ga, 0, from - 30 * DAY, null),
    span('Global Administrator', ga, 1 % o.users, from + DAY, null),
    span('Exchange Administrator', '29232cdf-9323-42fd-ade2-1d097af3e4de', 2 % o.users, from - DAY, o.start - DAY),
  ];
  return {
    name, tenantId, domain, profile, users, mailboxes, sites: [], roles,
    ualEnabled: profile !== 'ual-off',
    orgAuditDisabled: profile === 'org-audit-off',
    dehydrated: profile === 'dehydrated',
    clientId: stableGuid(o.seed, tenantId, 'app'),
    clientSecret: `secret~${stableGuid(o.seed, tenantId, 'secret').replace(/-/g, '')}`,
    publisherId: stableGuid(o.seed, 'publisher'),
  };
}

const KINDS: { ct: ContentType; recordType: number; operation: string; workload: string }[] = [
  { ct: 'Audit.Exchange', recordType: 2, operation: 'MailItemsAccessed', workload: 'Exchange' },
  { ct: 'Audit.SharePoint', recordType: 6, operation: 'FileAccessed', workload: 'SharePoint' },
  { ct: 'Audit.AzureActiveDirectory', recordType: 15, operation: 'UserLoggedIn', workload: 'AzureActiveDirectory' },
  { ct: 'Audit.General', recordType: 25, operation: 'MessageSent', workload: 'MicrosoftTeams' },
];

function bucketRecords(o: SimOptions, t: SimTenant, bucket: number): SimRecord[] {
  const expected = (o.users * o.recordsPerUserPerDay * BUCKET) / DAY;
  const n = Math.floor(expected * 2 * unit(o.seed, t.tenantId, bucket, 'count') + 0.5);
  const out: SimRecord[] = [];
  for (let i = 0; i < n; i++) {
    const k = KINDS[Math.floor(unit(o.seed, t.tenantId, bucket, i, 'kind') * KINDS.length)]!;
    const user = t.users[Math.floor(unit(o.seed, t.tenantId, bucket, i, 'user') * t.users.length)]!;
    const at = bucket * BUCKET + Math.floor(unit(o.seed, t.tenantId, bucket, i, 'at') * BUCKET / 1000) * 1000;
    const record: Record<string, unknown> = {
      CreationTime: new Date(at).toISOString().slice(0, 19),
      Id: stableGuid(o.seed, t.tenantId, bucket, i, 'id'),
      Operation: k.operation,
      OrganizationId: t.tenantId,
      RecordType: k.recordType,
      ResultStatus: 'Succeeded',
      UserKey: user.puid,
      UserType: 0,
      Version: 1,
      Workload: k.workload,
      ClientIP: user.homeIps[0],
      ObjectId: k.ct === 'Audit.SharePoint' ? `https://${t.name.toLowerCase()}.sharepoint.com/sites/team/Shared Documents/report${i}.docx` : user.userPrincipalName,
      UserId: user.userPrincipalName,
    };
    out.push({ contentType: k.ct, creationTime: at, record });
  }
  return out;
}

export function createFakeSimulation(options: SimOptions): Simulation {
  const tenants = Array.from({ length: options.tenants }, (_, i) => makeTenant(options, i));
  const earliest = options.start - options.days * DAY;
  return {
    options,
    tenants,
    records(tenantId, from, to) {
      const t = tenants.find((x) => x.tenantId === tenantId);
      if (!t) return [];
      const lo = Math.max(from, earliest);
      const out: SimRecord[] = [];
      for (let b = Math.floor(lo / BUCKET); b * BUCKET < to; b++) {
        for (const r of bucketRecords(options, t, b)) if (r.creationTime >= lo && r.creationTime < to) out.push(r);
      }
      return out.sort((a, b) => a.creationTime - b.creationTime);
    },
    roles: (tenantId) => tenants.find((x) => x.tenantId === tenantId)?.roles ?? [],
  };
}
