import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../src/core/clock.js';
import type { AuditRecord } from '../src/core/record.js';
import { DAY } from '../src/core/time.js';
import { normalizeRecord } from '../src/ingest/normalize.js';
import { runReport } from '../src/reports/registry.js';
import type { RoleHolderSource } from '../src/analysis/roles/source.js';
import { expectedAdminActions, rowKeys, type TruthRecord } from '../src/reports/testing/ground-truth.js';
import { fixtureStore } from '../src/reports/testing/store.js';
import { createSimulation } from '../emulator/sim/index.js';
import type { Simulation } from '../emulator/sim/types.js';

/**
 * admin-activity and user-activity --workload SharePoint against the simulator's ground truth: its
 * records, loaded through normalizeRecord into the SQLite store (no collector), and its role spans.
 * The expected sets are computed from the simulation's own knowledge by the oracle in
 * src/reports/testing/ground-truth.ts, which shares no code with the reports.
 */
const START = Date.UTC(2026, 2, 1);
const PERIOD = { start: START - 7 * DAY, end: START };

interface Truth extends TruthRecord {
  record: AuditRecord;
}

async function setup() {
  const sim: Simulation = createSimulation({ start: START, seed: 7, tenants: 2, users: 12, days: 8 });
  const truth: Truth[] = sim.tenants.flatMap((t) =>
    sim.records(t.tenantId, START - 8 * DAY, START).map((r) => {
      const n = normalizeRecord(r.record, { source: 'management-api', tenant: t.tenantId, contentType: r.contentType });
      assert.ok(n.ok, n.ok ? '' : n.reason);
      return { tenant: t.tenantId, raw: r.record, time: r.creationTime, record: n.record };
    }),
  );
  const store = await fixtureStore(truth.map((t) => t.record));
  return { sim, truth, deps: { store, clock: new ManualClock(START) } };
}

/** Graph's view: who holds each role at the end of the period (the simulator's spans open then). */
function graphOf(sim: Simulation): RoleHolderSource {
  return {
    holders: async (tenant, roles) => ({
      source: 'graph',
      holders: sim
        .roles(tenant)
        .filter(
          (s) =>
            roles.some((r) => r.toLowerCase() === s.role.toLowerCase()) &&
            s.from <= START &&
            (s.to === null || s.to > START),
        )
        .map((s) => ({ userPrincipalName: s.userPrincipalName.toLowerCase(), role: s.role, from: null, to: null })),
    }),
  };
}

function expectedAdmin(sim: Simulation, truth: Truth[], roles: string[]): string[] {
  return expectedAdminActions(truth, (tenant) => sim.roles(tenant), roles, PERIOD);
}

const keysOf = rowKeys;

test('admin-activity returns exactly the admin actions of Global Administrators while they held the role', async () => {
  const { sim, truth, deps } = await setup();
  const expected = expectedAdmin(sim, truth, ['Global Administrator']);
  assert.ok(expected.length > 0, 'the simulation has admin activity to find');
  const result = await runReport('admin-activity', { start: '7d', end: 'now' }, { ...deps, roleSource: graphOf(sim) });
  assert.deepEqual(keysOf(result.rows), expected);
  // The Global Administrator added during the period (emulator/sim/roles.ts) counts from the addition on.
  const added = sim
    .roles(sim.tenants[0]!.tenantId)
    .find((s) => s.role === 'Global Administrator' && s.from > PERIOD.start)!;
  const byAdded = result.rows.filter((r) => String(r.user).toLowerCase() === added.userPrincipalName.toLowerCase());
  assert.ok(
    byAdded.length > 0 && byAdded.every((r) => Date.parse(String(r.time)) >= added.from),
    'actions only from the addition on',
  );
  assert.equal(result.summary.totals.roleSource, 'graph');
  await deps.store.close();
});

test('admin-activity with Exchange Administrator too: the holder removed during the period counts until the removal', async () => {
  const { sim, truth, deps } = await setup();
  const roles = ['Global Administrator', 'Exchange Administrator'];
  const removed = sim
    .roles(sim.tenants[0]!.tenantId)
    .find((s) => s.to !== null && s.to > PERIOD.start && s.to < PERIOD.end);
  assert.ok(removed, 'the simulation removes a holder during the period');
  const expected = expectedAdmin(sim, truth, roles);
  const result = await runReport(
    'admin-activity',
    { start: '7d', end: 'now', roles },
    { ...deps, roleSource: graphOf(sim) },
  );
  assert.deepEqual(keysOf(result.rows), expected);
  const byRemoved = result.rows.filter((r) => String(r.user).toLowerCase() === removed.userPrincipalName.toLowerCase());
  assert.ok(
    byRemoved.length > 0 && byRemoved.every((r) => Date.parse(String(r.time)) < removed.to!),
    'actions only while holding',
  );
  await deps.store.close();
});

test('admin-activity from the audit log alone finds only holders whose membership was logged, and never a non-holder', async () => {
  const { sim, truth, deps } = await setup();
  const expected = new Set(expectedAdmin(sim, truth, ['Global Administrator']));
  const result = await runReport('admin-activity', { start: '7d', end: 'now' }, deps);
  assert.equal(result.summary.totals.roleSource, 'audit-log');
  const found = keysOf(result.rows);
  assert.ok(found.length > 0 && found.every((k) => expected.has(k)), 'a subset of the ground truth');
  await deps.store.close();
});

test("user-activity --workload SharePoint returns exactly that user's SharePoint and OneDrive records", async () => {
  const { sim, truth, deps } = await setup();
  for (const tenant of sim.tenants) {
    const user = tenant.users[3]!.userPrincipalName;
    const expected = truth
      .filter(
        ({ raw, record }) =>
          String(raw.UserId).toLowerCase() === user.toLowerCase() &&
          record.creationTime >= PERIOD.start &&
          ['SharePoint', 'OneDrive'].includes(String(raw.Workload)),
      )
      .map(({ tenant: t, raw }) => `${t}/${String(raw.Id)}`)
      .sort();
    assert.ok(expected.length > 0, 'the user did something in SharePoint');
    const result = await runReport(
      'user-activity',
      { user: user.toUpperCase(), workload: 'SharePoint', tenant: tenant.tenantId },
      deps,
    );
    assert.deepEqual(keysOf(result.rows), expected);
  }
  await deps.store.close();
});
