import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';

// Exchange admin REST InvokeCommand and Search-UnifiedAuditLog, spec §6 behaviours 35–44.
let t: TestEmulator;
before(async () => {
  t = await startTestEmulator({ tenants: 5, users: 30, tuning: { ualSwitchDelayMs: 3_600_000 } });
});
after(() => t.close());

type Value = { value: Record<string, any>[]; '@odata.nextLink'?: string }; // eslint-disable-line @typescript-eslint/no-explicit-any
const byProfile = (pick: (x: TestEmulator['emu']['tenants'][number]) => boolean) => t.emu.tenants.find(pick)!;
async function invoker(tenantId: string, headers: Record<string, string> = {}) {
  const token = await t.client.token(tenantId, 'https://outlook.office365.com');
  return (
    name: string,
    Parameters: object = {},
    url = `/adminapi/beta/${tenantId}/InvokeCommand`,
    extra: Record<string, string> = {},
  ) =>
    t.client.request('POST', url, {
      headers: {
        Authorization: `Bearer ${token}`,
        'X-AnchorMailbox': `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${tenantId}`,
        ...headers,
        ...extra,
      },
      body: { CmdletInput: { CmdletName: name, Parameters } },
    });
}

test('35: a token without Exchange.ManageAsApp → 403; a Management API token → 401', async () => {
  const ten = t.emu.tenants[0]!;
  const mgmt = await t.client.token(ten.tenantId, 'https://manage.office.com');
  const r1 = await t.client.request('POST', `/adminapi/beta/${ten.tenantId}/InvokeCommand`, {
    headers: { Authorization: `Bearer ${mgmt}` },
    body: { CmdletInput: { CmdletName: 'Get-OrganizationConfig' } },
  });
  assert.equal(r1.status, 401);
  t.emu.setRoles(ten.tenantId, ['ActivityFeed.Read']);
  const weak = await invoker(ten.tenantId);
  assert.equal((await weak('Get-OrganizationConfig')).status, 403);
  t.emu.setRoles(ten.tenantId, [
    'Exchange.ManageAsApp',
    'ActivityFeed.Read',
    'ActivityFeed.ReadDlp',
    'AuditLogsQuery.Read.All',
    'Directory.Read.All',
    'User.Read.All',
    'RoleManagement.Read.Directory',
  ]);
});

test('36: X-AnchorMailbox APP: and UPN: accepted, missing tolerated unless strict', async () => {
  const ten = t.emu.tenants[0]!;
  const inv = await invoker(ten.tenantId);
  assert.equal(
    (await inv('Get-OrganizationConfig', {}, undefined, { 'X-AnchorMailbox': `UPN:user1@${ten.domain}` })).status,
    200,
  );
  const bare = await t.client.request('POST', `/adminapi/v1.0/${ten.tenantId}/InvokeCommand`, {
    headers: { Authorization: `Bearer ${await t.client.token(ten.tenantId, 'https://outlook.office365.com')}` },
    body: { CmdletInput: { CmdletName: 'Get-OrganizationConfig' } },
  });
  assert.equal(bare.status, 200);
  t.emu.setFaults({ strictAnchorMailbox: true });
  const strict = await t.client.request('POST', `/adminapi/beta/${ten.tenantId}/InvokeCommand`, {
    headers: { Authorization: `Bearer ${await t.client.token(ten.tenantId, 'https://outlook.office365.com')}` },
    body: { CmdletInput: { CmdletName: 'Get-OrganizationConfig' } },
  });
  t.emu.setFaults({ strictAnchorMailbox: false });
  assert.equal(strict.status, 400);
});

