import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpClient } from '../src/net/http.js';
import { checkTenant, enableTenant, type PostureDeps } from '../src/posture/service.js';
import type { TenantRow } from '../src/store/contract.js';
import { emulatedPostureDeps, emulatedTenantRow } from './support/emulator.js';
import type { EmulatorTenantView } from '../emulator/types.js';
import { useEmulatorAndStore } from './support/emulator-bed.js';

/**
 * Issue 5 acceptance against the emulator: `check` agrees with the emulator's ground truth for every
 * simulated profile, `enable` makes each unhealthy tenant healthy (the emulator's state confirms it), a
 * second `enable` has nothing to do, and a mailbox that fails is listed while the others are done.
 */
let deps: PostureDeps;
const http = { client: null as ReturnType<typeof createHttpClient> | null };
const bed = useEmulatorAndStore(
  { tenants: 5, users: 12 },
  {
    setUp({ t, store }) {
      http.client = createHttpClient({ ca: t.emu.caPem });
      deps = emulatedPostureDeps(t, store, http.client);
    },
    close: () => http.client?.close(),
  },
);

interface MailboxTruth {
  userPrincipalName: string;
  auditEnabled: boolean;
}

const row = (t: EmulatorTenantView): TenantRow => emulatedTenantRow(bed.t.emu, t);

async function truth(t: EmulatorTenantView): Promise<{ tenant: EmulatorTenantView; mailboxes: MailboxTruth[] }> {
  const { t: env } = bed;
  const tenants = (await env.client.request('GET', '/_emulator/tenants')).json<EmulatorTenantView[]>();
  const mailboxes = (await env.client.request('GET', `/_emulator/mailboxes?tenantId=${t.tenantId}`)).json<
    MailboxTruth[]
  >();
  return { tenant: tenants.find((x) => x.tenantId === t.tenantId)!, mailboxes };
}

test('check gives each simulated tenant the verdict and reasons its ground truth implies', async () => {
  const { t: env, store } = bed;
  const profiles = new Set<string>();
  for (const t of env.emu.tenants) {
    const { tenant, mailboxes } = await truth(t);
    const result = await checkTenant(deps, row(t));
    const codes = new Set(result.findings.map((f) => f.code));
    const off = mailboxes
      .filter((m) => !m.auditEnabled)
      .map((m) => m.userPrincipalName)
      .sort();
    assert.equal(result.ualEnabled, tenant.ualEnabled, `${t.name}: UAL`);
    assert.equal(result.orgAuditDisabled, tenant.orgAuditDisabled, `${t.name}: org auditing`);
    assert.equal(result.dehydrated, tenant.dehydrated, `${t.name}: dehydration`);
    assert.equal(result.mailboxes!.total, mailboxes.length);
    assert.deepEqual([...result.mailboxes!.auditDisabled].sort(), off, `${t.name}: mailboxes with auditing off`);
    assert.equal(codes.has('UAL_OFF'), !tenant.ualEnabled);
    assert.equal(codes.has('ORG_MAILBOX_AUDIT_OFF'), tenant.orgAuditDisabled);
    assert.equal(codes.has('DEHYDRATED'), tenant.dehydrated);
    assert.equal(codes.has('MAILBOX_AUDIT_OFF'), off.length > 0);
    const expected =
      !tenant.ualEnabled || tenant.orgAuditDisabled
        ? 'failing'
        : result.findings.some((f) => f.severity === 'warning')
          ? 'warning'
          : 'ok';
    assert.equal(result.verdict, expected, `${t.name}: verdict`);
    if (!tenant.ualEnabled) profiles.add('ual-off');
    if (tenant.orgAuditDisabled) profiles.add('org-audit-off');
    if (tenant.dehydrated) profiles.add('dehydrated');
    if (off.length && !tenant.orgAuditDisabled) profiles.add('mailboxes-off');
    if (result.verdict === 'ok' || (result.verdict === 'warning' && !off.length)) profiles.add('healthy');
  }
  assert.deepEqual(
    [...profiles].sort(),
    ['dehydrated', 'healthy', 'mailboxes-off', 'org-audit-off', 'ual-off'],
    'every profile is simulated',
  );
  assert.equal((await store.posture.latest()).length, env.emu.tenants.length, 'a snapshot per tenant is stored');
});

test('enable makes every unhealthy tenant healthy, mailbox by mailbox, and a second enable does nothing', async () => {
  const { t: env } = bed;
  const unhealthy = env.emu.tenants.filter((t) => !t.ualEnabled || t.orgAuditDisabled || t.dehydrated);
  const victim = (await truth(env.emu.tenants[0]!)).mailboxes[1]!.userPrincipalName;
  env.emu.setFaults({ setMailboxFailFor: [victim] });
  for (const t of env.emu.tenants) {
    const outcome = await enableTenant(deps, row(t), { mailboxes: 'all', ageLimitDays: 180 }, { dryRun: false });
    const failed = outcome.results.filter((r) => r.status === 'failed').map((r) => r.step.target);
    const undone = outcome.results.filter((r) => r.status === 'skipped');
    assert.deepEqual(undone, [], `${t.name}: nothing skipped`);
    assert.deepEqual(
      failed,
      t === env.emu.tenants[0] ? [victim] : [],
      `${t.name}: only the faulty mailbox fails, and it is listed`,
    );
    if (!t.ualEnabled)
      assert.equal(
        outcome.results.find((r) => r.step.kind === 'ual')!.status,
        'pending',
        'UAL takes effect later: pending, not failed',
      );
  }
  env.emu.setFaults({ setMailboxFailFor: [] });
  // Issue 18 item 5: a later check remembers the request instead of saying "off, turn it on".
  for (const t of env.emu.tenants.filter((x) => !x.ualEnabled)) {
    await env.emu.clock.advance(60_000);
    const later = await checkTenant(deps, row(t));
    const codes = later.findings.map((f) => f.code);
    assert.ok(!codes.includes('UAL_OFF') && codes.includes('REQUEST_PENDING'), `${t.name}: ${codes.join(', ')}`);
  }
  await env.emu.clock.advance(61 * 60_000);
  for (const t of env.emu.tenants.filter((x) => !x.ualEnabled)) {
    const applied = await checkTenant(deps, row(t));
    assert.ok(
      applied.findings.some((f) => f.code === 'REQUEST_APPLIED' && /unified audit log/.test(f.message)),
      `${t.name}: the check that sees it on says the request applied`,
    );
  }
  for (const t of env.emu.tenants) {
    const { tenant, mailboxes } = await truth(t);
    assert.equal(tenant.ualEnabled, true, `${t.name}: UAL on in the emulator`);
    assert.equal(tenant.orgAuditDisabled, false, `${t.name}: org auditing on in the emulator`);
    const stillOff = mailboxes.filter((m) => !m.auditEnabled).map((m) => m.userPrincipalName);
    assert.deepEqual(
      stillOff,
      t === env.emu.tenants[0] && stillOff.length ? [victim] : [],
      `${t.name}: mailboxes on in the emulator`,
    );
  }
  for (const t of env.emu.tenants) {
    const second = await enableTenant(deps, row(t), { mailboxes: 'all', ageLimitDays: 180 }, { dryRun: false });
    const remaining = second.plan.filter((s) => !(t === env.emu.tenants[0] && s.target === victim));
    assert.deepEqual(
      remaining.map((s) => `${s.kind}:${s.target}`),
      [],
      `${t.name}: nothing left to do`,
    );
  }
  assert.ok(unhealthy.length >= 3, 'the simulation has unhealthy tenants');
});
