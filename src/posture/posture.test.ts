import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAuditState } from './read.js';
import { buildResult } from './rules.js';
import { planEnable } from './plan.js';
import { applyPlan } from './apply.js';
import { changesSince } from './changes.js';
import { parseAgeLimitDays } from './baseline.js';
import { FakeExchange } from './testing/fake-exchange.js';
import type { CmdletRunner } from './read.js';
import type { InvokeResult } from '../microsoft/exchange-admin.js';

/** A runner that answers like `org` except where `override` throws. */
function failingOn(org: FakeExchange, cmdlet: string, error: Error): CmdletRunner {
  return {
    invoke: <T>(c: string, p?: Record<string, unknown>): Promise<InvokeResult<T>> =>
      c === cmdlet ? Promise.reject(error) : org.invoke<T>(c, p),
  };
}

const NOW = Date.UTC(2026, 10, 25, 12);
const tenant = { name: 'contoso', tenantId: '11111111-1111-1111-1111-111111111111' };

async function check(org: FakeExchange, newest: number | null = NOW - 3_600_000) {
  const state = await readAuditState({ exchange: org, newestRecord: async () => newest });
  return { state, result: buildResult(tenant, state, NOW) };
}
const codes = (r: { findings: { code: string }[] }) => r.findings.map((f) => f.code).sort();

test('a healthy tenant is ok with no findings', async () => {
  const { result } = await check(new FakeExchange().addMailboxes(3));
  assert.equal(result.verdict, 'ok');
  assert.deepEqual(codes(result), []);
  assert.deepEqual(result.mailboxes && { total: result.mailboxes.total, enabled: result.mailboxes.auditEnabled }, {
    total: 3,
    enabled: 3,
  });
});

test('UAL off and organization auditing off are failing, with the fix in plain words', async () => {
  const org = new FakeExchange().addMailboxes(2);
  org.ual = false;
  org.orgAuditDisabled = true;
  const { result } = await check(org);
  assert.equal(result.verdict, 'failing');
  assert.deepEqual(codes(result), ['ORG_MAILBOX_AUDIT_OFF', 'UAL_OFF']);
  assert.match(result.findings.find((f) => f.code === 'UAL_OFF')!.fix!, /audit-config enable/);
});

test('with ingestion off and nothing collected, the fix is not "collect" (the API refuses it) but turning it on', async () => {
  const org = new FakeExchange().addMailboxes(2);
  org.ual = false;
  const { result } = await check(org, null);
  const nothing = result.findings.find((f) => f.code === 'NOTHING_COLLECTED')!;
  assert.match(nothing.message, /none can be while unified audit log ingestion is off/);
  assert.match(
    nothing.fix!,
    /^Turn unified audit log ingestion on first \(UAL_OFF\), then tenantwatch collect contoso$/,
  );
  const on = await check(new FakeExchange().addMailboxes(2), null);
  assert.equal(on.result.findings.find((f) => f.code === 'NOTHING_COLLECTED')!.fix, 'tenantwatch collect contoso');
});

test('mailboxes with auditing off, short age limits and missing actions are warnings', async () => {
  const org = new FakeExchange()
    .addMailboxes(3)
    .addMailboxes(1, { AuditEnabled: false })
    .addMailboxes(1, { AuditLogAgeLimit: '30.00:00:00', AuditOwner: ['Update'] });
  const { result } = await check(org);
  assert.equal(result.verdict, 'warning');
  assert.deepEqual(codes(result), ['AGE_LIMIT_LOW', 'MAILBOX_ACTIONS_MISSING', 'MAILBOX_AUDIT_OFF']);
  assert.deepEqual(result.mailboxes!.auditDisabled, ['user4@contoso.onmicrosoft.com']);
});

test('a dehydrated but otherwise healthy tenant is ok, with an info finding', async () => {
  const org = new FakeExchange().addMailboxes(1);
  org.dehydrated = true;
  const { result } = await check(org);
  assert.equal(result.verdict, 'ok');
  assert.deepEqual(codes(result), ['DEHYDRATED']);
});

test('stale collection and unreadable settings are reported, not hidden', async () => {
  const org = new FakeExchange().addMailboxes(1);
  const broken = failingOn(org, 'Get-Mailbox', new Error('boom'));
  const state = await readAuditState({ exchange: broken, newestRecord: async () => NOW - 3 * 86_400_000 });
  const result = buildResult(tenant, state, NOW);
  assert.deepEqual(codes(result), ['CHECK_INCOMPLETE', 'COLLECTION_STALE']);
  assert.equal(result.mailboxes, null);
});

