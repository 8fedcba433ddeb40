import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadSecretKey } from '../src/config/secrets.js';
import { buildTenantRow } from '../src/config/tenants.js';
import { DAY } from '../src/core/time.js';
import { normalizeRecord } from '../src/ingest/normalize.js';
import {
  expectedAdminActions,
  rowKeys,
  type TruthRecord,
  type TruthSpan,
} from '../src/reports/testing/ground-truth.js';
import type { ReportResult } from '../src/reports/types.js';
import { openStore } from '../src/store/open.js';
import type { EmulatorTenantView } from '../emulator/types.js';
import { ALL_ROLES } from '../emulator/world.js';
import { runCli, startServe } from './support/cli.js';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';
import { tempDir } from './support/paths.js';

/**
 * `tenantwatch report admin-activity` as a person runs it, against the emulator: role holders come
 * from Graph for a registered tenant that grants RoleManagement.Read.Directory; a registered tenant
 * without that permission and a tenant that is not registered fall back to the audit log, and the
 * report says so. The store is filled with the emulator's ground-truth records (the collector is
 * tested elsewhere); the oracle (src/reports/testing/ground-truth.ts) shares no code with the report.
 */
let env: TestEmulator;
let data: { dir: string; cleanup: () => void };
const truth: TruthRecord[] = [];
const spans = new Map<string, TruthSpan[]>();
/** The emulator's virtual clock stands still at its start; the history is the two days before it. */
const END = Date.UTC(2026, 2, 10, 12, 0, 0);
const PERIOD = { start: END - 2 * DAY, end: END };
const ISO = ['--start', new Date(PERIOD.start).toISOString(), '--end', new Date(PERIOD.end).toISOString()];
/** Tenants with records (a tenant with unified audit logging off has none): Graph, Graph refused, not registered. */
let graphTenant: EmulatorTenantView;
let refused: EmulatorTenantView;
let unregistered: EmulatorTenantView;

before(async () => {
  env = await startTestEmulator({ tenants: 4, users: 15, days: 2, start: END });
  data = tempDir('tw-report-cli-');
  const store = await openStore(`sqlite:${join(data.dir, 'tenantwatch.sqlite')}`);
  for (const t of env.emu.tenants) {
    const lines = (await env.client.request('GET', `/_emulator/records?tenantId=${t.tenantId}`)).text
      .split('\n')
      .filter(Boolean);
    const records = lines.map((line) => {
      const raw = JSON.parse(line) as Record<string, unknown>;
      const n = normalizeRecord(raw, { source: 'management-api', tenant: t.tenantId });
      assert.ok(n.ok, n.ok ? '' : n.reason);
      truth.push({ tenant: t.tenantId, raw, time: n.record.creationTime });
      return n.record;
    });
    await store.records.insert(records);
    const roles = (await env.client.request('GET', `/_emulator/roles?tenantId=${t.tenantId}`)).json<
      { role: string; userPrincipalName: string; from: string; to: string | null }[]
    >();
    spans.set(
      t.tenantId,
      roles.map((r) => ({
        role: r.role,
        userPrincipalName: r.userPrincipalName,
        from: Date.parse(r.from),
        to: r.to === null ? null : Date.parse(r.to),
      })),
    );
  }
  [graphTenant, refused, unregistered] = env.emu.tenants.filter((t) => t.ualEnabled) as [
    EmulatorTenantView,
    EmulatorTenantView,
    EmulatorTenantView,
  ];
  assert.ok(unregistered, 'three tenants with records');
  const key = () => loadSecretKey(join(data.dir, 'secret.key'), {}, { create: true });
  for (const t of [graphTenant, refused]) {
    const input = {
      name: t.name,
      tenantId: t.tenantId,
      clientId: t.clientId,
      baseUrl: env.emu.url,
      caFile: env.emu.caFile,
      publisherId: t.publisherId,
      domain: t.domain,
    };
    await store.tenants.upsert(
      buildTenantRow({ ...input, credential: { kind: 'secret', secret: t.clientSecret } }, key, Date.now()),
    );
  }
  env.emu.setRoles(
    refused.tenantId,
    ALL_ROLES.filter((r) => r !== 'RoleManagement.Read.Directory' && r !== 'Directory.Read.All'),
  );
  await store.close();
});

after(async () => {
  await env?.close();
  data?.cleanup();
});

