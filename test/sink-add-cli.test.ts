import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../src/store/open.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/paths.js';

test('sink add: an unused option and a missing token are refused; plain http off this machine is warned about', async () => {
  const { dir, cleanup } = tempDir('tw-sink-add-');
  try {
    const data = { dataDir: dir, env: { HEC_TOKEN: '00000000-0000-4000-8000-000000000000' } };
    const typo = await runCli(
      [
        'sink',
        'add',
        'siem',
        '--type',
        'splunk',
        '--url',
        'https://127.0.0.1:8088',
        '--token-env',
        'HEC_TOKEN',
        '--option',
        'idnex=o365',
      ],
      data,
    );
    assert.equal(typo.code, 2, typo.stderr);
    assert.match(typo.stderr, /Sink siem \(splunk\) does not use the option idnex \(idnex → index\?\)/);
    const tokenless = await runCli(
      ['sink', 'add', 'siem', '--type', 'splunk', '--url', 'https://127.0.0.1:8088'],
      data,
    );
    assert.equal(tokenless.code, 2, tokenless.stderr);
    assert.match(tokenless.stderr, /Sink siem has no HEC token/);
    const listed = await runCli(['sink', 'list', '--format', 'json'], data);
    assert.doesNotMatch(listed.stdout, /siem/, 'neither was stored');

    const remote = await runCli(
      ['sink', 'add', 'hook', '--type', 'webhook', '--url', 'http://soc.example.com/hook'],
      data,
    );
    assert.equal(remote.code, 0, remote.stderr);
    assert.match(remote.stdout, /added sink hook \(webhook, all alerts, secret none, URL stored encrypted\)/);
    assert.match(
      remote.stderr,
      /warning: sink hook sends over plain http to soc\.example\.com: the alerts cross the network unencrypted/,
    );
    const local = await runCli(['sink', 'add', 'local', '--type', 'webhook', '--url', 'http://127.0.0.1:9/hook'], data);
    assert.equal(local.code, 0, local.stderr);
    assert.doesNotMatch(local.stderr, /warning/);

    // An email sink signing in with STARTTLS turned off: its password may cross the network unencrypted.
    const mail = ['--type', 'email', '--option', 'to=soc@example.com', '--option', 'user=alerts@example.com'];
    const cleartext = await runCli(
      [
        'sink',
        'add',
        'mail',
        '--url',
        'smtp://mail.example.com:25',
        ...mail,
        '--option',
        'starttls=false',
        '--secret-env',
        'HEC_TOKEN',
      ],
      data,
    );
    assert.equal(cleartext.code, 0, cleartext.stderr);
    assert.match(
      cleartext.stderr,
      /warning: sink mail has STARTTLS turned off \(starttls=false\): should mail\.example\.com not offer it, its password and the alerts cross the network unencrypted/,
    );
    const required = await runCli(
      ['sink', 'add', 'mail2', '--url', 'smtp://mail.example.com:587', ...mail, '--secret-env', 'HEC_TOKEN'],
      data,
    );
    assert.equal(required.code, 0, required.stderr);
    assert.doesNotMatch(required.stderr, /warning/);
  } finally {
    cleanup();
  }
});

test('sink add says what search says of unknown filter values; replay refuses a reversed period', async () => {
  const { dir, cleanup } = tempDir('tw-sink-filter-');
  try {
    const data = { dataDir: dir };
    const file = `file://${dir}/out.ndjson`;
    const named = await runCli(['sink', 'add', 'f', '--type', 'file', '--url', file, '--record-type', 'Foo'], data);
    assert.equal(named.code, 2, named.stderr);
    assert.match(named.stderr, /The record type "Foo" is neither a record type name nor a number/);
    const odd = await runCli(
      [
        'sink',
        'add',
        'f',
        '--type',
        'file',
        '--url',
        file,
        '--record-type',
        '99999',
        '--workload',
        'Foo',
        '--operation',
        'NoSuchOperationEver',
      ],
      data,
    );
    assert.equal(odd.code, 0, odd.stderr);
    assert.match(
      odd.stderr,
      /warning: sink f --record-type: 99999 is not a record type Microsoft 365 is known to send/,
    );
    assert.match(odd.stderr, /warning: sink f --workload: "Foo" is not a workload Microsoft 365 records/);
    assert.match(
      odd.stderr,
      /warning: sink f --operation: no stored record has the operation "NoSuchOperationEver", and Microsoft 365 does not list it/,
    );
    const plain = await runCli(['sink', 'add', 'g', '--type', 'file', '--url', file, '--record-type', '6'], data);
    assert.equal(plain.code, 0, plain.stderr);
    assert.doesNotMatch(plain.stderr, /warning/);

    const reversed = await runCli(['sink', 'replay', 'f', '--since', '2030-01-01', '--until', '2020-01-01'], data);
    assert.equal(reversed.code, 2, reversed.stderr);
    assert.match(
      reversed.stderr,
      /--since \(2030-01-01T00:00:00\.000Z\) is not before --until \(2020-01-01T00:00:00\.000Z\)/,
    );
    assert.doesNotMatch(reversed.stdout, /replayed/);
  } finally {
    cleanup();
  }
});

