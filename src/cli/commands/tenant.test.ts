import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
      (JSON.parse(list.stdout) as { tenants: { name: string }[] }).tenants.map((t) => t.name),
      ['contoso'],
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

test('tenant list prints as every listing: csv opens safely in Excel, json counts, the table has a rule and a footer', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const args = ['tenant', 'add', 'contoso', '--tenant-id', ID, '--client-id', '11111111-2222-4333-8444-555555555555'];
    const domain = ['--domain', 'contoso.onmicrosoft.com'];
    assert.equal((await runCli([...args, ...domain], { dataDir: dir, input: 's3cret\n' })).code, 0);
    const [csv, json, table] = await Promise.all(
      ['csv', 'json', 'table'].map((format) => runCli(['tenant', 'list', '--format', format], { dataDir: dir })),
    );
    assert.equal(csv!.code, 0, csv!.stderr);
    // The tenant's domain is in every format (the table and CSV had none).
    assert.match(
      csv!.stdout,
      /^\uFEFFname,tenantId,domain,cloud,auth,credential,management,publisherId\r\ncontoso,6f1c2b3a-[^,]+,contoso\.onmicrosoft\.com,/,
    );
    // It was a bare array, where sinks, users, alerts … print {"count": N, "<things>": [...]}.
    const parsed = JSON.parse(json!.stdout) as { count: number; tenants: Record<string, unknown>[] };
    assert.equal(parsed.count, 1);
    assert.equal(parsed.tenants[0]!.name, 'contoso');
    assert.equal(parsed.tenants[0]!.clientId, '11111111-2222-4333-8444-555555555555', 'every public field, as before');
    assert.equal(JSON.stringify(parsed).includes('s3cret'), false);
    const lines = table!.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^name\s+tenantId\s+domain\s+cloud/);
    assert.match(lines[1]!, /^-+ +-+/, 'a rule under the header');
    assert.match(lines[2]!, /^contoso\s+6f1c2b3a-\S+\s+contoso\.onmicrosoft\.com\s/);
    assert.equal(parsed.tenants[0]!.domain, 'contoso.onmicrosoft.com');
    assert.equal(lines[3], '1 tenant');
  } finally {
    cleanup();
  }
});

test('tenant add and sink add refuse a --ca-file that is not a readable PEM certificate, instead of failing at collect', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const notPem = join(dir, 'ca.txt');
    writeFileSync(notPem, 'not a certificate\n');
    const env = { TW_TEST_SECRET: 's3cret' };
    for (const ca of ['/nonexistent/ca.pem', notPem]) {
      const tenant = await runCli(
        [
          'tenant',
          'add',
          'contoso',
          '--tenant-id',
          ID,
          '--client-id',
          '11111111-2222-4333-8444-555555555555',
          '--secret-env',
          'TW_TEST_SECRET',
          '--ca-file',
          ca,
        ],
        { dataDir: dir, env },
      );
      assert.equal(tenant.code, 2, tenant.stderr);
      assert.match(tenant.stderr, /The CA file .* is not a readable PEM certificate\. Give --ca-file the path of/);
      const sink = await runCli(
        ['sink', 'add', 'siem', '--type', 'syslog', '--url', 'tls://127.0.0.1:6514', '--ca-file', ca],
        { dataDir: dir },
      );
      assert.equal(sink.code, 2, sink.stderr);
      assert.match(sink.stderr, /The CA file .* is not a readable PEM certificate\. Give --ca-file the path of/);
    }
    const list = await runCli(['tenant', 'list', '--format', 'json'], { dataDir: dir });
    assert.equal((JSON.parse(list.stdout) as { count: number }).count, 0, 'nothing was registered');
  } finally {
    cleanup();
  }
});

test('--key or --pfx-password-env without --certificate, or a PFX password variable not set, is refused, not ignored', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const args = ['tenant', 'add', 'contoso', '--tenant-id', ID, '--client-id', '11111111-2222-4333-8444-555555555555'];
    const env = { TW_TEST_SECRET: 's3cret' };
    // The tenant was registered with the secret, and the key meant for a certificate was dropped without a word.
    const key = await runCli([...args, '--secret-env', 'TW_TEST_SECRET', '--key', 'app.key'], { dataDir: dir, env });
    assert.equal(key.code, 2, key.stderr);
    assert.match(key.stderr, /--key goes with --certificate/);
    const pfx = await runCli([...args, '--certificate', 'app.pfx', '--pfx-password-env', 'TW_NOT_SET'], {
      dataDir: dir,
      env,
    });
    assert.equal(pfx.code, 1, pfx.stderr);
    assert.match(pfx.stderr, /The environment variable TW_NOT_SET is not set/);
  } finally {
    cleanup();
  }
});