test('admin-activity: Graph for the registered tenant that allows it, the audit log (said why) for the others', async () => {
  const res = await runCli(['report', 'admin-activity', ...ISO, '--format', 'json'], { dataDir: data.dir });
  assert.equal(res.code, 0, res.stderr);
  const result = JSON.parse(res.stdout) as ReportResult;
  const expected = expectedAdminActions(truth, (t) => spans.get(t) ?? [], ['Global Administrator'], PERIOD);
  const of = (tenant: string, keys: string[]) => keys.filter((k) => k.startsWith(`${tenant}/`));
  const found = rowKeys(result.rows);

  assert.ok(of(graphTenant.tenantId, expected).length > 0, 'the tenant has admin activity to find');
  assert.deepEqual(
    of(graphTenant.tenantId, found),
    of(graphTenant.tenantId, expected),
    'with Graph: exactly the ground truth',
  );
  for (const tenant of [refused.tenantId, unregistered.tenantId]) {
    assert.ok(
      of(tenant, found).every((k) => expected.includes(k)),
      'from the log: never a non-holder or a non-admin action',
    );
  }
  assert.equal(result.summary.totals.roleSource, 'audit-log, graph');
  const notes = String(result.summary.totals.roleSourceNotes);
  // A registered tenant is named as the other notes name it; one never registered by its key.
  assert.match(notes, new RegExp(`tenant ${refused.name}: Graph not used \\(PERMISSION_MISSING`));
  assert.match(
    notes,
    new RegExp(
      `tenant ${unregistered.tenantId}: Graph not used \\(UNKNOWN_TENANT: tenant ${unregistered.tenantId} is not registered`,
    ),
  );
  assert.ok(!notes.includes(`${graphTenant.tenantId}:`) && !notes.includes(`${graphTenant.name}:`));
  assert.match(res.stderr, /tenantwatch: note: .*PERMISSION_MISSING/);
  assert.ok(!res.stderr.includes(graphTenant.clientSecret), 'no secret is printed');
});

test('user-activity --workload SharePoint in csv: the Excel-safe listing CSV, exactly the ground truth ids; a bad format is a usage error', async () => {
  const tenant = graphTenant.tenantId;
  const inPeriod = truth.filter(
    (r) =>
      r.tenant === tenant &&
      r.time >= PERIOD.start &&
      r.time < PERIOD.end &&
      ['SharePoint', 'OneDrive'].includes(String(r.raw.Workload)),
  );
  const user = String(inPeriod[0]!.raw.UserId);
  const expected = inPeriod
    .filter((r) => String(r.raw.UserId).toLowerCase() === user.toLowerCase())
    .map((r) => String(r.raw.Id))
    .sort();
  const args = ['report', 'user-activity', '--user', user, '--tenant', graphTenant.name, ...ISO];
  const csv = await runCli([...args, '--workload', 'SharePoint', '--format', 'csv'], { dataDir: data.dir });
  assert.equal(csv.code, 0, csv.stderr);
  assert.ok(csv.stdout.startsWith('\uFEFFtenant,tenantName,id,'), 'BOM and header (the tenant name beside its key)');
  const ids = csv.stdout
    .trim()
    .split('\r\n')
    .slice(1)
    .map((line) => line.split(',')[2]!)
    .sort();
  assert.deepEqual(ids, expected);
  const bad = await runCli([...args, '--format', 'xml'], { dataDir: data.dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format xml is not one of table, json, jsonl, csv/);
});

test('the console (tenantwatch serve) answers admin-activity from Graph too, with the same rows as the CLI', async () => {
  const { child, url: started } = startServe(['--port', '0'], data.dir);
  try {
    const url = await started;
    const params = {
      tenant: graphTenant.name,
      start: new Date(PERIOD.start).toISOString(),
      end: new Date(PERIOD.end).toISOString(),
    };
    const res = await fetch(`${url}api/reports/admin-activity/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    assert.equal(res.status, 200);
    const served = (await res.json()) as ReportResult;
    assert.equal(served.summary.totals.roleSource, 'graph');
    const cli = await runCli(['report', 'admin-activity', '--tenant', graphTenant.name, ...ISO, '--format', 'json'], {
      dataDir: data.dir,
    });
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(rowKeys(served.rows), rowKeys((JSON.parse(cli.stdout) as ReportResult).rows));
    assert.ok(served.rows.length > 0);
  } finally {
    child.kill('SIGINT');
  }
});
