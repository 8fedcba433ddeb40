import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UserRow } from '../auth-contract.js';
import type { Store } from '../contract.js';

const T0 = Date.UTC(2026, 0, 1);

export function userRow(overrides: Partial<UserRow> = {}): UserRow {
  return {
    name: 'alice',
    role: 'investigator',
    tenants: ['contoso'],
    groups: [],
    passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
    externalId: null,
    failedAttempts: 0,
    lockedUntil: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** The auth part of store.conformance.ts: accounts, groups, sessions, tokens, the console audit trail. */
export function runAuthConformance(ctx: { readonly store: Store }): void {
  test('users: put, get in any case, update keeps created time, external id lookup, remove', async () => {
    const a = ctx.store.auth;
    assert.equal(await a.countUsers(), 0);
    await a.putUser(userRow());
    await a.putUser(
      userRow({ name: 'bob', role: 'viewer', tenants: ['*'], groups: ['eu'], externalId: 'iss|bob-oid' }),
    );
    assert.equal(await a.countUsers(), 2);
    assert.deepEqual(await a.getUser('ALICE'), userRow());
    assert.equal((await a.findUserByExternalId('iss|bob-oid'))?.name, 'bob');
    assert.equal(await a.findUserByExternalId('iss|nobody'), null);
    await a.putUser(userRow({ name: 'Alice', role: 'admin', createdAt: T0 + 9, updatedAt: T0 + 9 }));
    const alice = await a.getUser('alice');
    assert.equal(alice?.role, 'admin');
    assert.equal(alice?.createdAt, T0, 'an update keeps when the user was created');
    assert.deepEqual(
      (await a.listUsers()).map((u) => u.name),
      ['alice', 'bob'],
    );
    await assert.rejects(a.putUser(userRow({ name: 'carol', externalId: 'iss|bob-oid' })), { code: 'CONFLICT' });
    assert.equal(await a.removeUser('BOB'), true);
    assert.equal(await a.removeUser('bob'), false);
    assert.equal(await a.getUser('bob'), null);
  });

  test('users: failures count up to the limit, then lock and start again; clearing unlocks', async () => {
    const a = ctx.store.auth;
    await a.putUser(userRow());
    const policy = { maxAttempts: 3, lockMs: 60_000 };
    assert.equal((await a.recordFailure('alice', T0, policy))?.failedAttempts, 1);
    assert.equal((await a.recordFailure('alice', T0, policy))?.lockedUntil, null);
    const locked = await a.recordFailure('ALICE', T0 + 5, policy);
    assert.deepEqual([locked?.failedAttempts, locked?.lockedUntil], [0, T0 + 5 + 60_000]);
    assert.equal(await a.recordFailure('nobody', T0, policy), null);
    await a.clearFailures('alice');
    const cleared = await a.getUser('alice');
    assert.deepEqual([cleared?.failedAttempts, cleared?.lockedUntil], [0, null]);
  });

  test('names that are no account: failures count to the limit (concurrent ones each), lock, start again; past the bound the oldest go', async () => {
    const a = ctx.store.auth;
    const policy = { maxAttempts: 2, lockMs: 60_000 };
    const LIMIT = 2;
    assert.equal(await a.nameLockedUntil('h1', T0), null);
    await a.recordNameFailure('h1', T0, policy, LIMIT);
    assert.equal(await a.nameLockedUntil('h1', T0), null, 'one failure of two');
    await a.recordNameFailure('h1', T0 + 1, policy, LIMIT);
    assert.equal(await a.nameLockedUntil('h1', T0 + 2), T0 + 1 + 60_000, 'locked at the second');
    assert.equal(await a.nameLockedUntil('h1', T0 + 1 + 60_000), null, 'open again when the lock ends');
    await Promise.all([a.recordNameFailure('h2', T0, policy, LIMIT), a.recordNameFailure('h2', T0, policy, LIMIT)]);
    assert.equal(await a.nameLockedUntil('h2', T0), T0 + 60_000, 'concurrent failures each counted');
    // After every lock ended: three names for a bound of two; the one that failed longest ago is forgotten.
    const t1 = T0 + 120_000;
    for (const [i, hash] of ['h3', 'h4', 'h5'].entries()) await a.recordNameFailure(hash, t1 + i, policy, LIMIT);
    await a.recordNameFailure('h3', t1 + 3, policy, LIMIT);
    assert.equal(await a.nameLockedUntil('h3', t1 + 3), null, 'h3 was forgotten: its count started again');
    await a.recordNameFailure('h5', t1 + 4, policy, LIMIT);
    assert.equal(await a.nameLockedUntil('h5', t1 + 4), t1 + 4 + 60_000, 'h5, newer, was remembered');
    await a.recordNameFailure('h3', t1 + 5, policy, LIMIT);
    assert.equal(await a.nameLockedUntil('h3', t1 + 5), t1 + 5 + 60_000);
  });

  test('a checked change of users: the check sees every user and group, refuses by throwing, and two at once take turns', async () => {
    const a = ctx.store.auth;
    await a.putGroup({ name: 'eu', tenants: ['contoso'], updatedAt: T0 });
    for (const name of ['alice', 'bob']) await a.putUser(userRow({ name, role: 'admin', tenants: ['*'] }));
    let seen: string[] = [];
    const refuse = (users: readonly UserRow[], groups: readonly { name: string }[]): void => {
      seen = [...users.map((u) => u.name), ...groups.map((g) => g.name)];
      throw new Error('refused');
    };
    await assert.rejects(a.changeUserChecked('alice', null, refuse), /refused/);
    await assert.rejects(a.changeUserChecked('bob', userRow({ name: 'bob', role: 'viewer' }), refuse), /refused/);
    assert.deepEqual(seen, ['alice', 'bob', 'eu']);
    assert.deepEqual(
      (await a.listUsers()).map((u) => [u.name, u.role]),
      [
        ['alice', 'admin'],
        ['bob', 'admin'],
      ],
      'nothing a check refused was written',
    );
    assert.equal(await a.changeUserChecked('nobody', null, () => {}), false);
    // Each removes itself only while another admin remains: run at once, exactly one may go. Several rounds,
    // as two transactions overlap only when their statements interleave (PostgreSQL's pool, one round trip each).
    const another = (name: string) => (users: readonly UserRow[]) => {
      if (!users.some((u) => u.name !== name && u.role === 'admin')) throw new Error(`${name} is the last`);
    };
    for (let round = 0; round < 10; round++) {
      for (const name of ['alice', 'bob']) await a.putUser(userRow({ name, role: 'admin', tenants: ['*'] }));
      // Connections opened beforehand, so both changes run at once rather than one waiting to connect.
      await Promise.all([a.listUsers(), a.listGroups(), a.countUsers()]);
      const both = await Promise.allSettled([
        a.changeUserChecked('alice', null, another('alice')),
        a.changeUserChecked('bob', null, another('bob')),
      ]);
      assert.deepEqual(both.map((r) => r.status).sort(), ['fulfilled', 'rejected'], `round ${round}`);
      assert.equal(await a.countUsers(), 1);
    }
    assert.equal(await a.changeUserChecked('carol', userRow({ name: 'carol' }), () => {}), true);
    assert.equal((await a.getUser('CAROL'))?.role, 'investigator');
  });

  test('a targeted user update writes only the fields it names, on the row as it is when written', async () => {
    const a = ctx.store.auth;
    await a.putUser(userRow({ role: 'admin', tenants: ['*'], failedAttempts: 3, lockedUntil: T0 + 9 }));
    // Another change lands after the caller read the account: the update must not undo it.
    await a.putUser(userRow({ role: 'viewer', tenants: ['fabrikam'], groups: ['eu'], externalId: 'iss|alice' }));
    const written = await a.updateUser('ALICE', {
      passwordHash: 'scrypt$new',
      failedAttempts: 0,
      lockedUntil: null,
      updatedAt: T0 + 5,
    });
    const expected = userRow({
      role: 'viewer',
      tenants: ['fabrikam'],
      groups: ['eu'],
      externalId: 'iss|alice',
      passwordHash: 'scrypt$new',
      updatedAt: T0 + 5,
    });
    assert.deepEqual(written, expected);
    assert.deepEqual(await a.getUser('alice'), expected);
    // Narrowing to the groups is decided on the stored tenants: only an account of every tenant loses them.
    await a.updateUser('alice', { groups: ['us'], narrowToGroups: true, updatedAt: T0 + 6 });
    assert.deepEqual((await a.getUser('alice'))?.tenants, ['fabrikam']);
    await a.putUser(userRow({ name: 'bob', tenants: ['*'] }));
    const bob = await a.updateUser('bob', { role: 'admin', groups: ['us'], narrowToGroups: true, updatedAt: T0 + 7 });
    assert.deepEqual([bob?.role, bob?.tenants, bob?.groups], ['admin', [], ['us']]);
    assert.equal(await a.updateUser('nobody', { role: 'admin', updatedAt: T0 }), null);
    // A link (OpenID Connect sign-in of an account made under the claim's name) is written like any other field.
    await a.updateUser('bob', { externalId: 'iss|bob', updatedAt: T0 + 7 });
    assert.equal((await a.findUserByExternalId('iss|bob'))?.name, 'bob');
    // A check sees every user and group, and refuses by throwing: then nothing is written.
    let seen: string[] = [];
    const refuse = (users: readonly UserRow[]): void => {
      seen = users.map((u) => u.name);
      throw new Error('refused');
    };
    await assert.rejects(a.updateUser('bob', { role: 'viewer', updatedAt: T0 + 8 }, refuse), /refused/);
    assert.deepEqual(seen, ['alice', 'bob']);
    assert.equal((await a.getUser('bob'))?.role, 'admin', 'nothing a check refused was written');
    assert.equal((await a.updateUser('bob', { role: 'viewer', updatedAt: T0 + 8 }, () => {}))?.role, 'viewer');
  });

  test('a checked change of a group: the check sees every user and group, refuses by throwing, and takes turns with users', async () => {
    const a = ctx.store.auth;
    const all = { name: 'all', tenants: ['*'], updatedAt: T0 };
    await a.putGroup(all);
    await a.putUser(userRow({ name: 'alice', role: 'admin', tenants: [], groups: ['all'] }));
    let seen: string[] = [];
    const refuse = (users: readonly UserRow[], groups: readonly { name: string }[]): void => {
      seen = [...users.map((u) => u.name), ...groups.map((g) => g.name)];
      throw new Error('refused');
    };
    await assert.rejects(a.changeGroupChecked('ALL', { ...all, tenants: ['contoso'] }, refuse), /refused/);
    await assert.rejects(a.changeGroupChecked('all', null, refuse), /refused/);
    assert.deepEqual(seen, ['alice', 'all']);
    assert.deepEqual(await a.listGroups(), [all], 'nothing a check refused was written');
    assert.equal(await a.changeGroupChecked('nothing', null, () => {}), false);
    assert.equal(await a.changeGroupChecked('eu', { name: 'eu', tenants: ['contoso'], updatedAt: T0 }, () => {}), true);
    assert.equal(await a.changeGroupChecked('EU', null, () => {}), true);
    // alice has every tenant through the group, bob his own: either change alone leaves one, both at once none.
    // Each check refuses unless the other's way to every tenant remains: run at once, exactly one may go.
    const bobRemains = (users: readonly UserRow[]): void => {
      if (!users.some((u) => u.name === 'bob')) throw new Error('bob is gone');
    };
    const groupRemains = (_users: readonly UserRow[], groups: readonly { tenants: string[] }[]): void => {
      if (!groups.some((g) => g.tenants.includes('*'))) throw new Error('the group was narrowed');
    };
    for (let round = 0; round < 10; round++) {
      await a.putGroup(all);
      await a.putUser(userRow({ name: 'bob', role: 'admin', tenants: ['*'] }));
      await Promise.all([a.listUsers(), a.listGroups(), a.countUsers()]);
      const both = await Promise.allSettled([
        a.changeUserChecked('bob', null, groupRemains),
        a.changeGroupChecked('all', { ...all, tenants: ['contoso'] }, bobRemains),
      ]);
      assert.deepEqual(both.map((r) => r.status).sort(), ['fulfilled', 'rejected'], `round ${round}`);
    }
  });

  test('tenant groups: put replaces, names without regard to case, remove', async () => {
    const a = ctx.store.auth;
    await a.putGroup({ name: 'EU', tenants: ['contoso'], updatedAt: T0 });
    await a.putGroup({ name: 'eu', tenants: ['contoso', 'fabrikam'], updatedAt: T0 + 1 });
    await a.putGroup({ name: 'us', tenants: [], updatedAt: T0 });
    assert.deepEqual(await a.listGroups(), [
      { name: 'EU', tenants: ['contoso', 'fabrikam'], updatedAt: T0 + 1 },
      { name: 'us', tenants: [], updatedAt: T0 },
    ]);
    assert.equal(await a.removeGroup('Eu'), true);
    assert.equal(await a.removeGroup('eu'), false);
  });

  test('sessions: put, get, touch never moves back, prune by absolute and idle end, removed with the user', async () => {
    const a = ctx.store.auth;
    await a.putUser(userRow());
    const s = { idHash: 'h1', user: 'alice', createdAt: T0, lastSeenAt: T0, expiresAt: T0 + 100_000 };
    await a.putSession({ ...s, address: '127.0.0.1', via: 'password' });
    await a.putSession({ ...s, idHash: 'h2', expiresAt: T0 + 10, address: null, via: 'oidc' });
    await a.putSession({ ...s, idHash: 'h3', address: null, via: 'password' });
    await a.touchSession('h1', T0 + 50);
    await a.touchSession('h1', T0 + 40);
    assert.equal((await a.getSession('h1'))?.lastSeenAt, T0 + 50);
    assert.equal((await a.getSession('h2'))?.via, 'oidc');
    assert.equal(await a.pruneSessions(T0 + 60, 30), 2, 'h2 past its end, h3 idle');
    assert.equal(await a.getSession('h3'), null);
    await a.removeSession('h1');
    assert.equal(await a.getSession('h1'), null);
    await a.putSession({ ...s, idHash: 'h4', address: null, via: 'password' });
    assert.equal(await a.removeSessions('ALICE'), 1);
    await a.putSession({ ...s, idHash: 'h5', address: null, via: 'password' });
    await a.removeUser('alice');
    assert.equal(await a.getSession('h5'), null);
  });

  test('tokens: put, get, list per user, revoke by name once, touch, unique names', async () => {
    const a = ctx.store.auth;
    const t = {
      id: 'abc',
      name: 'siem',
      user: 'alice',
      hash: 'deadbeef',
      role: null,
      tenants: ['*'],
      createdAt: T0,
      expiresAt: T0 + 1000,
      revokedAt: null,
      lastUsedAt: null,
    };
    await a.putToken(t);
    await a.putToken({
      ...t,
      id: 'def',
      name: 'ci',
      user: 'bob',
      role: 'viewer',
      tenants: ['contoso'],
      expiresAt: null,
    });
    await assert.rejects(a.putToken({ ...t, id: 'ghi', name: 'SIEM' }), { code: 'CONFLICT' });
    assert.deepEqual(await a.getToken('abc'), t);
    assert.deepEqual(
      (await a.listTokens()).map((x) => x.name),
      ['ci', 'siem'],
    );
    assert.deepEqual(
      (await a.listTokens('bob')).map((x) => [x.name, x.role, x.tenants]),
      [['ci', 'viewer', ['contoso']]],
    );
    await a.touchToken('abc', T0 + 5);
    assert.equal((await a.getToken('abc'))?.lastUsedAt, T0 + 5);
    assert.equal(await a.revokeToken('Siem', T0 + 6), true);
    assert.equal(await a.revokeToken('siem', T0 + 7), false);
    assert.equal((await a.getToken('abc'))?.revokedAt, T0 + 6);
  });

  test('pending sign-ins: taken once, never after they expire; rate counters: one window shared, then a new one', async () => {
    const a = ctx.store.auth;
    await a.putPending('k1', '{"state":"s1"}', T0 + 600_000, T0);
    await a.putPending('k2', '{"state":"s2"}', T0 + 10, T0);
    assert.equal(await a.takePending('k1', T0), '{"state":"s1"}');
    assert.equal(await a.takePending('k1', T0), null, 'single use');
    assert.equal(await a.takePending('k2', T0 + 10), null, 'expired');
    assert.equal(await a.takePending('nope', T0), null);
    const hits = await Promise.all([1, 2, 3].map(() => a.hitRate('signin:198.51.100.1', T0, 60_000)));
    assert.deepEqual(hits.map((h) => h.hits).sort(), [1, 2, 3], 'concurrent attempts each counted');
    assert.equal((await a.hitRate('signin:198.51.100.1', T0 + 59_999, 60_000)).hits, 4);
    assert.deepEqual(await a.hitRate('signin:198.51.100.2', T0 + 1, 60_000), { hits: 1, windowStart: T0 + 1 });
    assert.deepEqual(await a.hitRate('signin:198.51.100.1', T0 + 60_000, 60_000), {
      hits: 1,
      windowStart: T0 + 60_000,
    });
  });

  test('console audit: appended in order, listed after a position, newest first, filtered (one caller too); no way to change it', async () => {
    const c = ctx.store.consoleAudit;
    const entry = {
      at: T0,
      actor: 'alice',
      via: 'session' as const,
      address: '127.0.0.1',
      action: 'search',
      outcome: 'ok' as const,
      target: null,
      details: { user: ['bob'] },
    };
    const first = await c.append(entry);
    const second = await c.append({ ...entry, at: T0 + 1, action: 'signin', actor: 'bob', target: 'bob' });
    const third = await c.append({ ...entry, at: T0 + 2, action: 'export', outcome: 'denied' });
    assert.ok(first < second && second < third);
    assert.deepEqual(await c.list({ after: first, limit: 1 }), [
      { ...entry, seq: second, at: T0 + 1, action: 'signin', actor: 'bob', target: 'bob' },
    ]);
    assert.deepEqual(
      (await c.list({ newestFirst: true })).map((e) => e.seq),
      [third, second, first],
    );
    assert.deepEqual(
      (await c.list({ actor: 'ALICE', action: 'export' })).map((e) => e.outcome),
      ['denied'],
    );
    assert.deepEqual(
      (await c.list({ from: T0 + 1, to: T0 + 2 })).map((e) => e.seq),
      [second],
    );
    assert.deepEqual(
      (await c.list({ before: third, newestFirst: true, limit: 1 })).map((e) => e.seq),
      [second],
    );
    // One caller's entries, as the console looks them up before recording a call that may only repeat one.
    const token = await c.append({ ...entry, at: T0 + 3, via: 'token' });
    const elsewhere = await c.append({ ...entry, at: T0 + 4, address: '192.0.2.7' });
    const caller = { actor: 'Alice', action: 'search', via: 'session', address: '127.0.0.1', outcome: 'ok' } as const;
    assert.deepEqual(
      (await c.list(caller)).map((e) => e.seq),
      [first],
    );
    assert.deepEqual(
      (await c.list({ ...caller, via: 'token' })).map((e) => e.seq),
      [token],
    );
    assert.deepEqual(
      (await c.list({ ...caller, address: '192.0.2.7' })).map((e) => e.seq),
      [elsewhere],
    );
    assert.deepEqual(await c.list({ ...caller, action: 'export' }), []);
    assert.deepEqual(
      (await c.list({ ...caller, action: 'export', outcome: 'denied' })).map((e) => e.seq),
      [third],
    );
    assert.deepEqual(await c.list({ ...caller, from: T0 + 1 }), []);
    assert.equal('update' in c || 'remove' in c || 'delete' in c, false, 'the contract has no way to change an entry');
  });
}
