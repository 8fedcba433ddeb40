/**
 * Seeded, realistic audit records for the search property test and the benchmarks: several tenants,
 * users whose UserId arrives in mixed case, the common operations of each workload with their record
 * types, every ClientIP spelling seen in the corpus (with port, bracketed IPv6, ::ffff:-mapped, empty,
 * absent), SharePoint/OneDrive URLs (some non-ASCII), Exchange message ids, user agents, and a few rare
 * words. Records share seconds, so the order's tie-breaks (tenant, id) are exercised. Same seed, same
 * records, on every machine.
 */
import { rng } from '../../core/rng.js';

export { rng };
export interface GenerateOptions {
  seed: number;
  /** The newest instant records may have (exclusive), epoch ms. */
  end: number;
  /** How far back records spread, in days. */
  days: number;
  /**
   * Where sign-ins come from. 'habits' (the default), as in a real tenant: each user signs in from a
   * few addresses and agents of their own; 5% of successes come from elsewhere (travel, a hotel), and
   * 60% of failures from addresses seen once (a password spray). 'scattered': every sign-in from any
   * address with any agent, as if a botnet sprayed every user all period (the sign-ins report's stress case).
   */
  signIns?: 'habits' | 'scattered';
}

/**
 * Raised whenever the records for a seed change, so that a bench never reuses data an older generator
 * wrote (bench/lib/ndjson-data.ts puts it in the file name). 2: sign-ins follow each user's habits;
 * `signIns: 'scattered'` still writes version 1's records byte for byte.
 */
export const GENERATOR_VERSION = 2;

export const TENANTS = [
  '0e8108b1-18e9-41a4-961b-dfcddf92ef08',
  '5b2c5f9e-3a1e-4d47-9d2c-9f5a1d2e7c11',
  '9d4a3b2c-1e0f-4a5b-8c7d-6e5f4a3b2c1d',
  'c3f0a7de-77b1-4f3e-a0c4-2a9e51f6b8d0',
] as const;
const DOMAINS = ['contoso.com', 'fabrikam.onmicrosoft.com', 'northwind.co.uk', 'adatum.de'] as const;
const FIRST = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
  'zoë',
];
const LAST = ['smith', 'jones', 'müller', 'garcia', 'nguyen', 'okafor', 'rossi', 'kowalski', 'tanaka', 'silva'];
/** [operation, record type, workload, weight]: the mix a real tenant's log shows. */
export const OPERATIONS: readonly (readonly [string, number, string, number])[] = [
  ['FileAccessed', 6, 'SharePoint', 30],
  ['FileAccessed', 6, 'OneDrive', 12],
  ['FileModified', 6, 'SharePoint', 10],
  ['FileDownloaded', 6, 'OneDrive', 6],
  ['FileUploaded', 6, 'SharePoint', 5],
  ['FileDeleted', 6, 'SharePoint', 1],
  ['PageViewed', 4, 'SharePoint', 8],
  ['SharingSet', 14, 'SharePoint', 2],
  ['AnonymousLinkCreated', 14, 'OneDrive', 1],
  ['MailItemsAccessed', 50, 'Exchange', 20],
  ['Send', 2, 'Exchange', 6],
  ['MoveToDeletedItems', 2, 'Exchange', 3],
  ['New-InboxRule', 1, 'Exchange', 1],
  ['Set-Mailbox', 1, 'Exchange', 1],
  ['Add-MailboxPermission', 1, 'Exchange', 1],
  ['UserLoggedIn', 15, 'AzureActiveDirectory', 18],
  ['UserLoginFailed', 15, 'AzureActiveDirectory', 4],
  ['Add member to role.', 8, 'AzureActiveDirectory', 1],
  ['Consent to application.', 8, 'AzureActiveDirectory', 1],
  ['MessageSent', 25, 'MicrosoftTeams', 5],
  ['TeamCreated', 25, 'MicrosoftTeams', 1],
  ['SearchQueryPerformed', 64, 'SecurityComplianceCenter', 1],
];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0',
  'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)',
  'OneDriveMpc-Transform_Thumbnail/1.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
];
const FILES = [
  'Budget 2026.xlsx',
  'Q3 forecast.pptx',
  'Überweisung.pdf',
  'contract, signed.docx',
  'notes.txt',
  'Board minutes.docx',
  'payroll.csv',
  'Roadmap.one',
];
/** Words a free-text search looks for: common, uncommon, and one in roughly 50,000 records. */
export const RARE_WORD = 'xylophonequartz';
export const UNCOMMON_WORD = 'Konfidenziell';

const SIGN_INS = new Set(['UserLoggedIn', 'UserLoginFailed']);

/** A user's own sign-in addresses (every ClientIP spelling, ports varying) and agents, the same on every machine. */
interface Habits {
  addresses: (string | undefined)[];
  agents: string[];
}

const habitsByUser = new Map<string, Habits>();

