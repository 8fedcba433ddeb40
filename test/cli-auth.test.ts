import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ensureTls } from '../emulator/tls.js';
import { openStore } from '../src/store/open.js';
import { runCli, startServe } from './support/cli.js';
import { tempDir } from './support/paths.js';

/**
 * The command surface of issue 16: `user add|list|remove|reset`, `token add|list|revoke`, and `serve`
 * refusing an unsafe exposure, serving HTTPS with --tls-cert/--tls-key and printing the URL it serves.
 */
const dir = tempDir('tw-cli-auth-');
after(() => dir.cleanup());
const PASSWORD = 'a passphrase long enough';
const env = { ADMIN_PW: PASSWORD };
const cli = (args: string[]) => runCli(args, { dataDir: dir.dir, env });

describe('tenantwatch user and token', () => {
  test('serve --host 0.0.0.0 without accounts refuses and says what to do', async () => {
    const res = await cli(['serve', '--host', '0.0.0.0', '--port', '0']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /Refusing to serve on 0\.0\.0\.0: no account exists/);
    assert.match(res.stderr, /tenantwatch user add NAME --role admin --password-env VAR/);
    assert.match(res.stderr, /--tls-cert FILE --tls-key FILE, or with --behind-tls-proxy/);
  });

  test('users are added from a password in an env var, listed without it, reset and removed', async () => {
    const short = await runCli(['user', 'add', 'x', '--role', 'admin', '--password-env', 'SHORT'], {
      dataDir: dir.dir,
      env: { SHORT: 'short' },
    });
    assert.equal(short.code, 2);
    assert.match(short.stderr, /shorter than 12/);
    const added = await cli(['user', 'add', 'alice', '--role', 'admin', '--password-env', 'ADMIN_PW']);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /added alice \(admin; every tenant\)/);
    // A scope names tenants that exist: registered, or the label records were imported under.
    const typo = await cli('user add bob --role viewer --tenant contosso --password-env ADMIN_PW'.split(' '));
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /No tenant is named "contosso"/);
    for (const label of ['contoso', 'fabrikam']) {
      const file = join(dir.dir, `${label}.ndjson`);
      writeFileSync(
        file,
        JSON.stringify({
          Id: `00000000-0000-4000-8000-00000000000${label.length}`,
          RecordType: 6,
          CreationTime: '2026-11-01T00:00:00',
          Operation: 'FileAccessed',
          UserId: 'a@b.c',
        }),
      );
      assert.equal((await cli(['import', file, '--tenant', label])).code, 0);
    }
    const scoped = await cli([
      'user',
      'add',
      'bob',
      '--role',
      'viewer',
      '--tenant',
      'contoso',
      '--tenant',
      'fabrikam',
      '--password-env',
      'ADMIN_PW',
    ]);
    assert.equal(scoped.code, 0, scoped.stderr);
    const bad = await cli(['user', 'add', 'carol', '--role', 'owner', '--password-env', 'ADMIN_PW']);
    assert.equal(bad.code, 2);
    const list = await cli(['user', 'list', '--format', 'json']);
    const users = JSON.parse(list.stdout).users as { name: string; tenants: string }[];
    assert.deepEqual(
      users.map((u) => [u.name, u.tenants]),
      [
        ['alice', '*'],
        ['bob', 'contoso fabrikam'],
      ],
    );
    assert.ok(!list.stdout.includes('scrypt') && !list.stdout.includes(PASSWORD));
    assert.equal((await cli(['user', 'reset', 'bob', '--role', 'investigator'])).code, 0);
    assert.equal((await cli(['user', 'remove', 'bob'])).code, 0);
    assert.equal((await cli(['user', 'remove', 'bob'])).code, 1);
  });

  test('a token is printed once, listed without its secret, and revoked', async () => {
    const added = await cli(['token', 'add', 'siem', '--user', 'alice', '--role', 'viewer']);
    assert.equal(added.code, 0, added.stderr);
    // A reset ends sessions, not tokens: it says which of the user's tokens still work.
    const reset = await cli(['user', 'reset', 'alice']);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stderr, /alice's API token siem stays valid .*tenantwatch token revoke NAME/);
    const token = added.stdout.trim();
    assert.match(token, /^tw_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    assert.match(added.stderr, /shown only now/);
    const list = await cli(['token', 'list', '--format', 'csv']);
    assert.match(list.stdout, /siem,alice,viewer/);
    assert.ok(!list.stdout.includes(token.slice(20)));
    assert.equal((await cli(['token', 'revoke', 'siem'])).code, 0);
    assert.equal((await cli(['token', 'revoke', 'siem'])).code, 1);
    assert.doesNotMatch((await cli(['user', 'reset', 'alice'])).stderr, /stays valid/);
  });

  test('account, token and tenant changes made here are in the console audit trail as cli:<user>', async () => {
    const added = await runCli(
      [
        'tenant',
        'add',
        'contoso',
        '--tenant-id',
        '0e8108b1-18e9-41a4-961b-dfcddf92ef08',
        '--client-id',
        '11111111-2222-3333-4444-555555555555',
        '--secret-env',
        'TW_SECRET',
      ],
      { dataDir: dir.dir, env: { TW_SECRET: 'not-a-real-secret-value' } },
    );
    assert.equal(added.code, 0, added.stderr);
    const store = await openStore(`sqlite:${join(dir.dir, 'tenantwatch.sqlite')}`);
    try {
      const trail = await store.consoleAudit.list();
      assert.deepEqual(
        trail.map((e) => `${e.action} ${e.target}`),
        [
          'user.add alice',
          'user.add bob',
          'user.reset bob',
          'user.remove bob',
          'token.add siem',
          'user.reset alice',
          'token.revoke siem',
          'user.reset alice',
          'tenant.add contoso',
        ],
      );
      assert.ok(trail.every((e) => e.actor.startsWith('cli:') && e.via === 'cli'));
      assert.ok(
        !JSON.stringify(trail).includes('not-a-real-secret-value') && !JSON.stringify(trail).includes(PASSWORD),
      );
    } finally {
      await store.close();
    }
  });

  test('with an account, off loopback still needs TLS; with --tls-cert it serves HTTPS and prints that URL', async () => {
    const plain = await cli(['serve', '--host', '0.0.0.0', '--port', '0']);
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /there is no TLS/);
    const tls = await ensureTls(join(dir.dir, 'tls'));
    writeFileSync(join(dir.dir, 'cert.pem'), tls.certPem);
    writeFileSync(join(dir.dir, 'key.pem'), tls.keyPem);
    const running = startServe(
      ['--port', '0', '--tls-cert', join(dir.dir, 'cert.pem'), '--tls-key', join(dir.dir, 'key.pem')],
      dir.dir,
    );
    try {
      const url = await running.url;
      assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    } finally {
      running.child.kill('SIGTERM');
    }
  });
});
