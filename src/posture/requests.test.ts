import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { auditingFact } from '../coverage/auditing.js';
import type { TenantRow } from '../store/contract.js';
import { openStore } from '../store/open.js';
import { checkTenant, enableTenant, type PostureDeps } from './service.js';
import type { CmdletRunner } from './read.js';
import { FakeExchange } from './testing/fake-exchange.js';
import type { PostureResult } from './types.js';

/**
 * Issue 18 item 5: after `enable` turns the unified audit log on (Microsoft applies it within 60 minutes),
 * later checks must say "requested at T by X, applies within 60 min" — not "off, turn it on" — until it
 * takes effect, and warn when it did not after the documented time.
 */
const MIN = 60_000;
const START = Date.UTC(2026, 10, 25, 12);
const tenant: TenantRow = {
  name: 'contoso',
  tenantId: '11111111-1111-1111-1111-111111111111',
  domain: 'contoso.onmicrosoft.com',
  clientId: 'app-1',
  cloud: 'commercial',
  authKind: 'secret',
  credential: 'x',
  certificatePem: null,
  publisherId: null,
  baseUrl: null,
  caFile: null,
  addedAt: 0,
  updatedAt: 0,
};

async function world() {
  const org = new FakeExchange().addMailboxes(2);
  org.ual = false;
  org.ualApplyLater = true;
  const clock = new ManualClock(START);
  const store = await openStore('sqlite::memory:');
  await store.tenants.upsert(tenant);
  const deps: PostureDeps = { store, clock, logger: silentLogger, sourcesFor: async () => ({ exchange: org }) };
  return { org, clock, store, deps };
}

/** The findings' codes, leaving out NOTHING_COLLECTED (these stores hold no records). */
const codes = (r: PostureResult) =>
  r.findings
    .map((f) => f.code)
    .filter((c) => c !== 'NOTHING_COLLECTED')
    .sort();
const finding = (r: PostureResult, code: string) => r.findings.find((f) => f.code === code);

test('a requested UAL change is remembered: pending for 60 minutes, then overdue, then applied', async () => {
  const { org, clock, store, deps } = await world();
  const outcome = await enableTenant(
    deps,
    tenant,
    { mailboxes: 'all' },
    { dryRun: false, requestedBy: 'alice on pc1' },
  );
  assert.equal(outcome.results.find((r) => r.step.kind === 'ual')!.status, 'pending');
  const right = outcome.after!;
  assert.ok(!codes(right).includes('UAL_OFF'), 'the re-check does not say "off, turn it on"');
  assert.match(finding(right, 'REQUEST_PENDING')!.message, /requested at 2026-11-25T12:00:00Z by alice on pc1/);
  assert.match(finding(right, 'REQUEST_PENDING')!.message, /within 60 minutes \(by 2026-11-25T13:00:00Z\)/);
  assert.equal(right.verdict, 'warning', 'nothing recorded yet: a warning, not "ok"');

  clock.advance(30 * MIN);
  const later = await checkTenant(deps, tenant);
  assert.deepEqual(codes(later), ['REQUEST_PENDING'], 'a later check still knows it was requested');
  assert.equal(later.requests![0]!.requestedBy, 'alice on pc1');

  clock.advance(31 * MIN);
  const overdue = await checkTenant(deps, tenant);
  assert.deepEqual(codes(overdue), ['REQUEST_OVERDUE']);
  assert.equal(finding(overdue, 'REQUEST_OVERDUE')!.severity, 'failing');
  assert.match(finding(overdue, 'REQUEST_OVERDUE')!.message, /still not in effect after 60 minutes/);

  org.ual = true;
  const applied = await checkTenant(deps, tenant);
  assert.deepEqual(codes(applied), ['CHANGED_UAL_TURNED_ON', 'REQUEST_APPLIED']);
  assert.equal(applied.verdict, 'ok');
  const after = await checkTenant(deps, tenant);
  assert.deepEqual(after.requests, [], 'once reported applied, it stays in the history only');
  const history = await store.posture.list(tenant.tenantId);
  assert.deepEqual(history.map((s) => (s.body as PostureResult).requests?.map((r) => r.status)).reverse(), [
    ['pending'],
    ['pending'],
    ['overdue'],
    ['applied'],
    [],
  ]);
  await store.close();
});

test('without a request a UAL that is off still says "turn it on"; a new enable replaces an older request', async () => {
  const { org, clock, store, deps } = await world();
  assert.deepEqual(codes(await checkTenant(deps, tenant)), ['UAL_OFF']);
  await enableTenant(deps, tenant, { mailboxes: 'all' }, { dryRun: false, requestedBy: 'alice' });
  clock.advance(90 * MIN);
  const again = await enableTenant(deps, tenant, { mailboxes: 'all' }, { dryRun: false, requestedBy: 'bob' });
  assert.deepEqual(
    again.after!.requests!.map((r) => [r.requestedBy, r.status]),
    [['bob', 'pending']],
  );
  assert.equal(org.calls.filter((c) => c.cmdlet === 'Set-AdminAuditLogConfig').length, 2);
  await store.close();
});

