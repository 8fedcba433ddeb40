import { stableGuid } from '../util/rand.js';
import { str } from '../util/text.js';
import type { BlobCatalog } from '../management/blobs.js';
import { mailboxView, mailboxViews, type MailboxAuditView } from '../mailboxes.js';
import type { MailboxOverride } from '../state.js';
import type { World } from '../world.js';
import { EXO, type ExoError } from './envelope.js';

/**
 * The auditing cmdlets (spec §5.5; behaviours 37–42). Settings live in the protocol side's state:
 * Set-AdminAuditLogConfig takes effect after `ualSwitchDelayMs` and writes an ExchangeAdmin record;
 * Set-* fail on a dehydrated tenant until Enable-OrganizationCustomization.
 */
export type CmdletResult = { value: unknown[]; warnings?: string[] } | { error: ExoError };
type Params = Record<string, unknown>;

export function getAdminAuditLogConfig(world: World, tenantId: string): CmdletResult {
  const on = world.ualEnabledNow(tenantId);
  const firstOn = world.state.tenant(tenantId).ualChanges.find((c) => c.value && c.at <= world.now());
  return {
    value: [
      {
        Name: 'Admin Audit Log Settings',
        Identity: 'Admin Audit Log Settings',
        UnifiedAuditLogIngestionEnabled: on,
        UnifiedAuditLogFirstOptInDate: on
          ? new Date(firstOn?.at ?? world.sim.options.start - 400 * 86_400_000).toISOString()
          : null,
        AdminAuditLogEnabled: true,
        AdminAuditLogAgeLimit: '90.00:00:00',
        AdminAuditLogCmdlets: ['*'],
        AdminAuditLogParameters: ['*'],
        AdminAuditLogExcludedCmdlets: [],
        LogLevel: 'None',
        TestCmdletLoggingEnabled: false,
        IsValid: true,
      },
    ],
  };
}

export function setAdminAuditLogConfig(world: World, blobs: BlobCatalog, tenantId: string, p: Params): CmdletResult {
  if (world.dehydrated(tenantId)) return { error: EXO.dehydrated() };
  const v = p.UnifiedAuditLogIngestionEnabled;
  if (v === undefined)
    return {
      value: [],
      warnings: [
        "The command completed successfully but no settings of 'Admin Audit Log Settings' have been modified.",
      ],
    };
  if (typeof v !== 'boolean')
    return { error: EXO.badParameter('UnifiedAuditLogIngestionEnabled', 'Expected a boolean.') };
  const now = world.now();
  world.state.update(tenantId, (t) => {
    t.ualChanges.push({ at: now + world.tuning.ualSwitchDelayMs, value: v });
    t.extraRecords.push(
      adminRecord(world, tenantId, now, 'Set-AdminAuditLogConfig', 'Admin Audit Log Settings', [
        { Name: 'UnifiedAuditLogIngestionEnabled', Value: v ? 'True' : 'False' },
      ]),
    );
  });
  blobs.invalidate(tenantId);
  return { value: [] };
}

/** The ExchangeAdmin audit record a Set-* cmdlet writes (RecordType 1), shaped like the corpus's. */
function adminRecord(
  world: World,
  tenantId: string,
  at: number,
  operation: string,
  objectId: string,
  parameters: { Name: string; Value: string }[],
) {
  const n = world.state.tenant(tenantId).extraRecords.length;
  const app = world.apps.get(tenantId)!;
  return {
    contentType: 'Audit.Exchange' as const,
    creationTime: at,
    record: {
      CreationTime: new Date(at).toISOString().slice(0, 19),
      Id: stableGuid(world.seed, tenantId, 'exo-admin', n, at),
      Operation: operation,
      OrganizationId: tenantId,
      RecordType: 1,
      ResultStatus: 'True',
      UserKey: `NT AUTHORITY\\SYSTEM (w3wp)`,
      UserType: 5,
      Version: 1,
      Workload: 'Exchange',
      ClientIP: '',
      ObjectId: objectId,
      UserId: `app@${world.tenant(tenantId)!.domain}`,
      AppId: app.clientId,
      ClientAppId: app.clientId,
      ExternalAccess: false,
      OrganizationName: world.tenant(tenantId)!.domain,
      OriginatingServer: 'EMU01MB0001 (15.20.7000.000)',
      Parameters: parameters,
    },
  };
}

export function getOrganizationConfig(world: World, tenantId: string): CmdletResult {
  const t = world.tenant(tenantId)!;
  return {
    value: [
      {
        Name: t.domain.split('.')[0],
        DisplayName: t.name,
        Identity: t.domain,
        Guid: tenantId,
        AuditDisabled: world.orgAuditDisabled(tenantId),
        IsDehydrated: world.dehydrated(tenantId),
        IsValid: true,
      },
    ],
  };
}

export function setOrganizationConfig(world: World, blobs: BlobCatalog, tenantId: string, p: Params): CmdletResult {
  if (world.dehydrated(tenantId)) return { error: EXO.dehydrated() };
  if (p.AuditDisabled !== undefined) {
    if (typeof p.AuditDisabled !== 'boolean')
      return { error: EXO.badParameter('AuditDisabled', 'Expected a boolean.') };
    const value = p.AuditDisabled;
    world.state.update(tenantId, (t) => {
      t.orgAuditDisabled = value;
      t.extraRecords.push(
        adminRecord(world, tenantId, world.now(), 'Set-OrganizationConfig', world.tenant(tenantId)!.domain, [
          { Name: 'AuditDisabled', Value: value ? 'True' : 'False' },
        ]),
      );
    });
    blobs.invalidate(tenantId);
  }
  return { value: [] };
}

