import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../../test/support/cli.js';
import { tempDir } from '../../../test/support/paths.js';

/** `user` and `token` as a person runs them (a child process with its own data folder). */
test('a token name taken by a revoked token is refused with what works: another name, not "revoke that one"', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cli = (line: string) =>
      runCli(line.split(' '), { dataDir: dir, env: { TW_TEST_PW: 'a passphrase long enough' } });
    assert.equal((await cli('user add alice --role admin --password-env TW_TEST_PW')).code, 0);
    assert.equal((await cli('token add ci --user alice')).code, 0);
    assert.equal((await cli('token revoke ci')).code, 0);
    const again = await cli('token add ci --user alice');
    assert.equal(again.code, 1, again.stderr);
    // Revoking keeps the token, and its name, in the list: the hint sent a person round in a circle.
    assert.doesNotMatch(again.stderr, /revoke that one/);
    assert.match(
      again.stderr,
      /A token named "ci" already exists\. Pick another token name: a revoked or expired token keeps its name$/m,
    );
  } finally {
    cleanup();
  }
});

test('user add --oidc takes ISSUER|CLAIM-VALUE, the key a sign-in is matched by; a bare value is refused', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const add = (name: string, oidc: string) =>
      runCli(['user', 'add', name, '--role', 'viewer', '--oidc', oidc], { dataDir: dir });
    // It was stored: an account with no password whose link no sign-in could ever match.
    const bare = await add('bob', 'bob@contoso.com');
    assert.equal(bare.code, 2, bare.stderr);
    assert.match(
      bare.stderr,
      /The OpenID Connect link "bob@contoso\.com" is not ISSUER\|CLAIM-VALUE\. Give the issuer URL/,
    );
    const linked = await add(
      'carol',
      'https://login.microsoftonline.com/6f1c2b3a-0000-4000-8000-00000000abcd/v2.0|carol@contoso.com',
    );
    assert.equal(linked.code, 0, linked.stderr);
    const list = await runCli(['user', 'list', '--format', 'json'], { dataDir: dir });
    assert.deepEqual(
      (JSON.parse(list.stdout) as { users: { name: string }[] }).users.map((u) => u.name),
      ['carol'],
    );
  } finally {
    cleanup();
  }
});

test('user, token and sink listings say an absent value as null in json and jsonl, and leave it blank in a table', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cli = (args: string[]) => runCli(args, { dataDir: dir, env: { TW_TEST_PW: 'a passphrase long enough' } });
    assert.equal((await cli(['user', 'add', 'alice', '--role', 'admin', '--password-env', 'TW_TEST_PW'])).code, 0);
    assert.equal((await cli(['token', 'add', 'ci', '--user', 'alice'])).code, 0);
    const file = `file://${dir}/out.ndjson`;
    assert.equal((await cli(['sink', 'add', 'f', '--type', 'file', '--url', file])).code, 0);
    // user list said lockedUntil "" beside externalId null; token list said revoked and lastUsed "".
    const users = JSON.parse((await cli(['user', 'list', '--format', 'json'])).stdout) as { users: object[] };
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(users.users[0]!).filter(([key]) => ['externalId', 'lockedUntil'].includes(key)),
      ),
      { externalId: null, lockedUntil: null },
    );
    const token = JSON.parse((await cli(['token', 'list', '--format', 'jsonl'])).stdout) as Record<string, unknown>;
    assert.equal(token.revoked, null);
    assert.equal(token.lastUsed, null);
    // sink status --format json said lastError null where jsonl and csv's rows said "".
    const sink = JSON.parse((await cli(['sink', 'status', '--format', 'jsonl'])).stdout) as Record<string, unknown>;
    assert.equal(sink.lastError, null);
    for (const args of [
      ['user', 'list'],
      ['token', 'list'],
      ['sink', 'status'],
    ])
      assert.doesNotMatch((await cli(args)).stdout, /null/, args.join(' '));
  } finally {
    cleanup();
  }
});
