import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../../test/support/cli.js';
import { tempDir } from '../../../test/support/paths.js';

/** `tenant add` as a person runs it (a child process with its own data folder). */
const ID = '6f1c2b3a-0000-4000-8000-00000000abcd';

test('18.16: tenant add with a tenant id registered under another name is refused, not a silent rename', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const env = { TW_TEST_SECRET: 's3cret' };
    const add = (name: string, id = ID) =>
      runCli(
        [
          'tenant',
          'add',
          name,
          '--tenant-id',
          id,
          '--client-id',
          '11111111-2222-4333-8444-555555555555',
          '--secret-env',
          'TW_TEST_SECRET',
        ],
        {
          dataDir: dir,
          env,
        },
      );
    assert.equal((await add('contoso')).code, 0);
    const again = await add('fabrikam');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /tenant id 6f1c2b3a-0000-4000-8000-00000000abcd is already registered as "contoso"/);
    assert.equal((await add('contoso')).code, 0, 'the same name updates its own tenant');
    const other = await add('contoso', '7a2d3c4b-0000-4000-8000-00000000beef');
    assert.equal(other.code, 1, 'the same name for another tenant id is refused');
    assert.match(
      other.stderr,
      /"contoso" is already registered with the tenant id 6f1c2b3a-0000-4000-8000-00000000abcd/,
    );
    const list = await runCli(['tenant', 'list', '--format', 'json'], { dataDir: dir, env });
    assert.deepEqual(
      JSON.parse(list.stdout) as unknown,
      { count: 1, tenants: [JSON.parse((await runCli(['tenant', 'show', 'contoso'], { dataDir: dir, env })).stdout)] },
      'the count and the tenants, each as `tenant show` prints it',
    );
  } finally {
    cleanup();
  }
});

test('tenant add with no credential and nothing piped in says which flags give one; a piped secret is still taken', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const args = ['tenant', 'add', 'contoso', '--tenant-id', ID, '--client-id', '11111111-2222-4333-8444-555555555555'];
    const none = await runCli(args, { dataDir: dir });
    assert.equal(none.code, 2, none.stderr);
    // It said "The client secret is empty. Give the secret value from the app registration".
    assert.match(none.stderr, /No credential given.*--secret-env VAR, --secret-file FILE, --secret-stdin/);
    const piped = await runCli(args, { dataDir: dir, input: 's3cret\n' });
    assert.equal(piped.code, 0, piped.stderr);
  } finally {
    cleanup();
  }
});

test('tenant list --format csv opens safely in Excel: a byte order mark, then the header and a row per tenant', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const args = ['tenant', 'add', 'contoso', '--tenant-id', ID, '--client-id', '11111111-2222-4333-8444-555555555555'];
    assert.equal((await runCli(args, { dataDir: dir, input: 's3cret\n' })).code, 0);
    const list = await runCli(['tenant', 'list', '--format', 'csv'], { dataDir: dir });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^\uFEFFname,tenantId,cloud,auth,credential,management,publisherId\r\ncontoso,6f1c2b3a-/);
  } finally {
    cleanup();
  }
});
