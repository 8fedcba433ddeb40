import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { pgUrl } from '../../../test/support/paths.js';
import { schemaFamily } from '../../../test/support/pg.js';
import { ManualClock } from '../../core/clock.js';
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
