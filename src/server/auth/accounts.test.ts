import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { pgUrl } from '../../../test/support/paths.js';
import { schemaFamily } from '../../../test/support/pg.js';
import { ManualClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import type { Store } from '../../store/contract.js';
import { openStore } from '../../store/open.js';
import { NOW, seedStore } from '../testing/fixtures.js';
import { Accounts } from './accounts.js';
import { ConsoleAuditor } from './audit.js';
import { verifyPassword } from './password.js';
import { addUser, TEST_ACTOR } from './testing.js';

/**
 * Accounts on both stores: what a reset writes when another change lands between its read and its write, and the
 * last administrator of every tenant kept through changes of groups (the console's Admin page: `true` below).
 */
const schemas = pgUrl ? schemaFamily('accounts') : null;
after(async () => schemas?.dropAll());

function pgStore(url: string, family: NonNullable<typeof schemas>): () => Promise<Store> {
  return () => openStore(`${url}${url.includes('?') ? '&' : '?'}schema=${family.next()}`);
}
const STORES: [string, () => Promise<Store>][] = [['sqlite', () => openStore('sqlite::memory:')]];
if (pgUrl && schemas) STORES.push(['postgres', pgStore(pgUrl, schemas)]);

/**
 * The store, with `between` run once right after the first read of an account (auth.getUser) returns: another
 * admin's change landing while a reset is hashing its password.
 */
function interleaved(store: Store, between: () => Promise<void>): Store {
  let pending = true;
  const auth = new Proxy(store.auth, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'getUser')
        return async (name: string) => {
          const row = await target.getUser(name);
          if (pending) {
            pending = false;
            await between();
          }
          return row;
        };
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return new Proxy(store, { get: (target, prop) => (prop === 'auth' ? auth : Reflect.get(target, prop, target)) });
}

for (const [kind, open] of STORES) {
  describe(`accounts (${kind})`, () => {
    let store: Store;
    let clock: ManualClock;
    const accounts = (console: boolean, on: Store = store): Accounts =>
      new Accounts(on, clock, new ConsoleAuditor(on, clock, silentLogger), console);

    beforeEach(async () => {
      store = await open();
      await seedStore(store, []);
      clock = new ManualClock(NOW);
    });
    afterEach(async () => store.close());

    test('a group that gives the last administrator every tenant cannot be narrowed or removed, nor she taken out of it', async () => {
      // alice is an administrator of every tenant only through the group "all" (*); carl of contoso only.
      await accounts(false).putGroup(TEST_ACTOR, 'all', ['*']);
      await accounts(false).putGroup(TEST_ACTOR, 'eu', ['contoso']);
      await addUser(store, clock, { name: 'alice', role: 'admin', groups: ['all'] });
      await addUser(store, clock, { name: 'carl', role: 'admin', tenants: ['contoso'] });
      const console = accounts(true);
      const refused = async (what: string, change: () => Promise<unknown>, message: RegExp): Promise<void> => {
        await assert.rejects(change, (e: unknown) => {
          assert.ok(e instanceof AppError, what);
          assert.equal(e.code, 'CONFLICT', what);
          assert.match(e.message, message, what);
          assert.match(e.hint ?? '', /another account an administrator of every tenant/, what);
          return true;
        });
      };
      const only = /would leave no administrator of every tenant: "alice" has every tenant only through it/;
      await refused(
        'the group narrowed',
        () => console.putGroup(TEST_ACTOR, 'ALL', ['contoso']),
        new RegExp(`^Changing the tenants of the group "ALL" ${only.source}`),
      );
      await refused(
        'the group removed',
        () => console.removeGroup(TEST_ACTOR, 'all'),
        new RegExp(`^Removing the group "all" ${only.source}`),
      );
      for (const [what, change] of [
        ['taken out of the group', { groups: ['eu'] }],
        ['demoted', { role: 'investigator' }],
      ] as const)
        await refused(what, () => console.resetUser(TEST_ACTOR, 'alice', change), /"alice" is the last administrator/);
      assert.deepEqual(
        (await store.auth.listGroups()).map((g) => `${g.name} ${g.tenants.join()}`),
        ['all *', 'eu contoso'],
        'nothing refused was stored',
      );
      assert.deepEqual((await store.auth.getUser('alice'))?.groups, ['all']);
      // Other groups change freely; the CLI on the server is not held to the rule; another administrator of
      // every tenant frees the group.
      await console.putGroup(TEST_ACTOR, 'eu', ['contoso', 'fabrikam']);
      await console.putGroup(TEST_ACTOR, 'all', ['*', 'contoso']);
      await addUser(store, clock, { name: 'dana', role: 'admin' });
      await console.putGroup(TEST_ACTOR, 'all', ['contoso']);
      await console.removeGroup(TEST_ACTOR, 'all');
      await store.auth.removeUser('dana');
      await accounts(false).putGroup(TEST_ACTOR, 'eu', ['*']);
      await accounts(false).resetUser(TEST_ACTOR, 'carl', { groups: ['eu'], tenants: ['contoso'] });
      await accounts(false).removeGroup(TEST_ACTOR, 'eu');
      const trail = await store.consoleAudit.list({ action: 'group.remove' });
      assert.deepEqual(
        trail.map((e) => e.target),
        ['all', 'eu'],
        'only what was done is in the trail',
      );
    });

    test('the last administrator through a group and another removed at once: one change is refused', async () => {
      await accounts(false).putGroup(TEST_ACTOR, 'all', ['*']);
      for (let round = 0; round < 5; round++) {
        await accounts(false).putGroup(TEST_ACTOR, 'all', ['*']);
        await addUser(store, clock, { name: 'alice', role: 'admin', groups: ['all'] });
        await addUser(store, clock, { name: 'bob', role: 'admin' });
        const both = await Promise.allSettled([
          accounts(true).putGroup(TEST_ACTOR, 'all', ['contoso']),
          accounts(true).removeUser(TEST_ACTOR, 'bob'),
        ]);
        assert.deepEqual(both.map((r) => r.status).sort(), ['fulfilled', 'rejected'], `round ${round}`);
        for (const name of ['alice', 'bob']) await store.auth.removeUser(name);
      }
    });

    test('a reset keeps a change another admin made to other fields between its read and its write', async () => {
      for (const console of [false, true]) {
        await addUser(store, clock, { name: 'dana', role: 'admin' });
        await addUser(store, clock, { name: 'alice', role: 'investigator', tenants: ['contoso'] });
        await store.auth.recordFailure('alice', NOW, { maxAttempts: 1, lockMs: 60_000 });
        // A new password for alice, while dana makes her an admin of fabrikam and the group eu.
        await accounts(false).putGroup(TEST_ACTOR, 'eu', ['contoso']);
        const during = interleaved(store, async () => {
          await accounts(console).resetUser(TEST_ACTOR, 'alice', {
            role: 'admin',
            tenants: ['fabrikam'],
            groups: ['eu'],
          });
        });
        await accounts(console, during).resetUser(TEST_ACTOR, 'alice', { password: 'a new long passphrase' });
        const alice = (await store.auth.getUser('alice'))!;
        assert.deepEqual(
          [alice.role, alice.tenants, alice.groups],
          ['admin', ['fabrikam'], ['eu']],
          `console ${console}`,
        );
        assert.equal(await verifyPassword('a new long passphrase', alice.passwordHash!), true);
        assert.deepEqual([alice.failedAttempts, alice.lockedUntil], [0, null], 'the reset unlocked');
        // The other way round: a role changed while another admin set a new password.
        const other = interleaved(store, async () => {
          await accounts(console).resetUser(TEST_ACTOR, 'alice', { password: 'the newest passphrase' });
        });
        await accounts(console, other).resetUser(TEST_ACTOR, 'alice', { role: 'viewer' });
        const after = (await store.auth.getUser('alice'))!;
        assert.equal(after.role, 'viewer');
        assert.equal(await verifyPassword('the newest passphrase', after.passwordHash!), true, `console ${console}`);
        for (const name of ['alice', 'dana']) await store.auth.removeUser(name);
        await store.auth.removeGroup('eu');
      }
    });
  });
}
