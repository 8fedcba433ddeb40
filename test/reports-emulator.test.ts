import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '../src/core/clock.js';
import { DAY } from '../src/core/time.js';
import { normalizeRecord } from '../src/ingest/normalize.js';
import { adminCategory } from '../src/reports/admin-activity/scope.js';
import { runReport } from '../src/reports/registry.js';
import type { RoleHolderSource } from '../src/reports/roles/source.js';
import { fixtureStore } from '../src/reports/testing/store.js';
import type { Simulation } from '../emulator/sim/types.js';
import { repoRoot } from './support/paths.js';

/**
 * admin-activity and user-activity --workload SharePoint against the emulator's ground truth: the
 * simulator's records, loaded through normalizeRecord (no collector), and its role spans. The
 * expected sets are computed here from the simulation, independently of the reports' own logic.
 */
const simPath = join(repoRoot, 'emulator', 'sim', 'index.ts');
const simSkip = existsSync(simPath) ? false : 'emulator/sim/index.ts (createSimulation) has not landed yet';
const START = Date.UTC(2026, 2, 1);

async function setup() {
  const { createSimulation } = (await import(simPath)) as { createSimulation(o: Partial<Simulation['options']>): Simulation };
  const sim = createSimulation({ start: START, seed: 7, tenants: 2, users: 12, days: 8 });
  const records = sim.tenants.flatMap((t) =>
    sim.records(t.tenantId, START - 8 * DAY, START).map((r) => {
      const n = normalizeRecord(r.record, { source: 'management-api', tenant: t.tenantId, contentType: r.contentType });
      assert.ok(n.ok, n.ok ? '' : n.reason);
      return n.record;
    }),
  );
  const deps = { store: await fixtureStore(records), clock: new ManualClock(START) };
  return { sim, records, deps };
}

test('admin-activity returns exactly the admin actions of Global Administrators while they held the role', { skip: simSkip }, async () => {
  const { sim, records, deps } = await setup();
  // Graph's view: who holds the role at the end (the simulator's spans still open).
  const graph: RoleHolderSource = {
    holders: async (tenant) => ({
      source: 'graph',
      holders: sim.roles(tenant).filter((s) => s.role === 'Global Administrator' && s.to === null).map((s) => ({ userPrincipalName: s.userPrincipalName.toLowerCase(), role: s.role, from: null, to: null })),
    }),
  };
  const period = { start: START - 7 * DAY, end: START };
  const expected = records
    .filter((r) => r.creationTime >= period.start && r.creationTime < period.end && adminCategory(r) !== null)
    .filter((r) => sim.roles(r.tenant).some((s) => s.role === 'Global Administrator' && s.userPrincipalName.toLowerCase() === r.userKey && r.creationTime >= s.from && (s.to === null || r.creationTime < s.to)))
    .map((r) => `${r.tenant}/${r.id}`)
    .sort();
  assert.ok(expected.length > 0, 'the simulation has admin activity to find');
  const result = await runReport('admin-activity', { start: '7d', end: 'now' }, { ...deps, roleSource: graph });
  assert.deepEqual(result.rows.map((r) => `${r.tenant}/${String(r.id)}`).sort(), expected);
});

test('user-activity --workload SharePoint returns exactly that user\'s SharePoint and OneDrive records', { skip: simSkip }, async () => {
  const { sim, records, deps } = await setup();
  const user = sim.tenants[0]!.users[0]!.userPrincipalName;
  const expected = records
    .filter((r) => r.userKey === user.toLowerCase() && r.creationTime >= START - 7 * DAY && ['sharepoint', 'onedrive'].includes((r.workload ?? '').toLowerCase()))
    .map((r) => r.id)
    .sort();
  assert.ok(expected.length > 0, 'the user did something in SharePoint');
  const result = await runReport('user-activity', { user, workload: 'SharePoint' }, deps);
  assert.deepEqual(result.rows.map((r) => String(r.id)).sort(), expected);
});
