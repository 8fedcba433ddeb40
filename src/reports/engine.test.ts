import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import type { AppError } from '../core/errors.js';
import { inTimeOrder } from './engine.js';
import { listReports, runReport } from './registry.js';
import { NOW, exchangeAdmin, spFile } from './testing/builders.js';
import { fixtureStore } from './testing/store.js';

const deps = async (records = [spFile('FileAccessed')]) => ({
  store: await fixtureStore(records),
  clock: new ManualClock(NOW),
});

test('listReports: the nine reports with a description and a JSON schema of their parameters', () => {
  const list = listReports();
  assert.deepEqual(
    list.map((r) => r.id),
    [
      'admin-activity',
      'user-activity',
      'inbox-rules',
      'mailbox-access',
      'external-sharing',
      'sign-ins',
      'audit-tampering',
      'app-consent',
      'mass-file-activity',
    ],
  );
  for (const r of list) {
    assert.ok(r.description.length > 200, r.id);
    const props = (r.parameters as { properties: Record<string, unknown> }).properties;
    assert.ok('start' in props && 'end' in props && 'tenant' in props, r.id);
  }
});

test('runReport: an unknown id is UNKNOWN_REPORT naming the reports', async () => {
  await assert.rejects(
    runReport('nope', {}, await deps()),
    (e: AppError) => e.code === 'UNKNOWN_REPORT' && /admin-activity/.test(e.hint ?? ''),
  );
});

test('runReport: unknown and ill-typed parameters are BAD_INPUT naming them', async () => {
  await assert.rejects(
    runReport('inbox-rules', { usr: 'x' }, await deps()),
    (e: AppError) => e.code === 'BAD_INPUT' && /usr/.test(e.message),
  );
  await assert.rejects(
    runReport('mass-file-activity', { downloadThreshold: 'many' }, await deps()),
    (e: AppError) => e.code === 'BAD_INPUT' && /downloadThreshold/.test(e.message),
  );
  await assert.rejects(
    runReport('user-activity', {}, await deps()),
    (e: AppError) => e.code === 'BAD_INPUT' && /user/.test(e.message),
  );
});

test('runReport: a bad parameter is named once, as the caller spells it, with what it accepts', async () => {
  const cli = { nameOf: (p: string) => `--${p.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` };
  const message = async (id: string, params: Record<string, unknown>, options = {}) => {
    try {
      await runReport(id, params, await deps(), options);
    } catch (e) {
      return (e as AppError).message;
    }
    assert.fail('no error');
  };
  assert.equal(
    await message('sign-ins', { burstThreshold: '99999999999999999999' }, cli),
    'Report sign-ins got bad parameters: --burst-threshold must be at most 1000000000, got "99999999999999999999"',
  );
  assert.equal(
    await message('sign-ins', { burstThreshold: '0' }),
    'Report sign-ins got bad parameters: burstThreshold must be 1 or more, got "0"',
  );
  assert.equal(
    await message('inbox-rules', { suspiciousOnly: 'maybe' }, cli),
    'Report inbox-rules got bad parameters: --suspicious-only must be one of 0, 1, true, false, yes, no, got "maybe"',
  );
  assert.equal(
    await message('admin-activity', { scope: 'some' }, cli),
    'Report admin-activity got bad parameters: --scope must be one of admin, all, got "some"',
  );
  // "Everything one user did" over an empty list of users answered for every user (and an empty list of tenants for
  // every tenant); a missing user was said as "user Invalid input".
  assert.equal(
    await message('user-activity', { user: [] }),
    'Report user-activity got bad parameters: user must be a value or a list of at least one',
  );
  assert.equal(
    await message('inbox-rules', { tenant: [] }),
    'Report inbox-rules got bad parameters: tenant must be a value or a list of at least one',
  );
  assert.equal(await message('user-activity', {}, cli), 'Report user-activity got bad parameters: --user is required');
});

test("runReport: a bad parameter points at where the caller reads what each means: report ID --help, or the API's", async () => {
  // It pointed at "tenantwatch report list", whose table lists only ids and titles.
  const cli = { describedIn: (report: string) => `tenantwatch report ${report} --help` };
  await assert.rejects(runReport('sign-ins', { burstThreshold: '0' }, await deps(), cli), {
    hint: /; tenantwatch report sign-ins --help shows what each means$/,
  });
  // An API caller was sent to a CLI command's --help.
  await assert.rejects(runReport('sign-ins', { burstThreshold: '0' }, await deps()), {
    hint: /^Its parameters are .*burstThreshold.*; GET \/api\/reports shows what each means$/,
  });
});

