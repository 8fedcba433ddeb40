import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { createHttpClient } from '../src/net/http.js';
import { checkTenant, enableTenant, type PostureDeps } from '../src/posture/service.js';
import type { PostureResult } from '../src/posture/types.js';
import type { Store, TenantRow } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import type { EmulatorTenantView } from '../emulator/types.js';
import { emulatedPostureDeps, emulatedTenantRow, startTestEmulator, type TestEmulator } from './support/emulator.js';
import { pgSkip } from './support/paths.js';
import { dropSchema, isolatedPgUrl } from './support/pg.js';

/**
 * A Set-* cmdlet of `audit-config enable` whose answer is lost in flight (the emulator makes the change, then
 * resets the connection): it was recorded as failed, and nothing remembered it, though the change was made. Now
 * the step is 'unconfirmed', and the request it may have been is followed like any other until a check sees it in
 * effect (or its time passes).
 */
const MINUTE = 60_000;
let env: TestEmulator;
let http: ReturnType<typeof createHttpClient>;

// Each test changes its tenants' settings: a fresh emulator for each.
beforeEach(async () => {
  env = await startTestEmulator({ tenants: 5, users: 6, faults: { throttleBudgetPerMinute: null } });
  http = createHttpClient({ ca: env.emu.caPem });
});
afterEach(async () => {
  http?.close();
  await env?.close();
});

const row = (t: EmulatorTenantView): TenantRow => emulatedTenantRow(env.emu, t);

function depsOf(store: Store): PostureDeps {
  return emulatedPostureDeps(env, store, http);
}

async function withStore(kind: 'sqlite' | 'postgres', body: (store: Store) => Promise<void>): Promise<void> {
  const url = kind === 'sqlite' ? 'sqlite::memory:' : isolatedPgUrl('posture_unconfirmed');
  const store = await openStore(url);
  try {
    await body(store);
  } finally {
    await store.close();
    if (kind === 'postgres') await dropSchema(url);
  }
}

const latest = async (store: Store, tenantId: string) =>
  (await store.posture.list(tenantId, 1))[0]!.body as PostureResult;

for (const kind of ['sqlite', 'postgres'] as const) {
  test(
    `${kind}: Set-AdminAuditLogConfig without an answer is unconfirmed, remembered, and seen applied later`,
    { skip: kind === 'postgres' ? pgSkip : false },
    () =>
      withStore(kind, async (store) => {
        const deps = depsOf(store);
        const t = env.emu.tenants.find((x) => !x.ualEnabled && !x.dehydrated)!;
        env.emu.setFaults({ exoResetAfter: ['Set-AdminAuditLogConfig'] });
        const outcome = await enableTenant(deps, row(t), { mailboxes: [] }, { dryRun: false, requestedBy: 'alice' });
        env.emu.setFaults({ exoResetAfter: [] });
        const ual = outcome.results.find((r) => r.step.kind === 'ual')!;
        assert.equal(ual.status, 'unconfirmed', JSON.stringify(ual));
        assert.match(ual.message ?? '', /^no answer came \(.+\); Exchange may have made the change/);
        assert.match(ual.message ?? '', /not in effect at the re-check: later checks follow it/);

        const kept = await latest(store, t.tenantId);
        const request = kept.requests!.find((r) => r.kind === 'ual')!;
        assert.deepEqual([request.status, request.unconfirmed, request.requestedBy], ['pending', true, 'alice']);
        const pending = kept.findings.find((f) => f.code === 'REQUEST_PENDING')!;
        assert.match(
          pending.message,
          /requested at .+ by alice, but no answer came, so it may or may not have been made/,
        );
        assert.ok(!kept.findings.some((f) => f.code === 'UAL_OFF'), 'not "off, turn it on" to who just did');

        // The emulator made the change: Microsoft's 60 minutes later, a check sees it in effect.
        await env.emu.clock.advance(61 * MINUTE);
        const later = await checkTenant(deps, row(t));
        assert.equal(later.ualEnabled, true);
        assert.equal(later.requests!.find((r) => r.kind === 'ual')!.status, 'applied');
      }),
  );

  test(
    `${kind}: Set-Mailbox without an answer, which the re-check shows in effect, is done`,
    { skip: kind === 'postgres' ? pgSkip : false },
    () =>
      withStore(kind, async (store) => {
        const deps = depsOf(store);
        const t = env.emu.tenants.find((x) => !x.dehydrated && x.ualEnabled)!;
        const mailboxes = (await env.client.request('GET', `/_emulator/mailboxes?tenantId=${t.tenantId}`)).json<
          { userPrincipalName: string }[]
        >();
        const upn = mailboxes[0]!.userPrincipalName;
        env.emu.setFaults({ exoResetAfter: ['Set-Mailbox'] });
        const outcome = await enableTenant(
          deps,
          row(t),
          { mailboxes: [upn], ageLimitDays: 3650 },
          { dryRun: false, requestedBy: 'alice' },
        );
        env.emu.setFaults({ exoResetAfter: [] });
        const step = outcome.results.find((r) => r.step.kind === 'mailbox')!;
        assert.equal(step.status, 'done', JSON.stringify(step));
        assert.equal(step.message, 'no answer came, but the re-check shows the change in effect');
        const kept = await latest(store, t.tenantId);
        assert.deepEqual(
          kept.requests!.filter((r) => r.kind === 'mailbox').map((r) => [r.target, r.status, r.unconfirmed]),
          [[upn, 'applied', true]],
        );
      }),
  );

  for (const status of [504, 502])
    test(
      `${kind}: Set-AdminAuditLogConfig answered by a gateway's ${status} is unconfirmed, remembered, and seen applied later`,
      { skip: kind === 'postgres' ? pgSkip : false },
      () =>
        withStore(kind, async (store) => {
          const deps = depsOf(store);
          const t = env.emu.tenants.find((x) => !x.ualEnabled && !x.dehydrated)!;
          env.emu.setFaults({ exoGatewayAfter: ['Set-AdminAuditLogConfig'], exoGatewayStatus: status });
          const outcome = await enableTenant(deps, row(t), { mailboxes: [] }, { dryRun: false, requestedBy: 'alice' });
          env.emu.setFaults({ exoGatewayAfter: [] });
          const ual = outcome.results.find((r) => r.step.kind === 'ual')!;
          assert.equal(ual.status, 'unconfirmed', JSON.stringify(ual));
          assert.match(
            ual.message ?? '',
            new RegExp(
              `^no answer came from Exchange, only a gateway's HTTP ${status} \\(.+\\); Exchange may have made`,
            ),
          );
          const kept = await latest(store, t.tenantId);
          const request = kept.requests!.find((r) => r.kind === 'ual')!;
          assert.deepEqual([request.status, request.unconfirmed], ['pending', true]);
          assert.ok(!kept.findings.some((f) => f.code === 'UAL_OFF'), 'not "off, turn it on" to who just did');

          await env.emu.clock.advance(61 * MINUTE);
          const later = await checkTenant(deps, row(t));
          assert.equal(later.requests!.find((r) => r.kind === 'ual')!.status, 'applied');
        }),
    );
}