function habitsOf(user: string, seed: number): Habits {
  const key = `${seed}\u0000${user.toLowerCase()}`;
  let habits = habitsByUser.get(key);
  if (!habits) {
    let hash = seed >>> 0;
    for (const c of key) hash = Math.imul(hash ^ c.codePointAt(0)!, 0x01000193) >>> 0;
    const next = rng(hash);
    const first = Math.floor(next() * AGENTS.length);
    habits = {
      addresses: Array.from({ length: 1 + Math.floor(next() * 4) }, () => clientIp(next)),
      agents: [AGENTS[first]!, AGENTS[(first + 1 + Math.floor(next() * 3)) % AGENTS.length]!],
    };
    habitsByUser.set(key, habits);
  }
  return habits;
}

const TOTAL_WEIGHT = OPERATIONS.reduce((s, o) => s + o[3], 0);

function pickOperation(r: number): (typeof OPERATIONS)[number] {
  let x = r * TOTAL_WEIGHT;
  for (const op of OPERATIONS) {
    x -= op[3];
    if (x < 0) return op;
  }
  return OPERATIONS[0]!;
}

/** A user as Microsoft spells them: the same person arrives lower-case, Title-case or upper-case. */
function userId(next: () => number, tenantIndex: number): string {
  const u = Math.floor(next() * 60);
  const name = `${FIRST[u % FIRST.length]!}.${LAST[(u * 7) % LAST.length]!}@${DOMAINS[tenantIndex]!}`;
  const style = next();
  if (style < 0.6) return name;
  if (style < 0.9) return name.replace(/(^|\.)(\p{L})/gu, (_m, dot: string, c: string) => dot + c.toUpperCase());
  return name.toUpperCase();
}

/** Every ClientIP spelling of the corpus; a few records carry none. */
function clientIp(next: () => number): string | undefined {
  const host = Math.floor(next() * 250) + 1;
  const net = Math.floor(next() * 8);
  const kind = next();
  if (kind < 0.45) return `203.0.${113 + net}.${host}`;
  if (kind < 0.6) return `198.51.100.${host}:${49152 + Math.floor(next() * 16000)}`;
  if (kind < 0.7) return `::ffff:10.${net}.0.${host}`;
  if (kind < 0.8) return `2001:db8:${net.toString(16)}::${host.toString(16)}`;
  if (kind < 0.85) return `[2001:DB8:${net}::${host.toString(16)}]:443`;
  if (kind < 0.93) return `10.${net}.1.${host}`;
  if (kind < 0.97) return '';
  return undefined;
}

function objectId(next: () => number, workload: string, tenantIndex: number, operation: string): string | undefined {
  const domain = DOMAINS[tenantIndex]!.split('.')[0]!;
  if (workload === 'SharePoint' || workload === 'OneDrive') {
    const file = FILES[Math.floor(next() * FILES.length)]!;
    const site =
      workload === 'OneDrive'
        ? `personal/user${Math.floor(next() * 60)}_${domain}_com/Documents`
        : `sites/Team${Math.floor(next() * 25)}/Shared Documents`;
    return `https://${domain}${workload === 'OneDrive' ? '-my' : ''}.sharepoint.com/${site}/${file}`;
  }
  if (workload === 'Exchange')
    return operation.includes('-')
      ? `${domain}.onmicrosoft.com\\user${Math.floor(next() * 60)}`
      : `<${Math.floor(next() * 1e9).toString(36)}@${domain}.prod.outlook.com>`;
  if (workload === 'AzureActiveDirectory') return next() < 0.8 ? '00000003-0000-0ff1-ce00-000000000000' : undefined;
  return undefined;
}

