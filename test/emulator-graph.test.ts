import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';

// Graph audit log queries and directory reads, spec §6 behaviours 30–34.
let t: TestEmulator;
let tid: string;
before(async () => {
  t = await startTestEmulator({
    tenants: 2,
    users: 20,
    tuning: { graphQueryStartMs: 10_000, graphQueryRunMs: 60_000, graphPageSize: 25, graphDailyQueryLimit: 4 },
  });
  tid = t.emu.tenants[0]!.tenantId;
});
after(() => t.close());

async function graph(method: string, path: string, body?: object, tenantId = tid) {
  const token = await t.client.token(tenantId, 'https://graph.microsoft.com');
  return t.client.request(method, path, { headers: { Authorization: `Bearer ${token}` }, ...(body ? { body } : {}) });
}

test('30, 31, 32: create → 201 notStarted; status running → succeeded as time passes; records page with camelCase fields and an auditData object', async () => {
  const now = t.emu.clock.now();
  const created = await graph('POST', '/beta/security/auditLog/queries', {
    '@odata.type': '#microsoft.graph.security.auditLogQuery',
    displayName: 'test',
    filterStartDateTime: new Date(now - 2 * 86_400_000).toISOString(),
    filterEndDateTime: new Date(now).toISOString(),
    recordTypeFilters: ['sharePointFileOperation'],
    serviceFilter: 'SharePoint',
  });
  assert.equal(created.status, 201, created.text);
  const q = created.json<{ id: string; status: string }>();
  assert.equal(q.status, 'notStarted');
  const status = async () =>
    (await graph('GET', `/beta/security/auditLog/queries/${q.id}`)).json<{ status: string }>().status;
  await t.emu.clock.advance(10_000);
  assert.equal(await status(), 'running');
  await t.emu.clock.advance(60_000);
  assert.equal(await status(), 'succeeded');
  const v1 = await graph('POST', '/v1.0/security/auditLog/queries', {
    filterStartDateTime: new Date(now - 86_400_000).toISOString(),
    filterEndDateTime: new Date(now).toISOString(),
    serviceFilters: ['Exchange'],
  });
  assert.equal(v1.status, 201);
  let url: string | undefined = `/beta/security/auditLog/queries/${q.id}/records`;
  const items: Record<string, unknown>[] = [];
  while (url) {
    const page: { value: Record<string, unknown>[]; '@odata.nextLink'?: string } = (await graph('GET', url)).json();
    items.push(...page.value);
    url = page['@odata.nextLink'];
  }
  assert.ok(items.length > 25, 'more than one page');
  for (const r of items) {
    assert.equal(r.auditLogRecordType, 'sharePointFileOperation');
    assert.equal(r.service, 'SharePoint');
    for (const k of [
      'id',
      'createdDateTime',
      'operation',
      'organizationId',
      'userType',
      'userId',
      'objectId',
      'userPrincipalName',
      'clientIp',
      'auditData',
    ])
      assert.ok(k in r, k);
    assert.equal(typeof r.auditData, 'object');
    assert.equal((r.auditData as { Id: string }).Id, r.id);
  }
});

test('30: without AuditLogsQuery.Read.All → 403 Graph envelope', async () => {
  const other = t.emu.tenants[1]!.tenantId;
  t.emu.setRoles(other, ['User.Read.All']);
  const res = await graph('POST', '/v1.0/security/auditLog/queries', {}, other);
  t.emu.setRoles(other, [
    'AuditLogsQuery.Read.All',
    'User.Read.All',
    'Directory.Read.All',
    'RoleManagement.Read.Directory',
    'ActivityFeed.Read',
    'ActivityFeed.ReadDlp',
    'Exchange.ManageAsApp',
  ]);
  assert.equal(res.status, 403);
  const e = res.json<{ error: { code: string; message: string; innerError: Record<string, string> } }>().error;
  assert.equal(e.code, 'Authorization_RequestDenied');
  assert.ok(e.innerError['request-id'] && e.innerError.date);
});

test('33: throttling → 429 with Retry-After; more than the daily query limit → 429', async () => {
  t.emu.setFaults({ throttleBudgetPerMinute: 0 });
  const r = await graph('GET', '/v1.0/security/auditLog/queries');
  t.emu.setFaults({ throttleBudgetPerMinute: null });
  assert.equal(r.status, 429);
  assert.ok(Number(r.headers['retry-after']) > 0);
  let last = 0;
  for (let i = 0; i < 4; i++) last = (await graph('POST', '/v1.0/security/auditLog/queries', {})).status;
  assert.equal(last, 429);
});

test('34: UAL off → AuditingDisabledTenant', async () => {
  t.emu.setFaults({ ualDisabled: [tid] });
  const r = await graph('POST', '/v1.0/security/auditLog/queries', {});
  t.emu.setFaults({ ualDisabled: [] });
  assert.equal(r.status, 400);
  assert.match(r.text, /AuditingDisabledTenant/);
});

test('users, directoryRoles and members follow the role spans at the current time', async () => {
  const users = (await graph('GET', '/v1.0/users?$top=7')).json<{ value: unknown[]; '@odata.nextLink'?: string }>();
  assert.equal(users.value.length, 7);
  assert.ok(users['@odata.nextLink']);
  const roles = (await graph('GET', '/v1.0/directoryRoles')).json<{
    value: { id: string; displayName: string; roleTemplateId: string }[];
  }>().value;
  const ga = roles.find((r) => r.displayName === 'Global Administrator')!;
  const members = (await graph('GET', `/v1.0/directoryRoles/${ga.id}/members`))
    .json<{ value: { userPrincipalName: string }[] }>()
    .value.map((m) => m.userPrincipalName)
    .sort();
  const truth = (await t.client.request('GET', `/_emulator/roles?tenantId=${tid}`)).json<
    { role: string; userPrincipalName: string; from: string; to: string | null }[]
  >();
  const now = t.emu.clock.now();
  const expected = [
    ...new Set(
      truth
        .filter(
          (s) =>
            s.role === 'Global Administrator' && Date.parse(s.from) <= now && (s.to === null || now < Date.parse(s.to)),
        )
        .map((s) => s.userPrincipalName),
    ),
  ].sort();
  assert.deepEqual(members, expected);
  assert.deepEqual([...t.emu.tenants[0]!.globalAdmins].sort(), expected);
  const byTemplate = await graph('GET', `/v1.0/directoryRoles(roleTemplateId='${ga.roleTemplateId}')/members`);
  assert.equal(byTemplate.status, 200);
});
