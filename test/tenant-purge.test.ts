import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyLeaseKey } from '../src/collector/history-lease.js';
import { openStore } from '../src/store/open.js';
import { runCli } from './support/cli.js';
import { repoRoot, tempDir } from './support/paths.js';

/**
 * Issue 17 item 8: `tenant remove --purge` deletes a tenant's records (and its ledger) with a count and
 * a confirmation, in a real data folder as a person or a script runs it.
 */
const ID = '6f1c2b3a-0000-4000-8000-00000000abcd';
const recordLine = (i: number) =>
  JSON.stringify({ CreationTime: '2026-11-01T10:00:00', Id: `id-${i}`, Operation: 'FileAccessed', RecordType: 6 });

/** A data folder's CLI (a tenant secret in its environment), and contoso registered under ID. */
async function registeredCli(dir: string): Promise<(args: string[]) => ReturnType<typeof runCli>> {
  const cli = (args: string[]) => runCli(args, { dataDir: dir, env: { TW_TEST_SECRET: 's3cret' } });
  const add = ['--client-id', '11111111-2222-4333-8444-555555555555', '--secret-env', 'TW_TEST_SECRET'];
  assert.equal((await cli(['tenant', 'add', 'contoso', '--tenant-id', ID, ...add])).code, 0);
  return cli;
}

/** Contoso registered, with records 1–3 imported under it; returns the CLI and the file. */
async function contosoWithRecords(dir: string) {
  const cli = await registeredCli(dir);
  const file = join(dir, 'records.ndjson');
  writeFileSync(file, [1, 2, 3].map(recordLine).join('\n'));
  assert.equal((await cli(['import', file, '--tenant', 'contoso'])).code, 0);
  return { cli, file };
}

test('tenant remove --purge refuses without a terminal or --yes; with --yes it deletes only that tenant, with the count', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { cli, file } = await contosoWithRecords(dir);
    // One record the shipped rules alert on (a mailbox exported to PST), raised live by the import.
    const exported = join(dir, 'export.ndjson');
    writeFileSync(
      exported,
      JSON.stringify({
        CreationTime: '2026-11-01T11:00:00',
        Id: 'id-export',
        Operation: 'New-MailboxExportRequest',
        RecordType: 1,
        Workload: 'Exchange',
        UserId: 'admin@contoso.com',
      }),
    );
    assert.equal((await cli(['import', exported, '--tenant', 'contoso'])).code, 0);
    const alerts = async () => (await cli(['alerts', 'list', '--format', 'json'])).stdout;
    assert.match(await alerts(), /Mailbox exported to a PST file/, 'the import raised the alert');
    assert.equal((await cli(['import', file, '--tenant', 'other-label'])).code, 0);
    const stored = async () =>
      (await cli(['search', '--start', '2026-10-01', '--format', 'jsonl'])).stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { tenant: string }).tenant);

    const refused = await cli(['tenant', 'remove', 'contoso', '--purge']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /would delete 4 records of contoso \(6f1c2b3a-[^)]+\), its alerts and its collection ledger/,
    );
    assert.match(refused.stderr, /no terminal to confirm on.*Nothing was deleted.*--yes/s);

    const done = await cli(['tenant', 'remove', 'contoso', '--purge', '--yes']);
    assert.equal(done.code, 0, done.stderr);
    assert.match(
      done.stdout,
      /^removed contoso and deleted 4 records of contoso \(6f1c2b3a-[^)]+\), 1 alert, 0 ledger windows/,
    );
    assert.doesNotMatch(await alerts(), /Mailbox exported/, 'its alert went with its records');
    assert.deepEqual(
      await stored(),
      ['other-label', 'other-label', 'other-label'],
      'the other tenant keeps its records',
    );
  } finally {
    cleanup();
  }
});

/** The prompt needs a terminal: script(1) (util-linux) gives the command one and types the answer. */
test('on a terminal, --purge deletes only after the tenant name is typed', async (t) => {
  if (spawnSync('script', ['--version']).status !== 0) return t.skip('no script(1) to make a terminal');
  const { dir, cleanup } = tempDir();
  try {
    const env = { ...process.env, TENANTWATCH_HOME: dir, TENANTWATCH_DB: '', NO_COLOR: '1' };
    const file = join(dir, 'records.ndjson');
    writeFileSync(file, recordLine(1));
    const cli = `${process.execPath} --import tsx ${join(repoRoot, 'src', 'cli', 'main.ts')}`;
    const inTerminal = (args: string, answer: string) =>
      spawnSync('script', ['-qec', `${cli} ${args}`, '/dev/null'], {
        cwd: repoRoot,
        env,
        input: answer,
        encoding: 'utf8',
      });
    assert.equal(spawnSync('sh', ['-c', `${cli} import ${file} --tenant lab`], { cwd: repoRoot, env }).status, 0);
    const cancelled = inTerminal('tenant remove lab --purge', 'no\n');
    assert.match(
      cancelled.stdout,
      /This deletes 1 record of lab, its alerts and its collection ledger\. It cannot be undone\./,
    );
    assert.match(cancelled.stdout, /Nothing was deleted: the answer was not "lab"/);
    assert.equal(cancelled.status, 130);
    const confirmed = inTerminal('tenant remove lab --purge', 'lab\n');
    assert.match(confirmed.stdout, /deleted 1 record of lab, 0 alerts, 0 ledger windows/, confirmed.stdout);
    assert.equal(confirmed.status, 0);
  } finally {
    cleanup();
  }
});

test('tenant remove --purge refuses while a collect --history of the tenant holds its lease', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cli = await registeredCli(dir);
    // Another process's history run of the tenant, as its lease shows in the store.
    const store = await openStore(`sqlite:${join(dir, 'tenantwatch.sqlite')}`);
    try {
      assert.ok(await store.ledger.acquireLease(historyLeaseKey(ID), 'build-7:4242:0badcafe', Date.now() + 600_000, 0));
    } finally {
      await store.close();
    }
    const refused = await cli(['tenant', 'remove', 'contoso', '--purge', '--yes']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /A collector \(process 4242 on build-7\) is collecting the history of contoso \(6f1c2b3a-[^)]+\) right now.*nothing was deleted/,
    );
  } finally {
    cleanup();
  }
});

test('tenant remove --purge deletes the records an earlier version stored under the upper-case spelling of its GUID', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { cli } = await contosoWithRecords(dir);
    // A file whose OrganizationId was upper case, imported without --tenant by an earlier version (ADR 0039).
    const store = await openStore(`sqlite:${join(dir, 'tenantwatch.sqlite')}`);
    try {
      for await (const stored of store.records.search({ range: { start: 0, end: 8e12 } })) {
        await store.records.insert([{ ...stored, tenant: ID.toUpperCase(), id: 'id-earlier' }]);
        break;
      }
    } finally {
      await store.close();
    }
    const done = await cli(['tenant', 'remove', 'contoso', '--purge', '--yes']);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /^removed contoso and deleted 4 records of contoso \(6f1c2b3a-[^)]+\)/);
    const left = await cli(['search', '--start', '2026-10-01', '--format', 'jsonl']);
    assert.equal(left.stdout.trim(), '', 'no record of the tenant is left under any spelling');
  } finally {
    cleanup();
  }
});