test('sink list never shows a webhook path, a query value or a URL password; a password in --url is refused', async () => {
  const { dir, cleanup } = tempDir('tw-sink-url-');
  try {
    const data = { dataDir: dir, env: { ES_PASS: 'elastic:changeme' } };
    const slack = await runCli(
      ['sink', 'add', 's', '--type', 'webhook', '--url', 'https://hooks.slack.com/services/T000/B000/XXXX'],
      data,
    );
    assert.equal(slack.code, 0, slack.stderr);
    const token = await runCli(
      ['sink', 'add', 't', '--type', 'webhook', '--url', 'http://127.0.0.1:18910/hook?token=abc'],
      data,
    );
    assert.equal(token.code, 0, token.stderr);
    for (const format of ['table', 'json']) {
      const listed = await runCli(['sink', 'list', '--format', format], data);
      assert.equal(listed.code, 0, listed.stderr);
      assert.doesNotMatch(listed.stdout, /T000|B000|XXXX|token=abc/, format);
      assert.match(listed.stdout, /https:\/\/hooks\.slack\.com\/\*\*\*/, format);
      assert.match(listed.stdout, /http:\/\/127\.0\.0\.1:18910\/\*\*\*\?token=\*\*\*/, format);
    }
    const userinfo = await runCli(
      [
        'sink',
        'add',
        'es',
        '--type',
        'elastic',
        '--url',
        'https://elastic:changeme@127.0.0.1:9200',
        '--secret-env',
        'ES_PASS',
      ],
      data,
    );
    assert.equal(userinfo.code, 2, userinfo.stderr);
    assert.match(userinfo.stderr, /The --url of sink es holds a password \(user:password@host\)/);
    assert.doesNotMatch(userinfo.stderr + userinfo.stdout, /changeme/);
  } finally {
    cleanup();
  }
});

test('a webhook URL that carries its credential is stored masked and sealed; the receiver still gets the whole URL', async () => {
  const { dir, cleanup } = tempDir('tw-sink-seal-');
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const data = { dataDir: dir };
    const url = `http://127.0.0.1:${port}/services/T0SEALED/B0SEALED/XXsecretXXsecret?token=tokenvalue123`;
    const added = await runCli(['sink', 'add', 'slack', '--type', 'webhook', '--url', url], data);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /URL stored encrypted/);
    const tested = await runCli(['sink', 'test', 'slack'], data);
    assert.equal(tested.code, 0, tested.stderr);
    assert.deepEqual(paths, ['/services/T0SEALED/B0SEALED/XXsecretXXsecret?token=tokenvalue123']);
    const db = new Database(join(dir, 'tenantwatch.sqlite'), { readonly: true });
    try {
      const stored = JSON.stringify(db.prepare('SELECT * FROM sinks').all());
      assert.doesNotMatch(stored, /SEALED|XXsecret|tokenvalue/, 'no credential part in clear in the database');
      assert.match(stored, /enc:v1:/);
    } finally {
      db.close();
    }
  } finally {
    server.close();
    cleanup();
  }
});