test('37, 38: Get/Set-AdminAuditLogConfig; the switch shows after the delay, /start fails until then, an ExchangeAdmin record is written', async () => {
  const off = byProfile((x) => !x.ualEnabled);
  const inv = await invoker(off.tenantId);
  const get = async () => (await inv('Get-AdminAuditLogConfig')).json<Value>().value[0]!;
  const cfg = await get();
  assert.equal(cfg.UnifiedAuditLogIngestionEnabled, false);
  for (const k of ['UnifiedAuditLogFirstOptInDate', 'AdminAuditLogEnabled', 'AdminAuditLogAgeLimit'])
    assert.ok(k in cfg, k);
  const set = await inv('Set-AdminAuditLogConfig', { UnifiedAuditLogIngestionEnabled: true });
  assert.equal(set.status, 200);
  assert.deepEqual(set.json<Value>().value, []);
  assert.equal((await get()).UnifiedAuditLogIngestionEnabled, false);
  const start = async () => {
    const mgmt = await t.client.token(off.tenantId, 'https://manage.office.com');
    return t.client.request(
      'POST',
      `/api/v1.0/${off.tenantId}/activity/feed/subscriptions/start?contentType=Audit.Exchange`,
      { headers: { Authorization: `Bearer ${mgmt}` } },
    );
  };
  await t.emu.clock.advance(3_500_000);
  assert.equal((await start()).status, 400);
  await t.emu.clock.advance(100_000);
  const inv2 = await invoker(off.tenantId);
  assert.equal((await inv2('Get-AdminAuditLogConfig')).json<Value>().value[0]!.UnifiedAuditLogIngestionEnabled, true);
  assert.equal((await start()).status, 200);
  const records = (await t.client.request('GET', `/_emulator/records?tenantId=${off.tenantId}`)).text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  assert.ok(
    records.some(
      (r) =>
        r.Operation === 'Set-AdminAuditLogConfig' && r.RecordType === 1 && r.ObjectId === 'Admin Audit Log Settings',
    ),
    'ExchangeAdmin record',
  );
});

test('39, 40: dehydrated tenant: Set-* fail with the Enable-OrganizationCustomization message until it is run; Get-OrganizationConfig', async () => {
  const d = byProfile((x) => x.dehydrated);
  const inv = await invoker(d.tenantId);
  const org = (await inv('Get-OrganizationConfig')).json<Value>().value[0]!;
  assert.equal(org.IsDehydrated, true);
  assert.equal(typeof org.AuditDisabled, 'boolean');
  const fail = await inv('Set-OrganizationConfig', { AuditDisabled: false });
  assert.equal(fail.status, 400);
  const detail = fail.json<{ error: { details: { message: string }[] } }>().error.details[0]!.message.split('|');
  assert.equal(detail.length, 3);
  assert.match(detail[2]!, /you first need to run the command: Enable-OrganizationCustomization\./);
  assert.equal((await inv('Enable-OrganizationCustomization')).status, 200);
  assert.equal((await inv('Set-OrganizationConfig', { AuditDisabled: false })).status, 200);
  assert.equal((await inv('Get-OrganizationConfig')).json<Value>().value[0]!.IsDehydrated, false);
});

test('41, 42: Get-Mailbox pages by Prefer: odata.maxpagesize with POST nextLink; Set-Mailbox GenericHashTable Add/Remove; a failing mailbox', async () => {
  const ten = t.emu.tenants[0]!;
  const inv = await invoker(ten.tenantId, { Prefer: 'odata.maxpagesize=7' });
  let page = (await inv('Get-Mailbox', { ResultSize: 'Unlimited' })).json<Value>();
  const all = [...page.value];
  while (page['@odata.nextLink']) {
    page = (await inv('Get-Mailbox', { ResultSize: 'Unlimited' }, page['@odata.nextLink'])).json<Value>();
    all.push(...page.value);
  }
  const mailboxes = (await t.client.request('GET', `/_emulator/mailboxes?tenantId=${ten.tenantId}`)).json<
    { userPrincipalName: string }[]
  >();
  assert.ok(all.length > 7, 'more than one page');
  assert.deepEqual(
    all.map((x) => String(x.UserPrincipalName)).sort(),
    mailboxes.map((x) => x.userPrincipalName).sort(),
  );
  for (const k of ['AuditEnabled', 'AuditLogAgeLimit', 'AuditOwner', 'AuditDelegate', 'AuditAdmin', 'DefaultAuditSet'])
    assert.ok(k in all[0]!, k);
  const upn = all[3]!.UserPrincipalName as string;
  const set = await inv('Set-Mailbox', {
    Identity: upn,
    AuditEnabled: true,
    AuditLogAgeLimit: 180,
    AuditOwner: { '@odata.type': '#Exchange.GenericHashTable', Add: ['MailItemsAccessed'] },
    AuditDelegate: { '@odata.type': '#Exchange.GenericHashTable', Remove: ['SendAs'] },
  });
  assert.equal(set.status, 200, set.text);
  const m = (await inv('Get-Mailbox', { Identity: upn })).json<Value>().value[0]!;
  assert.equal(m.AuditLogAgeLimit, '180.00:00:00');
  assert.ok(m.AuditOwner.includes('MailItemsAccessed'));
  assert.ok(!m.AuditDelegate.includes('SendAs'));
  t.emu.setFaults({ setMailboxFailFor: [all[5]!.UserPrincipalName] });
  const bad = await inv('Set-Mailbox', { Identity: all[5]!.UserPrincipalName, AuditEnabled: true });
  t.emu.setFaults({ setMailboxFailFor: [] });
  assert.equal(bad.status, 500);
  const truth = (await t.client.request('GET', `/_emulator/mailboxes?tenantId=${ten.tenantId}`)).json<
    { userPrincipalName: string; auditLogAgeLimit: string }[]
  >();
  assert.equal(truth.find((x) => x.userPrincipalName === upn)!.auditLogAgeLimit, '180.00:00:00');
});