function guid(next: () => number): string {
  const hex8 = (): string =>
    Math.floor(next() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  const a = hex8();
  const b = hex8();
  const c = hex8() + hex8();
  return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-a${c.slice(0, 3)}-${c.slice(4)}`;
}

/** The fields each workload adds (schema: SharePoint, Exchange mailbox/admin, Entra ID), so sizes are realistic. */
function workloadFields(
  next: () => number,
  workload: string,
  object: string | undefined,
  user: string | undefined,
  operation: string,
): Record<string, unknown> {
  if (workload === 'SharePoint' || workload === 'OneDrive') {
    const slash = object?.lastIndexOf('/') ?? -1;
    const file = object && slash >= 0 ? object.slice(slash + 1) : 'file';
    return {
      CorrelationId: guid(next),
      EventSource: 'SharePoint',
      ItemType: 'File',
      ListId: guid(next),
      ListItemUniqueId: guid(next),
      Site: guid(next),
      WebId: guid(next),
      SiteUrl: object && slash >= 0 ? object.slice(0, slash + 1) : null,
      SourceFileExtension: file.split('.').pop(),
      SourceFileName: file,
      SourceRelativeUrl: 'Shared Documents',
      ApplicationId: '00000003-0000-0ff1-ce00-000000000000',
      AuthenticationType: 'OAuth',
      BrowserName: 'Edge',
      BrowserVersion: '130.0',
      IsManagedDevice: next() < 0.5,
      Platform: 'WinDesktop',
    };
  }
  if (workload === 'Exchange') {
    return {
      ClientInfoString: 'Client=OWA;Action=ViaProxy',
      ExternalAccess: false,
      InternalLogonType: 0,
      LogonType: 0,
      LogonUserSid: `S-1-5-21-${Math.floor(next() * 1e9)}-${Math.floor(next() * 1e9)}`,
      MailboxGuid: guid(next),
      MailboxOwnerUPN: user ?? null,
      OrganizationName: 'tenant.onmicrosoft.com',
      OriginatingServer: 'AM0PR01MB1234 (15.20.8207.017)',
      ...(operation.includes('-')
        ? {
            Parameters: [
              { Name: 'Identity', Value: object ?? '' },
              { Name: 'ForwardingSmtpAddress', Value: 'smtp:someone@example.org' },
            ],
          }
        : { OperationProperties: [{ Name: 'MailAccessType', Value: 'Bind' }] }),
    };
  }
  if (workload === 'AzureActiveDirectory') {
    return {
      ActorContextId: guid(next),
      ApplicationId: guid(next),
      AzureActiveDirectoryEventType: 1,
      ErrorNumber: operation === 'UserLoginFailed' ? '50126' : '0',
      ExtendedProperties: [
        { Name: 'ResultStatusDetail', Value: 'Redirect' },
        { Name: 'UserAgent', Value: AGENTS[0] },
        { Name: 'RequestType', Value: 'OAuth2:Token' },
      ],
      Actor: [
        { ID: guid(next), Type: 0 },
        { ID: user ?? '', Type: 5 },
      ],
      Target: [{ ID: guid(next), Type: 0 }],
      InterSystemsId: guid(next),
      IntraSystemId: guid(next),
    };
  }
  return { CorrelationId: guid(next), ChatThreadId: `19:${guid(next)}@thread.v2` };
}

/** One raw audit record (PascalCase AuditData, as the Management Activity API sends it), as JSON text. */
export function rawRecord(next: () => number, i: number, options: GenerateOptions): string {
  const tenantIndex = Math.floor(next() * TENANTS.length);
  const [operation, recordType, workload] = pickOperation(next());
  // Whole seconds, as Microsoft writes CreationTime, so several records share an instant.
  const time = options.end - 1000 - Math.floor(next() * options.days * 86_400) * 1000;
  const id = `${(i + 1).toString(16).padStart(8, '0')}-${Math.floor(next() * 0xffff)
    .toString(16)
    .padStart(4, '0')}-4${Math.floor(next() * 0xfff)
    .toString(16)
    .padStart(3, '0')}-8000-${Math.floor(next() * 2 ** 48)
    .toString(16)
    .padStart(12, '0')}`;
  const record: Record<string, unknown> = {
    CreationTime: new Date(time).toISOString().slice(0, 19),
    Id: id,
    Operation: operation,
    OrganizationId: TENANTS[tenantIndex],
    RecordType: recordType,
    ResultStatus:
      operation === 'UserLoginFailed' ? 'Failed' : workload === 'AzureActiveDirectory' ? 'Success' : 'Succeeded',
    UserKey: `i:0h.f|membership|1003${Math.floor(next() * 1e12)}@live.com`,
    UserType: next() < 0.95 ? 0 : 2,
    Version: 1,
    Workload: workload,
  };
  const user = next() < 0.97 ? userId(next, tenantIndex) : undefined;
  if (user !== undefined) record.UserId = user;
  let ip = clientIp(next);
  // A user's sign-ins follow their habits, drawn apart from the main sequence: every other record is the same in both modes.
  const habits =
    SIGN_INS.has(operation) && user !== undefined && options.signIns !== 'scattered'
      ? habitsOf(user, options.seed)
      : null;
  const side = habits ? rng(options.seed ^ Math.imul(i + 1, 0x9e3779b1)) : undefined;
  if (habits && side && side() >= (operation === 'UserLoginFailed' ? 0.6 : 0.05))
    ip = habits.addresses[Math.floor(side() * habits.addresses.length)];
  if (ip !== undefined) record.ClientIP = ip;
  const object = objectId(next, workload, tenantIndex, operation);
  if (object !== undefined) record.ObjectId = object;
  const agent = AGENTS[Math.floor(next() * AGENTS.length)]!;
  record.UserAgent = habits && side ? habits.agents[side() < 0.8 ? 0 : 1]! : agent;
  Object.assign(record, workloadFields(next, workload, object, record.UserId as string | undefined, operation));
  const roll = next();
  if (roll < 0.00002) record.Subject = `Re: ${RARE_WORD} invoice`;
  else if (roll < 0.01) record.SensitivityLabel = UNCOMMON_WORD;
  return JSON.stringify(record);
}

/** `n` raw records from `seed`, lazily (a million never sit in memory at once). */
export function* rawRecords(n: number, options: GenerateOptions): Generator<string> {
  const next = rng(options.seed);
  for (let i = 0; i < n; i++) yield rawRecord(next, i, options);
}