test('a filter chooses records: an alerts-only sink with one is refused, naming the route; both says alerts are routed', async () => {
  const { dir, cleanup } = tempDir('tw-sink-alert-filter-');
  try {
    const data = { dataDir: dir, env: { HEC_TOKEN: '00000000-0000-4000-8000-000000000000' } };
    // It said "added sink desk (webhook, alerts with workload=Exchange …)" and sent every alert there.
    const alerts = await runCli(
      ['sink', 'add', 'desk', '--type', 'webhook', '--url', 'http://127.0.0.1:9/hook', '--workload', 'Exchange'],
      data,
    );
    assert.equal(alerts.code, 2, alerts.stderr);
    assert.match(
      alerts.stderr,
      /Sink desk takes alerts, and --tenant, --record-type, --workload and --operation choose records/,
    );
    assert.match(alerts.stderr, /routes of alerting\.yaml/);
    const both = await runCli(
      [
        'sink',
        'add',
        'siem',
        '--type',
        'splunk',
        '--url',
        'https://127.0.0.1:8088',
        '--token-env',
        'HEC_TOKEN',
        '--takes',
        'both',
        '--workload',
        'Exchange',
      ],
      data,
    );
    assert.equal(both.code, 0, both.stderr);
    assert.match(both.stdout, /added sink siem \(splunk, records with workload=Exchange, and alerts as routed,/);
    const hook = await runCli(['sink', 'add', 'hook', '--type', 'webhook', '--url', 'http://127.0.0.1:9/hook'], data);
    assert.equal(hook.code, 0, hook.stderr);
    const listed = await runCli(['sink', 'list', '--format', 'json'], data);
    const sinks = (JSON.parse(listed.stdout) as { sinks: { name: string; filter: string }[] }).sinks;
    assert.equal(sinks.find((s) => s.name === 'hook')?.filter, 'alerts as routed');
  } finally {
    cleanup();
  }
});

test('sink status shows no record lag for a sink that takes only alerts', async () => {
  const { dir, cleanup } = tempDir('tw-sink-status-');
  try {
    const data = { dataDir: dir, env: { HEC_TOKEN: '00000000-0000-4000-8000-000000000000' } };
    const file = join(dir, 'records.ndjson');
    const at = new Date(Date.now() - 3_600_000).toISOString().slice(0, 19);
    writeFileSync(
      file,
      [1, 2]
        .map((i) =>
          JSON.stringify({
            Id: `00000000-0000-4000-8000-00000000000${i}`,
            RecordType: 6,
            CreationTime: at,
            Operation: 'FileAccessed',
            OrganizationId: 'contoso',
            UserId: 'alice@contoso.com',
            Workload: 'SharePoint',
          }),
        )
        .join('\n'),
    );
    assert.equal((await runCli(['import', file, '--tenant', 'contoso'], data)).code, 0);
    // A cursor an older version left behind a removed sink of the name: a new sink starts from the start anyway.
    const store = await openStore(`sqlite:${join(dir, 'tenantwatch.sqlite')}`);
    await store.cursors.set('sink:siem', await store.records.tailEnd(), Date.now());
    await store.close();
    for (const args of [
      ['desk', '--type', 'webhook', '--url', 'http://127.0.0.1:9/hook', '--from', 'start'],
      ['siem', '--type', 'splunk', '--url', 'https://127.0.0.1:8088', '--token-env', 'HEC_TOKEN', '--from', 'start'],
    ]) {
      const added = await runCli(['sink', 'add', ...args], data);
      assert.equal(added.code, 0, added.stderr);
    }
    const status = await runCli(['sink', 'status', '--format', 'json'], data);
    const sinks = (JSON.parse(status.stdout) as { sinks: { name: string; takes: string; lagRecords: number }[] }).sinks;
    assert.deepEqual(
      sinks.map((s) => [s.name, s.takes, s.lagRecords]),
      [
        ['desk', 'alerts', 0],
        ['siem', 'records', 2],
      ],
    );
  } finally {
    cleanup();
  }
});

test('sink replay takes --start and --end as search, report and detect do; --since and --until still work', async () => {
  const { dir, cleanup } = tempDir('tw-sink-replay-');
  try {
    const data = { dataDir: dir };
    const added = await runCli(['sink', 'add', 'f', '--type', 'file', '--url', `file://${dir}/out.ndjson`], data);
    assert.equal(added.code, 0, added.stderr);
    // "--start 7d" said only: required option '--since <time>' not specified.
    const period = await runCli(['sink', 'replay', 'f', '--start', '2020-01-01', '--end', '2020-01-02'], data);
    assert.equal(period.code, 0, period.stderr);
    assert.match(period.stdout, /^replayed 0 records to f/);
    const reversed = await runCli(['sink', 'replay', 'f', '--start', '2030-01-01', '--end', '2020-01-01'], data);
    assert.equal(reversed.code, 2, reversed.stderr);
    assert.match(
      reversed.stderr,
      /--start \(2030-01-01T00:00:00\.000Z\) is not before --end \(2020-01-01T00:00:00\.000Z\)/,
    );
    const none = await runCli(['sink', 'replay', 'f'], data);
    assert.equal(none.code, 2, none.stderr);
    assert.match(
      none.stderr,
      /sink replay needs --start \(or --since\): .*e\.g\. tenantwatch sink replay f --start 24h/,
    );
    const both = await runCli(['sink', 'replay', 'f', '--start', '1d', '--since', '2d'], data);
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /--start and --since are the same option/);
  } finally {
    cleanup();
  }
});
