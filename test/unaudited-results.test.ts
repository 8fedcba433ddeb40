import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import { listReports, runReport } from '../src/reports/registry.js';
import { buildServer } from '../src/server/index.js';
import type { Store } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import { DAY, T0, TENANT_A, TENANT_B, record, tenantRow } from '../src/store/testing/fixtures.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/paths.js';

/**
 * Issue 18 item 1 (display): a tenant with the unified audit log off records nothing, so every result over it
 * says so next to itself — the CLI's search and report (stderr; never "No findings"), the export's
 * X-Tenantwatch-Notice header and JSON envelope — and exports name tenants, not only GUIDs (issue 17 item 4).
 */
let data: { dir: string; cleanup: () => void };
let store: Store;
let app: FastifyInstance;
const range = ['--start', new Date(T0 - DAY).toISOString(), '--end', new Date(T0 + DAY).toISOString()];

before(async () => {
  data = tempDir('tw-unaudited-');
  store = await openStore(`sqlite:${join(data.dir, 'tenantwatch.sqlite')}`);
  await store.tenants.upsert(tenantRow());
  await store.tenants.upsert(tenantRow({ name: 'fabrikam', tenantId: TENANT_B, domain: 'fabrikam.onmicrosoft.com' }));
  await store.records.insert([record({ raw: '{"Id":"a"}' }), record({ raw: '{"Id":"b"}' })]);
  await store.posture.save({
    tenant: TENANT_A,
    takenAt: T0,
    verdict: 'ok',
    body: { ualEnabled: true, orgAuditDisabled: false },
  });
  await store.posture.save({
    tenant: TENANT_B,
    takenAt: T0,
    verdict: 'failing',
    body: { ualEnabled: false, orgAuditDisabled: false, findings: [{ code: 'UAL_OFF', severity: 'failing' }] },
  });
  app = await buildServer({ store, clock: new ManualClock(T0 + DAY), logger: silentLogger });
});

after(async () => {
  await app?.close();
  await store?.close();
  data?.cleanup();
});

test('report over a tenant that records nothing: the line on stderr, and never "No findings"', async () => {
  const r = await runCli(['report', 'admin-activity', '--tenant', 'fabrikam', ...range], { dataDir: data.dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /tenant fabrikam: records nothing: unified audit log ingestion is off/);
  assert.doesNotMatch(r.stdout, /No findings/);
  assert.match(r.stdout, /records nothing \(unified audit log off\): this does not show that nothing happened/);
});

test('report over an audited tenant with no rows still says "No findings", with no auditing line', async () => {
  const r = await runCli(['report', 'admin-activity', '--tenant', 'contoso', ...range], { dataDir: data.dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /No findings/);
  assert.doesNotMatch(r.stderr, /records nothing/);
});

test('search over every tenant says which one records nothing; the table names tenants', async () => {
  const r = await runCli(['search', ...range], { dataDir: data.dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /tenant fabrikam: records nothing/);
  assert.match(r.stdout, /contoso/);
  assert.doesNotMatch(r.stdout, new RegExp(TENANT_A));
});

test('export: the CSV carries a TenantName column and the notice header; JSON carries it in its envelope', async () => {
  const q = `start=${encodeURIComponent(new Date(T0 - DAY).toISOString())}&end=${encodeURIComponent(new Date(T0 + DAY).toISOString())}`;
  const csv = await app.inject({ method: 'GET', url: `/api/export?${q}&format=csv` });
  assert.equal(csv.statusCode, 200);
  assert.match(String(csv.headers['x-tenantwatch-notice']), /tenant fabrikam: records nothing/);
  const [header, first] = csv.body.replace(/^\uFEFF/, '').split('\r\n');
  assert.match(header!, /^CreationTime,Tenant,TenantName,Id,/);
  assert.match(first!, new RegExp(`^[^,]+,${TENANT_A},contoso,`));
  const json = await app.inject({ method: 'GET', url: `/api/export?${q}&format=json` });
  const body = JSON.parse(json.body) as { count: number; notices: string[]; records: { tenantName: string }[] };
  assert.equal(body.count, 2);
  assert.match(body.notices[0]!, /fabrikam: records nothing/);
  assert.equal(body.records[0]!.tenantName, 'contoso');
  const only = await app.inject({ method: 'GET', url: `/api/export?${q}&format=csv&tenant=contoso` });
  assert.equal(only.headers['x-tenantwatch-notice'], undefined, 'an audited tenant alone needs no notice');
});

test('a report on a user no stored record names says so, with the user meant, as search does', async () => {
  const r = await runCli(['report', 'user-activity', '--tenant', 'contoso', '--user', 'alice@contoso.co', ...range], {
    dataDir: data.dir,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /No findings/);
  assert.match(
    r.stderr,
    /no stored record names the user "alice@contoso\.co" in these tenants; did you mean "alice@contoso\.com"\?/,
  );
  const known = await runCli(
    ['report', 'user-activity', '--tenant', 'contoso', '--user', 'Alice@Contoso.com', ...range],
    {
      dataDir: data.dir,
    },
  );
  assert.doesNotMatch(known.stderr, /no stored record names/);
});

test('a report on a workload Microsoft 365 does not record says so, as search does; SharePoint alone says nothing', async () => {
  const args = ['report', 'user-activity', '--tenant', 'contoso', '--user', 'Alice@Contoso.com', ...range];
  // "--workload Sharepiont" answered "No findings" and nothing else, where search names the workload meant.
  const typo = await runCli([...args, '--workload', 'Sharepiont'], { dataDir: data.dir });
  assert.equal(typo.code, 0, typo.stderr);
  assert.match(typo.stderr, /"Sharepiont" is not a workload Microsoft 365 records; did you mean "SharePoint"/);
  // This report includes OneDrive with SharePoint: search's "OneDrive is not included" would be wrong here.
  const known = await runCli([...args, '--workload', 'SharePoint'], { dataDir: data.dir });
  assert.doesNotMatch(known.stderr, /is not a workload|OneDrive/);
});

test('the console is told the same: a report run on a user no stored record names carries the notice', async () => {
  const clock = new ManualClock(T0 + DAY);
  const withReports = await buildServer({
    store,
    clock,
    logger: silentLogger,
    reports: {
      list: () => listReports(),
      run: (id, params) => runReport(id, params, { store, clock, logger: silentLogger }),
    },
  });
  const body = (user: string) => ({
    tenant: ['contoso'],
    user,
    start: new Date(T0 - DAY).toISOString(),
    end: new Date(T0 + DAY).toISOString(),
  });
  const typo = await withReports.inject({
    method: 'POST',
    url: '/api/reports/user-activity/run',
    payload: body('alice@contoso.co'),
  });
  assert.equal(typo.statusCode, 200, typo.body);
  const notices = typo.json<{ notices: { filter: string; value: string; suggestions: string[] }[] }>().notices;
  assert.deepEqual(
    notices.map((n) => [n.filter, n.value, n.suggestions[0]]),
    [['user', 'alice@contoso.co', 'alice@contoso.com']],
  );
  const known = await withReports.inject({
    method: 'POST',
    url: '/api/reports/user-activity/run',
    payload: body('Alice@Contoso.com'),
  });
  assert.deepEqual(known.json<{ notices: unknown[] }>().notices, []);
  await withReports.close();
});