export function enableOrganizationCustomization(world: World, tenantId: string): CmdletResult {
  if (!world.dehydrated(tenantId)) return { error: EXO.alreadyHydrated() };
  world.state.update(tenantId, (t) => void (t.dehydrated = false));
  return { value: [] };
}

function mailboxObject(m: MailboxAuditView): Record<string, unknown> {
  return {
    Identity: m.userPrincipalName.split('@')[0],
    Name: m.userPrincipalName.split('@')[0],
    DisplayName: m.displayName,
    UserPrincipalName: m.userPrincipalName,
    PrimarySmtpAddress: m.userPrincipalName,
    ExternalDirectoryObjectId: m.id,
    Guid: m.id,
    RecipientTypeDetails: m.recipientTypeDetails,
    AuditEnabled: m.auditEnabled,
    AuditLogAgeLimit: m.auditLogAgeLimit,
    AuditOwner: m.auditOwner,
    AuditDelegate: m.auditDelegate,
    AuditAdmin: m.auditAdmin,
    DefaultAuditSet: m.defaultAuditSet,
  };
}

function findMailbox(world: World, tenantId: string, identity: string): MailboxAuditView | undefined {
  const key = identity.toLowerCase();
  return mailboxViews(world, tenantId).find((m) =>
    [m.userPrincipalName, m.id, m.userPrincipalName.split('@')[0]!, m.displayName].some((x) => x.toLowerCase() === key),
  );
}

export function getMailboxes(world: World, tenantId: string, p: Params): CmdletResult {
  if (typeof p.Identity === 'string') {
    const m = findMailbox(world, tenantId, p.Identity);
    return m ? { value: [mailboxObject(m)] } : { error: EXO.notFound(p.Identity, world.tenant(tenantId)!.domain) };
  }
  return { value: mailboxViews(world, tenantId).map(mailboxObject) };
}

/** Applies a list parameter: an array replaces; a #Exchange.GenericHashTable {Add, Remove} edits. */
function editList(current: string[], v: unknown): string[] | null {
  const asList = (x: unknown): string[] =>
    Array.isArray(x) ? x.map(str) : x === undefined || x === null ? [] : [str(x)];
  if (Array.isArray(v) || typeof v === 'string') return asList(v);
  if (v && typeof v === 'object') {
    const o = v as { Add?: unknown; Remove?: unknown; add?: unknown; remove?: unknown };
    const add = asList(o.Add ?? o.add);
    const remove = new Set(asList(o.Remove ?? o.remove).map((s) => s.toLowerCase()));
    return [...new Set([...current, ...add])].filter((s) => !remove.has(s.toLowerCase()));
  }
  return null;
}

function ageLimit(v: unknown): string | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 24855) return `${v}.00:00:00`;
  if (typeof v === 'string' && /^\d+$/.test(v)) return `${Number(v)}.00:00:00`;
  if (typeof v === 'string' && /^\d+\.\d{2}:\d{2}:\d{2}$/.test(v)) return v;
  return null;
}

export function setMailbox(world: World, tenantId: string, p: Params): CmdletResult {
  if (world.dehydrated(tenantId)) return { error: EXO.dehydrated() };
  if (typeof p.Identity !== 'string')
    return { error: EXO.badParameter('Identity', 'The Identity parameter is required.') };
  const m = findMailbox(world, tenantId, p.Identity);
  if (!m) return { error: EXO.notFound(p.Identity, world.tenant(tenantId)!.domain) };
  if (world.faults.setMailboxFailFor.some((u) => u.toLowerCase() === m.userPrincipalName.toLowerCase()))
    return { error: EXO.setFailed(p.Identity) };
  const change: MailboxOverride = {};
  if (p.AuditEnabled !== undefined) {
    if (typeof p.AuditEnabled !== 'boolean') return { error: EXO.badParameter('AuditEnabled', 'Expected a boolean.') };
    change.AuditEnabled = p.AuditEnabled;
  }
  if (p.AuditLogAgeLimit !== undefined) {
    const v = ageLimit(p.AuditLogAgeLimit);
    if (v === null)
      return { error: EXO.badParameter('AuditLogAgeLimit', 'Expected days or a TimeSpan such as 180.00:00:00.') };
    change.AuditLogAgeLimit = v;
  }
  for (const k of ['AuditOwner', 'AuditDelegate', 'AuditAdmin'] as const) {
    if (p[k] === undefined) continue;
    const key = k.charAt(0).toLowerCase() + k.slice(1);
    const list = editList((m as unknown as Record<string, string[]>)[key]!, p[k]);
    if (list === null) return { error: EXO.badParameter(k, 'Expected a list or a hashtable with Add/Remove.') };
    change[k] = list;
  }
  world.state.update(tenantId, (t) => {
    t.mailboxes[m.userPrincipalName.toLowerCase()] = { ...t.mailboxes[m.userPrincipalName.toLowerCase()], ...change };
  });
  return { value: [] };
}

export { mailboxView };
