import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from './support/cli.js';
import { repoRoot, tempDir } from './support/paths.js';

/** The CLI at its edges, as a newcomer meets them: impossible folders, unknown databases, a closed pipe. */
let data: { dir: string; cleanup: () => void };
before(() => (data = tempDir('tw-cli-edges-')));
after(() => data?.cleanup());

test('--data on a path that cannot exist fails at once with the cause (it spun at 100% CPU under /proc)', async () => {
  const started = Date.now();
  const res = await runCli(['--data', '/proc/tenantwatch-data', 'tenant', 'list'], {
    dataDir: data.dir,
    timeoutMs: 30_000,
  });
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stderr, /^tenantwatch: Cannot create the folder \/proc\/tenantwatch-data: .*Choose a folder/m);
  assert.ok(Date.now() - started < 25_000, 'it did not hang');
  const file = await runCli(['--data', '/dev/null/x', 'tenant', 'list'], { dataDir: data.dir });
  assert.equal(file.code, 1);
  assert.match(file.stderr, /\/dev\/null exists and is not a folder/);
});

test("--rejects and --log-file under /proc fail at once with the cause (Node's recursive mkdir spun there forever)", async () => {
  const file = join(data.dir, 'one-bad-line.ndjson');
  writeFileSync(file, '{"broken\n');
  const started = Date.now();
  const rejects = await runCli(['import', file, '--tenant', 'contoso', '--rejects', '/proc/nope/x.ndjson'], {
    dataDir: data.dir,
    timeoutMs: 20_000,
  });
  assert.equal(rejects.code, 1, rejects.stderr);
  assert.match(rejects.stderr, /Cannot create the folder \/proc\/nope: .*Give --rejects a file/);
  const log = await runCli(['--log-file', '/proc/nope/x.log', 'tenant', 'list'], {
    dataDir: data.dir,
    timeoutMs: 20_000,
  });
  assert.equal(log.code, 1, log.stderr);
  assert.match(log.stderr, /^tenantwatch: Cannot create the folder \/proc\/nope: .*Give --log-file a file/m);
  assert.ok(Date.now() - started < 30_000, 'neither hung');
});

test('--db with an unknown scheme is refused by name, in one line', async () => {
  const res = await runCli(['--db', 'mysql://root@127.0.0.1/audit', 'tenant', 'list'], { dataDir: data.dir });
  assert.equal(res.code, 2, res.stderr);
  assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
  assert.match(res.stderr, /--db mysql: is not a database tenantwatch can use\. Give sqlite:PATH .* or postgres:\/\//);
});

test('a reading command pointed by --db at a file that is not there is refused, and makes no database there', async () => {
  const typo = join(data.dir, 'tenantwatch.sqlit');
  const commands = [
    ['search', '--start', '7d'],
    ['report', 'admin-activity', '--start', '7d'],
    ['coverage'],
    ['tenant', 'list'],
    ['alerts', 'list'],
    ['sink', 'list'],
    ['retention', 'show'],
  ];
  const results = await Promise.all(commands.map((args) => runCli(['--db', typo, ...args], { dataDir: data.dir })));
  results.forEach((res, i) => {
    const what = commands[i]!.join(' ');
    assert.equal(res.code, 1, `${what}: ${res.stderr}`);
    assert.match(
      res.stderr,
      /^tenantwatch: There is no tenantwatch database at .*tenantwatch\.sqlit \(--db or TENANTWATCH_DB\)\. Check the path/m,
      what,
    );
  });
  assert.equal(existsSync(typo), false, 'no database was made at the mistyped path');
  const viaEnv = await runCli(['coverage'], { dataDir: data.dir, env: { TENANTWATCH_DB: `sqlite:${typo}` } });
  assert.equal(viaEnv.code, 1, viaEnv.stderr);
  assert.equal(existsSync(typo), false);
});

test('a new SQLite database, and its log, are readable by their owner only (records, password hashes, credentials)', async () => {
  const db = join(data.dir, 'private', 'new.sqlite');
  const file = join(data.dir, 'one.ndjson');
  writeFileSync(
    file,
    '{"CreationTime":"2026-11-01T10:00:00","Id":"7f0d2f6e-7c1b-4b0c-9a57-1d2f1d6d0a01","Operation":"FileAccessed","RecordType":6,"UserId":"ann@contoso.com","Workload":"SharePoint"}\n',
  );
  const res = await runCli(['--db', db, 'import', file, '--tenant', 'contoso'], {
    dataDir: join(data.dir, 'private'),
  });
  assert.equal(res.code, 0, res.stderr);
  assert.equal(statSync(db).mode & 0o777, 0o600);
  for (const beside of [`${db}-wal`, `${db}-shm`])
    if (existsSync(beside)) assert.equal(statSync(beside).mode & 0o777, 0o600, beside);
  const read = await runCli(['--db', db, 'search', '--start', '2026-10-01', '--format', 'jsonl'], {
    dataDir: data.dir,
  });
  assert.equal(read.code, 0, read.stderr);
  assert.equal(read.stdout.trim().split('\n').length, 1, 'the database made by import is read');
});

test('`coverage | true` (a reader that left) ends quietly: no EPIPE stack trace', async () => {
  await runCli(['tenant', 'list'], { dataDir: data.dir });
  const main = join(repoRoot, 'src', 'cli', 'main.ts');
  const shell = `"${process.execPath}" --import tsx "${main}" coverage | true; echo "status \${PIPESTATUS[0]}"`;
  const result = await new Promise<{ out: string; err: string }>((resolve) => {
    const child = spawn('bash', ['-c', shell], {
      cwd: repoRoot,
      env: { ...process.env, TENANTWATCH_HOME: data.dir, TENANTWATCH_DB: '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', () => resolve({ out, err }));
  });
  assert.doesNotMatch(result.err, /EPIPE|Unhandled|at /, result.err);
  assert.match(result.out, /status 0/);
});

test('collect names a bad flag before anything else: --via bogus is a usage error, not "no tenant registered"', async () => {
  const res = await runCli(['collect', '--history', '30d', '--via', 'bogus'], { dataDir: data.dir });
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /--via "bogus" is not a history source/);
  assert.doesNotMatch(res.stderr, /No tenant/);
});

test('collect names any bad flag before anything else, with or without --history', async () => {
  for (const args of [
    ['collect', '--via', 'graph'],
    ['collect', '--since', '5x'],
    ['collect', '--history', '30d', '--concurrency', '0'],
  ]) {
    const res = await runCli(args, { dataDir: data.dir });
    assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
    assert.doesNotMatch(res.stderr, /No tenant/);
  }
});