test('runReport: a reversed or unreadable period is BAD_TIME', async () => {
  await assert.rejects(
    runReport('inbox-rules', { start: '1d', end: '3d' }, await deps()),
    (e: AppError) => e.code === 'BAD_TIME',
  );
  await assert.rejects(
    runReport('inbox-rules', { start: 'yesterday' }, await deps()),
    (e: AppError) => e.code === 'BAD_TIME',
  );
});

test('runReport: default period is the last 7 days, echoed with ISO times; summary counts by user, operation, workload and day', async () => {
  const old = spFile('FileAccessed', { CreationTime: '2026-02-01T00:00:00' });
  const a = spFile('FileAccessed');
  const b = spFile('FileDownloaded', { Workload: 'OneDrive', CreationTime: '2026-03-11T08:00:00' });
  const result = await runReport(
    'user-activity',
    { user: 'ADELE@contoso.onmicrosoft.com' },
    await deps([old, a, b, exchangeAdmin('Set-Mailbox', {})]),
  );
  assert.equal(result.parameters.start, '2026-03-05T00:00:00Z');
  assert.equal(result.parameters.end, '2026-03-12T00:00:00Z');
  assert.equal(result.summary.records, 3);
  assert.deepEqual(result.summary.byDay, [
    { key: '2026-03-10', count: 2 },
    { key: '2026-03-11', count: 1 },
  ]);
  assert.deepEqual(result.summary.byWorkload.map((e) => e.key).sort(), ['Exchange', 'OneDrive', 'SharePoint']);
  assert.equal(result.summary.byUser[0]?.count, 3);
  assert.ok(result.rows.every((r) => typeof r.id === 'string' && r.tenant));
});

test('runReport: --tenant narrows to that tenant, by name or key', async () => {
  const other = spFile('FileAccessed', { OrganizationId: 'aaaaaaaa-0000-0000-0000-000000000000' });
  const store = await fixtureStore([spFile('FileAccessed'), other], [{ name: 'other', tenantId: other.tenant }]);
  const result = await runReport(
    'user-activity',
    { user: 'adele@contoso.onmicrosoft.com', tenant: 'other' },
    { store, clock: new ManualClock(NOW) },
  );
  assert.deepEqual(
    result.rows.map((r) => r.id),
    [other.id],
  );
  assert.deepEqual(result.parameters.tenant, [other.tenant]);
});

test('runReport: filters read like search: a comma list of users, and an unknown tenant is UNKNOWN_TENANT', async () => {
  const megan = spFile('FileAccessed', { UserId: 'megan@contoso.onmicrosoft.com' });
  const adele = spFile('FileAccessed');
  const other = spFile('FileAccessed', { UserId: 'other@contoso.onmicrosoft.com' });
  const result = await runReport(
    'user-activity',
    { user: 'Megan@contoso.onmicrosoft.com,adele@contoso.onmicrosoft.com' },
    await deps([megan, adele, other]),
  );
  assert.deepEqual(result.rows.map((r) => r.id).sort(), [megan.id, adele.id].sort());
  await assert.rejects(
    runReport('inbox-rules', { tenant: 'nosuch' }, await deps()),
    (e: AppError) => e.code === 'UNKNOWN_TENANT' && /nosuch/.test(e.message),
  );
});

/** Issue 17 item 4: report rows in time order everywhere (the CLI listed them by tenant, newest first). */
test('rows that are moments come oldest first whatever the tenant; aggregate rows keep their order', () => {
  const rows = [
    { tenant: 'b', id: '1', time: '2026-03-10T09:00:00Z' },
    { tenant: 'b', id: '2', time: '2026-03-09T09:00:00Z' },
    { tenant: 'a', id: '3', time: '2026-03-10T08:00:00.500Z' },
    { tenant: 'a', id: '4', time: '2026-03-09T09:00:00Z' },
  ];
  assert.deepEqual(
    inTimeOrder(rows).map((r) => r.id),
    ['2', '4', '3', '1'],
  );
  const aggregates = [
    { tenant: 'a', user: 'x', count: 3 },
    { tenant: 'b', user: 'y', count: 9 },
  ];
  assert.equal(inTimeOrder(aggregates), aggregates);
});
