import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { buildServer } from '../src/server/index.js';
import { addUser, signIn } from '../src/server/auth/testing.js';
import { DAY, NOW, fixtureRecords, testDeps } from '../src/server/testing/fixtures.js';
import { pgUrl } from './support/paths.js';
import { dropSchema, isolatedPgUrl } from './support/pg.js';

/**
 * Records imported under a label (import --tenant Case-2026) are asked for as people type it: registered names
 * and GUIDs match without regard to case, and so does a user's list of tenants, so a label does too. The scope
 * let "case-2026" through while the store looked for the label byte for byte: UNKNOWN_TENANT, or nothing.
 */
const LABEL = 'Case-2026';
const range = `start=${new Date(NOW - 4 * DAY).toISOString()}&end=${new Date(NOW).toISOString()}`;

async function check(storeUrl: string): Promise<void> {
  // The first record's Id has hex letters: a GUID is stored in lower case and may be pasted in upper case.
  const records = fixtureRecords(12).map((r, i) => ({
    ...r,
    tenant: LABEL,
    ...(i === 0 ? { id: 'abcdef00-0000-4000-8000-00000000000a' } : {}),
  }));
  const deps = await testDeps({}, records, storeUrl);
  const app = await buildServer(deps);
  try {
    await addUser(deps.store, deps.clock, { name: 'alice', role: 'admin' });
    // A user whose list names the label in yet another case.
    await addUser(deps.store, deps.clock, { name: 'bob', tenants: ['CASE-2026'] });
    const alice = await signIn(app, 'alice');
    const bob = await signIn(app, 'bob');
    const search = async (who: typeof alice, query: string) => {
      const res = await app.inject(who.with({ url: `/api/search?${range}${query}` }));
      assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
      return res.json<{ records: { tenant: string }[] }>().records.map((r) => r.tenant);
    };
    for (const asked of [LABEL, 'case-2026', 'CASE-2026']) {
      assert.deepEqual(await search(alice, `&tenant=${asked}`), Array(12).fill(LABEL), `alice asks ${asked}`);
      assert.deepEqual(await search(bob, `&tenant=${asked}`), Array(12).fill(LABEL), `bob asks ${asked}`);
    }
    assert.deepEqual(await search(bob, ''), Array(12).fill(LABEL), 'bob asks for every tenant he may see');
    // Still no other tenant for bob, and still UNKNOWN_TENANT for a label nothing is stored under.
    const other = await app.inject(bob.with({ url: `/api/search?${range}&tenant=case-2027` }));
    assert.equal(other.statusCode, 403, other.body);
    const unknown = await app.inject(alice.with({ url: `/api/search?${range}&tenant=case-2027` }));
    assert.equal(unknown.json().error.code, 'UNKNOWN_TENANT');

    // One record, as the detail pane asks for it: by the label in any case, within the caller's scope.
    const id = records[0]!.id;
    for (const asked of [LABEL, 'case-2026', 'CASE-2026']) {
      for (const who of [alice, bob]) {
        const res = await app.inject(who.with({ url: `/api/records/${asked}/${id}` }));
        assert.equal(res.statusCode, 200, `record by ${asked}: ${res.body}`);
        assert.equal(res.json<{ tenant: string; id: string }>().tenant, LABEL);
      }
    }
    await addUser(deps.store, deps.clock, { name: 'carol', tenants: ['contoso'] });
    const carol = await signIn(app, 'carol');
    const outside = await app.inject(carol.with({ url: `/api/records/case-2026/${id}` }));
    assert.equal(outside.statusCode, 403, outside.body);
    const upper = await app.inject(alice.with({ url: `/api/records/case-2026/${id.toUpperCase()}` }));
    assert.equal(upper.statusCode, 200, `an Id pasted in upper case: ${upper.body}`);
    assert.equal(upper.json<{ id: string }>().id, id);
    const absent = await app.inject(alice.with({ url: `/api/records/case-2026/no-such-id` }));
    assert.equal(absent.statusCode, 404, absent.body);
  } finally {
    await app.close();
    await deps.store.close();
  }
}

describe('an import label asked for in another case', () => {
  test('finds its records on SQLite', () => check('sqlite::memory:'));

  const url = pgUrl ? isolatedPgUrl('label_case') : null;
  after(async () => {
    if (url) await dropSchema(url);
  });
  test('finds its records on PostgreSQL', { skip: url ? false : 'TENANTWATCH_TEST_PG not set' }, () => check(url!));
});