test('mailbox changes seen at once are recorded as applied in the enable snapshot', async () => {
  const { org, store, deps } = await world();
  org.ual = true;
  org.mailboxes[0]!.AuditEnabled = false;
  const outcome = await enableTenant(deps, tenant, { mailboxes: 'all' }, { dryRun: false, requestedBy: 'alice' });
  assert.deepEqual(
    outcome.after!.requests!.map((r) => [r.kind, r.target, r.status]),
    [['mailbox', 'user1@contoso.onmicrosoft.com', 'applied']],
  );
  assert.match(finding(outcome.after!, 'REQUEST_APPLIED')!.message, /1 mailbox change:/);
  await store.close();
});

test('the coverage fact of a tenant whose UAL is requested on says when and by whom, and that it records nothing yet', async () => {
  const { clock, store, deps } = await world();
  await enableTenant(deps, tenant, { mailboxes: 'all' }, { dryRun: false, requestedBy: 'alice' });
  const [snap] = await store.posture.list(tenant.tenantId, 1);
  const fact = auditingFact(snap, clock.now() + 10 * MIN);
  assert.equal(fact.recordsNothing, true);
  assert.deepEqual(fact.requested, { at: START, by: 'alice', appliesBy: START + 60 * MIN, overdue: false });
  assert.match(
    fact.note!,
    /records nothing.*turning it on was requested at 2026-11-25T12:00:00Z by alice; Microsoft applies it within 60 minutes/,
  );
  assert.equal(auditingFact(snap, clock.now() + 61 * MIN).requested!.overdue, true);
  await store.close();
});

test('changes Exchange accepted are remembered when the re-check after enable does not finish (Ctrl-C)', async () => {
  const { org, clock, store, deps } = await world();
  const stop = new AbortController();
  // Ctrl-C lands right after Exchange accepted the UAL change: every later call sees the aborted signal.
  const exchange: CmdletRunner = {
    invoke: async (cmdlet, parameters, signal) => {
      if (signal?.aborted) throw new AppError('CANCELLED', 'Stopped on request');
      const result = await org.invoke(cmdlet, parameters);
      if (cmdlet === 'Set-AdminAuditLogConfig') stop.abort();
      return result as never;
    },
  };
  const interrupted: PostureDeps = { ...deps, sourcesFor: async () => ({ exchange }) };
  await assert.rejects(
    enableTenant(
      interrupted,
      tenant,
      { mailboxes: 'all' },
      { dryRun: false, requestedBy: 'alice', signal: stop.signal },
    ),
    (e: unknown) => e instanceof AppError && e.code === 'CANCELLED',
  );
  assert.equal(org.calls.filter((c) => c.cmdlet === 'Set-AdminAuditLogConfig').length, 1, 'the change was sent');
  const [snap] = await store.posture.list(tenant.tenantId, 1);
  assert.ok(snap, 'the enable run left a snapshot');
  const kept = snap.body as PostureResult;
  assert.deepEqual(
    kept.requests!.map((r) => [r.kind, r.requestedBy, r.status]),
    [['ual', 'alice', 'pending']],
  );
  clock.advance(10 * MIN);
  const later = await checkTenant(deps, tenant);
  assert.deepEqual(codes(later), ['REQUEST_PENDING'], 'a later check knows it was requested, not "off, turn it on"');
  assert.match(finding(later, 'REQUEST_PENDING')!.message, /requested at 2026-11-25T12:00:00Z by alice/);
  await store.close();
});

test('a change in flight when Ctrl-C lands is unconfirmed, not skipped, and later checks follow it', async () => {
  const { org, clock, store, deps } = await world();
  const stop = new AbortController();
  // Exchange makes the change; Ctrl-C lands before its answer, so the client gives up on it.
  const exchange: CmdletRunner = {
    invoke: async (cmdlet, parameters, signal) => {
      if (signal?.aborted) throw new AppError('CANCELLED', 'Stopped on request');
      const result = await org.invoke(cmdlet, parameters);
      if (cmdlet !== 'Set-AdminAuditLogConfig') return result as never;
      stop.abort();
      throw new AppError('CANCELLED', 'Stopped on request');
    },
  };
  const steps: string[] = [];
  await assert.rejects(
    enableTenant(
      { ...deps, sourcesFor: async () => ({ exchange }) },
      tenant,
      { mailboxes: 'all' },
      { dryRun: false, requestedBy: 'alice', signal: stop.signal, onStep: (r) => steps.push(r.status) },
    ),
    (e: unknown) => e instanceof AppError && e.code === 'CANCELLED',
  );
  assert.equal(steps[0], 'unconfirmed', 'the step in flight');
  assert.ok(
    steps.slice(1).every((s) => s === 'skipped'),
    'the steps after it were never sent',
  );
  const kept = (await store.posture.list(tenant.tenantId, 1))[0]!.body as PostureResult;
  assert.deepEqual(
    kept.requests!.map((r) => [r.kind, r.status, r.unconfirmed]),
    [['ual', 'pending', true]],
  );
  clock.advance(30 * MIN);
  org.ual = true; // Microsoft applied what Exchange had accepted
  const later = await checkTenant(deps, tenant);
  assert.deepEqual(
    later.requests!.map((r) => [r.kind, r.status]),
    [['ual', 'applied']],
    'Exchange had made it: seen in effect',
  );
  await store.close();
});