test('enable plans hydration first, only raises, and a second plan is empty (idempotent)', async () => {
  const org = new FakeExchange()
    .addMailboxes(2)
    .addMailboxes(2, { AuditEnabled: false, AuditLogAgeLimit: '30.00:00:00' })
    .addMailboxes(1, { AuditLogAgeLimit: '365.00:00:00' });
  org.ual = false;
  org.orgAuditDisabled = true;
  org.dehydrated = true;
  const { state } = await check(org);
  const plan = planEnable(state, { mailboxes: 'all', ageLimitDays: 180 });
  assert.deepEqual(
    plan.map((s) => s.kind),
    ['hydrate', 'ual', 'org-audit', 'mailbox', 'mailbox', 'mailbox', 'mailbox'],
  );
  assert.ok(!plan.some((s) => s.target === 'user5@contoso.onmicrosoft.com'), 'a 365-day limit is never lowered to 180');
  const results = await applyPlan(org, plan);
  assert.ok(results.every((r) => r.status === 'done'));
  const again = await check(org);
  assert.deepEqual(planEnable(again.state, { mailboxes: 'all', ageLimitDays: 180 }), []);
  assert.equal(again.result.verdict, 'ok');
});

test('a mailbox that fails leaves the others done and is listed', async () => {
  const org = new FakeExchange().addMailboxes(4, { AuditEnabled: false });
  org.failing.add('user2@contoso.onmicrosoft.com');
  const { state } = await check(org);
  const results = await applyPlan(org, planEnable(state, { mailboxes: 'all' }));
  assert.deepEqual(
    results.map((r) => r.status),
    ['done', 'failed', 'done', 'done'],
  );
  assert.match(results[1]!.message!, /locked/);
  assert.deepEqual(
    org.mailboxes.map((m) => m.AuditEnabled),
    [true, false, true, true],
  );
});

test('when hydration fails the Set steps are skipped with the reason', async () => {
  const org = new FakeExchange().addMailboxes(1, { AuditEnabled: false });
  org.dehydrated = true;
  org.ual = false;
  const failingHydrate = failingOn(org, 'Enable-OrganizationCustomization', new Error('not now'));
  const { state } = await check(org);
  const results = await applyPlan(failingHydrate, planEnable(state, { mailboxes: 'all' }));
  assert.deepEqual(
    results.map((r) => r.status),
    ['failed', 'skipped', 'skipped'],
  );
  assert.match(results[1]!.message!, /Enable-OrganizationCustomization failed/);
});

test('turning auditing off between two checks is itself a failing finding', async () => {
  const org = new FakeExchange().addMailboxes(2);
  const first = (await check(org)).result;
  org.ual = false;
  org.mailboxes[0]!.AuditEnabled = false;
  const second = (await check(org)).result;
  const changes = changesSince(first, second);
  assert.deepEqual(
    changes.map((c) => [c.code, c.severity]),
    [
      ['CHANGED_UAL_TURNED_OFF', 'failing'],
      ['CHANGED_MAILBOX_AUDIT_OFF', 'warning'],
    ],
  );
  assert.deepEqual(changesSince(null, second), []);
});

test('age limits parse from TimeSpan text', () => {
  assert.equal(parseAgeLimitDays('90.00:00:00'), 90);
  assert.equal(parseAgeLimitDays('180'), 180);
  assert.equal(parseAgeLimitDays('12:00:00'), 0);
  assert.equal(parseAgeLimitDays('soon'), null);
});

test("a subscription's webhook authId is not kept in the result: it authenticates the webhook of every tenant", async () => {
  // Microsoft lists each subscription with its webhook, authId included (spec §2.4). The result is stored as the
  // posture snapshot and answered by GET /api/posture to viewers of the tenant, and printed by audit-config check.
  const listed = [
    { contentType: 'Audit.Exchange', status: 'enabled' },
    {
      contentType: 'Audit.SharePoint',
      status: 'enabled',
      webhook: { status: 'enabled', address: 'https://tw.example.com/api/webhooks/management', authId: 'S3CRET-ID' },
    },
  ];
  const state = await readAuditState({
    exchange: new FakeExchange().addMailboxes(1),
    listSubscriptions: async () => listed,
  });
  const result = buildResult(tenant, state, NOW);
  assert.deepEqual(result.subscriptions, [
    { contentType: 'Audit.Exchange', status: 'enabled' },
    { contentType: 'Audit.SharePoint', status: 'enabled' },
  ]);
  assert.doesNotMatch(JSON.stringify(result), /S3CRET-ID/);
});
