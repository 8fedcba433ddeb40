import { ManualClock } from '../../core/clock.js';
import type { AuditRecord } from '../../core/record.js';
import { silentLogger } from '../../core/log.js';
import { normalizeRecord } from '../../ingest/normalize.js';
import type { Store, TenantRow } from '../../store/contract.js';
import { openStore } from '../../store/open.js';
import type { ReportsApi, ServerDeps } from '../deps.js';

/**
 * A small, realistic world for the API tests: two registered tenants (one with auditing off), a few
 * users with mixed-case ids, SharePoint/Exchange/Entra activity over three days, a ledger with one
 * failed window, and posture snapshots. Deterministic: the same records every run.
 */
export const NOW = Date.UTC(2026, 2, 12, 12);
export const DAY = 86_400_000;
export const CONTOSO = '0e8108b1-18e9-41a4-961b-dfcddf92ef08';
export const FABRIKAM = '5b2c5f9e-3a1e-4d47-9d2c-9f5a1d2e7c11';

const USERS = ['Adele@contoso.onmicrosoft.com', 'megan@contoso.onmicrosoft.com', 'alex@fabrikam.onmicrosoft.com'];
const OPS = [
  { Operation: 'FileAccessed', RecordType: 6, Workload: 'SharePoint' },
  { Operation: 'FileDownloaded', RecordType: 6, Workload: 'OneDrive' },
  { Operation: 'MailItemsAccessed', RecordType: 50, Workload: 'Exchange' },
  { Operation: 'UserLoggedIn', RecordType: 15, Workload: 'AzureActiveDirectory' },
  { Operation: 'New-InboxRule', RecordType: 1, Workload: 'Exchange' },
];

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** n records spread evenly over [NOW − 3 d, NOW), cycling users and operations. */
export function fixtureRecords(n = 240): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let i = 0; i < n; i++) {
    const user = USERS[i % USERS.length]!;
    const op = OPS[i % OPS.length]!;
    const tenant = user.includes('fabrikam') ? FABRIKAM : CONTOSO;
    const raw = {
      CreationTime: iso(NOW - 3 * DAY + Math.floor((i * 3 * DAY) / n)),
      Id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      OrganizationId: tenant,
      UserId: user,
      UserType: 0,
      UserKey: 'i:0h.f|membership|1003',
      ClientIP: i % 2 ? `203.0.113.${i % 250}` : `[2001:db8::${(i % 250).toString(16)}]:443`,
      ObjectId:
        op.Workload === 'SharePoint' || op.Workload === 'OneDrive'
          ? `https://contoso.sharepoint.com/sites/Finance/Shared Documents/report-${i % 7}.xlsx`
          : `mailbox-${i % 3}`,
      ResultStatus: 'Succeeded',
      Parameters:
        op.RecordType === 1
          ? [
              { Name: 'Name', Value: `rule ${i}` },
              { Name: 'ForwardTo', Value: '=cmd|calc' },
            ]
          : undefined,
      ...op,
    };
    const result = normalizeRecord(JSON.stringify(raw), { source: 'management-api' });
    if (!result.ok) throw new Error(`fixture record ${i} refused: ${result.reason}`);
    out.push(result.record);
  }
  return out;
}

function tenantRow(name: string, tenantId: string): TenantRow {
  return {
    name,
    tenantId,
    domain: `${name}.onmicrosoft.com`,
    clientId: '11111111-2222-3333-4444-555555555555',
    cloud: 'commercial',
    authKind: 'secret',
    credential: 'enc:SECRET-CIPHERTEXT',
    certificatePem: null,
    publisherId: null,
    baseUrl: null,
    caFile: null,
    addedAt: NOW - 10 * DAY,
    updatedAt: NOW - 10 * DAY,
  };
}

/** Fills a fresh store with the fixture world. */
export async function seedStore(store: Store, records: readonly AuditRecord[] = fixtureRecords()): Promise<void> {
  await store.tenants.upsert(tenantRow('contoso', CONTOSO));
  await store.tenants.upsert(tenantRow('fabrikam', FABRIKAM));
  await store.records.insert(records);
  const base = {
    stream: 'Audit.SharePoint' as const,
    kind: 'window' as const,
    cause: null,
    queriedStart: null,
    fetchedTo: null,
    blobsListed: 2,
    blobsFetched: 2,
    blobsFailed: 0,
    records: 10,
    newRecords: 10,
    attempts: 1,
    lastError: null,
    updatedAt: NOW,
  };
  await store.ledger.upsertWindow({ ...base, tenant: CONTOSO, start: NOW - 2 * DAY, end: NOW - DAY, state: 'fetched' });
  await store.ledger.upsertWindow({
    ...base,
    tenant: CONTOSO,
    start: NOW - DAY,
    end: NOW,
    state: 'failed',
    blobsFetched: 1,
    blobsFailed: 1,
    lastError: 'AF20055 throttled',
  });
  await store.ledger.advanceCheckpoint(CONTOSO, 'Audit.SharePoint', NOW - DAY, NOW);
  await store.posture.save({
    tenant: CONTOSO,
    takenAt: NOW - 3_600_000,
    verdict: 'ok',
    body: { ualEnabled: true, findings: [] },
  });
  await store.posture.save({
    tenant: FABRIKAM,
    takenAt: NOW - 3_600_000,
    verdict: 'failing',
    body: {
      ualEnabled: false,
      findings: [{ code: 'UAL_OFF', severity: 'failing', message: 'Unified audit log ingestion is off' }],
    },
  });
}

export const fakeReports: ReportsApi = {
  list: () => [
    {
      id: 'admin-activity',
      title: 'Admin activity',
      description: 'What admins did',
      parameters: { type: 'object', properties: {} },
    },
  ],
  run: async (id) => {
    if (id !== 'admin-activity') {
      const { AppError } = await import('../../core/errors.js');
      throw new AppError('UNKNOWN_REPORT', `No report is called "${id}"`, { hint: 'GET /api/reports lists them' });
    }
    const summary = { records: 0, rows: 0, byUser: [], byOperation: [], byWorkload: [], byDay: [], byTenant: [] };
    return { report: id, parameters: {}, summary: { ...summary, totals: {} }, rows: [] };
  },
};

/**
 * Server dependencies over a seeded store (in-memory SQLite unless `storeUrl` names another), at a fixed clock;
 * `records` for a larger world.
 */
export async function testDeps(
  overrides: Partial<ServerDeps> = {},
  records: readonly AuditRecord[] = fixtureRecords(),
  storeUrl = 'sqlite::memory:',
): Promise<ServerDeps> {
  const store = await openStore(storeUrl);
  await seedStore(store, records);
  return { store, clock: new ManualClock(NOW), logger: silentLogger, reports: fakeReports, ...overrides };
}
