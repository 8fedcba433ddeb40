import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildTenantRow } from '../src/config/tenants.js';
import { loadSecretKey } from '../src/config/secrets.js';
import { openStore } from '../src/store/open.js';
import { runCli } from './support/cli.js';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';
import { tempDir } from './support/paths.js';

/** `tenantwatch audit-config` as a person runs it, against the emulator, with tenants registered by secret. */
let env: TestEmulator;
let data: { dir: string; cleanup: () => void };

before(async () => {
  env = await startTestEmulator({ tenants: 5, users: 12, clock: 'real' });
  data = tempDir('tw-posture-cli-');
  const store = await openStore(`sqlite:${join(data.dir, 'tenantwatch.sqlite')}`);
  const key = () => loadSecretKey(join(data.dir, 'secret.key'), {}, { create: true });
  for (const t of env.emu.tenants) {
    const row = buildTenantRow(
      {
        name: t.name,
        tenantId: t.tenantId,
        clientId: t.clientId,
        baseUrl: env.emu.url,
        caFile: env.emu.caFile,
        publisherId: t.publisherId,
        domain: t.domain,
        credential: { kind: 'secret', secret: t.clientSecret },
      },
      key,
      Date.now(),
    );
    await store.tenants.upsert(row);
  }
  await store.close();
});

after(async () => {
  await env?.close();
  data?.cleanup();
});

test('check --format json gives every tenant its verdict and the fields partners script against', async () => {
  const res = await runCli(['audit-config', 'check', '--all', '--format', 'json'], { dataDir: data.dir });
  // Scripts and RMM tools read the exit status: some simulated tenants are failing.
  assert.equal(res.code, env.emu.tenants.some((t) => !t.ualEnabled || t.orgAuditDisabled) ? 1 : 0, res.stderr);
  const body = JSON.parse(res.stdout) as { count: number; tenants: Record<string, unknown>[] };
  assert.equal(body.count, env.emu.tenants.length);
  for (const t of env.emu.tenants) {
    const r = body.tenants.find((x) => x.tenantId === t.tenantId)!;
    for (const key of [
      'tenant',
      'tenantId',
      'verdict',
      'findings',
      'ualEnabled',
      'orgAuditDisabled',
      'dehydrated',
      'mailboxes',
    ])
      assert.ok(key in r, `${key} present`);
    assert.equal(r.ualEnabled, t.ualEnabled);
    assert.equal(r.orgAuditDisabled, t.orgAuditDisabled);
    assert.equal(r.dehydrated, t.dehydrated);
    assert.equal(r.verdict === 'failing', !t.ualEnabled || t.orgAuditDisabled, `${t.name}: ${String(r.verdict)}`);
    assert.equal(typeof (r.mailboxes as { total: number; auditEnabled: number }).auditEnabled, 'number');
    for (const f of r.findings as { fix?: string }[]) {
      assert.doesNotMatch(f.fix ?? '', /\bTENANT\b/, 'fix lines name the tenant');
      if (f.fix?.startsWith('tenantwatch audit-config enable')) assert.ok(f.fix.includes(t.name), f.fix);
    }
  }
  assert.ok(
    !res.stdout.includes(env.emu.tenants[0]!.clientSecret) && !res.stderr.includes(env.emu.tenants[0]!.clientSecret),
    'no secret is printed',
  );
});

test('enable --dry-run plans without changing; --powershell prints the script; unknown tenants fail clearly', async () => {
  const sick = env.emu.tenants.find((t) => !t.ualEnabled)!;
  const dry = await runCli(['audit-config', 'enable', sick.name, '--dry-run', '--age-limit', '180'], {
    dataDir: data.dir,
  });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /turn unified audit log ingestion on/);
  assert.match(dry.stdout, /Dry run: nothing was changed/);
  const tenants = (await env.client.request('GET', '/_emulator/tenants')).json<
    { tenantId: string; ualEnabled: boolean }[]
  >();
  assert.equal(tenants.find((t) => t.tenantId === sick.tenantId)!.ualEnabled, false, 'a dry run changes nothing');

  const ps = await runCli(['audit-config', 'enable', sick.name, '--powershell'], { dataDir: data.dir });
  assert.equal(ps.code, 0, ps.stderr);
  assert.match(ps.stdout, /Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled \$true/);
  const all = await runCli(['audit-config', 'enable', '--all', '--powershell'], { dataDir: data.dir });
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.stdout.match(/^Connect-ExchangeOnline -DelegatedOrganization/gm)?.length, env.emu.tenants.length);
  const none = await runCli(['audit-config', 'enable'], { dataDir: data.dir });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /needs a tenant, several, or --all/);

  const unknown = await runCli(['audit-config', 'check', 'nosuchtenant'], { dataDir: data.dir });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /No registered tenant is called "nosuchtenant".*Registered tenants:/);
  const bad = await runCli(['audit-config', 'enable', sick.name, '--age-limit', 'lots'], { dataDir: data.dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--age-limit lots is not a positive whole number\. Give whole days .*\(from 1 to 24855\)/);
});

test('after enable, check and collect say the UAL request is pending (when, by whom), not "turn it on"', async () => {
  const sick = env.emu.tenants.find((t) => !t.ualEnabled)!;
  const enabled = await runCli(['audit-config', 'enable', sick.name, '--mailboxes', 'all'], { dataDir: data.dir });
  assert.equal(enabled.code, 0, enabled.stderr);
  assert.match(enabled.stdout, /pending/);
  const check = await runCli(['audit-config', 'check', sick.name, '--format', 'json'], { dataDir: data.dir });
  const [result] = (JSON.parse(check.stdout) as { tenants: { findings: { code: string; message: string }[] }[] })
    .tenants;
  const codes = result!.findings.map((f) => f.code);
  assert.ok(!codes.includes('UAL_OFF'), codes.join(', '));
  const pending = result!.findings.find((f) => f.code === 'REQUEST_PENDING')!;
  assert.match(pending.message, /requested at \S+ by .+ \(app [^)]+\); Microsoft applies it within 60 minutes/);
  const collect = await runCli(['collect', sick.name], { dataDir: data.dir, timeoutMs: 120_000 });
  assert.equal(collect.code, 1);
  assert.match(collect.stderr, /Turning it on was requested at \S+ by .+; Microsoft applies it within 60 minutes/);
  const said = collect.stderr.split('\n').filter((l) => l.startsWith('tenantwatch:'));
  assert.doesNotMatch(said.join('\n'), /Turn it on \(tenantwatch audit-config enable/);
  const coverage = await runCli(['coverage', sick.name], { dataDir: data.dir });
  assert.match(coverage.stdout, /records nothing: .*turning it on was requested at/);
  const tested = await runCli(['tenant', 'test', sick.name], { dataDir: data.dir });
  assert.equal(tested.code, 1);
  assert.match(tested.stderr, /Turning it on was requested at \S+ by .+; Microsoft applies it within 60 minutes/);
  assert.doesNotMatch(tested.stderr, /Turn it on \(tenantwatch audit-config enable/);
});