test('43: Search-UnifiedAuditLog: default 100, ResultSize cap, sessions with ReturnLargeSet to exhaustion, sorted preview pages, bogus fault', async () => {
  const ten = t.emu.tenants[0]!;
  const inv = await invoker(ten.tenantId);
  const now = t.emu.clock.now();
  const span = { StartDate: new Date(now - 3 * 86_400_000).toISOString(), EndDate: new Date(now).toISOString() };
  const plain = (await inv('Search-UnifiedAuditLog', span)).json<Value>().value;
  assert.equal(plain.length, 100);
  assert.equal(typeof plain[0]!.AuditData, 'string');
  assert.equal(plain[0]!.ResultIndex, 1);
  const total = plain[0]!.ResultCount as number;
  assert.ok(total > 300);
  assert.equal(
    (await inv('Search-UnifiedAuditLog', { ...span, ResultSize: 9000 })).json<Value>().value.length,
    Math.min(5000, total),
  );
  const ids = new Set<string>();
  let last = 0;
  for (;;) {
    const v = (
      await inv('Search-UnifiedAuditLog', {
        ...span,
        SessionId: 's1',
        SessionCommand: 'ReturnLargeSet',
        ResultSize: 150,
      })
    ).json<Value>().value;
    if (!v.length) break;
    assert.equal(v[0]!.ResultIndex, last + 1);
    last = v.at(-1)!.ResultIndex;
    v.forEach((x) => ids.add(x.Identity));
  }
  assert.equal(ids.size, total);
  const preview = (
    await inv('Search-UnifiedAuditLog', {
      ...span,
      SessionId: 's2',
      SessionCommand: 'ReturnNextPreviewPage',
      ResultSize: 50,
    })
  ).json<Value>().value;
  const times = preview.map((x) => Date.parse(`${x.CreationDate}Z`));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
  );
  t.emu.setFaults({ searchBogusResult: true });
  const bogus = (await inv('Search-UnifiedAuditLog', { ...span, ResultSize: 1 })).json<Value>().value[0]!;
  t.emu.setFaults({ searchBogusResult: false });
  assert.equal(bogus.ResultIndex, -1);
  assert.equal(bogus.ResultCount, 0);
});

test('44: throttling → 429 with Retry-After and Rate-Limit headers; the plain-text concurrency error on demand', async () => {
  const ten = t.emu.tenants[0]!;
  const inv = await invoker(ten.tenantId);
  t.emu.setFaults({ throttleBudgetPerMinute: 1 });
  await t.emu.clock.advance(60_000);
  const ok = await inv('Get-OrganizationConfig');
  const r = await inv('Get-OrganizationConfig');
  t.emu.setFaults({ throttleBudgetPerMinute: null, exoConcurrencyError: true });
  const c = await inv('Get-OrganizationConfig');
  t.emu.setFaults({ exoConcurrencyError: false });
  assert.equal(ok.status, 200);
  assert.equal(r.status, 429);
  assert.ok(Number(r.headers['retry-after']) > 0);
  assert.equal(r.headers['rate-limit-remaining'], '0');
  assert.ok(r.headers['rate-limit-reset']);
  assert.match(c.headers['content-type']!, /^text\/plain/);
  assert.equal(
    c.text,
    'You have reached the maximum number of concurrent requests per tenant. Please wait and try again',
  );
});
