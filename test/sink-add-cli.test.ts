import assert from 'node:assert/strict';
import { test } from 'node:test';
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
    assert.equal(typo.code, 1, typo.stderr);
    assert.match(typo.stderr, /Sink siem \(splunk\) does not use the option idnex \(idnex → index\?\)/);
    const tokenless = await runCli(
      ['sink', 'add', 'siem', '--type', 'splunk', '--url', 'https://127.0.0.1:8088'],
      data,
    );
    assert.notEqual(tokenless.code, 0);
    assert.match(tokenless.stderr, /Sink siem has no HEC token/);
    const listed = await runCli(['sink', 'list', '--format', 'json'], data);
    assert.doesNotMatch(listed.stdout, /siem/, 'neither was stored');

    const remote = await runCli(
      ['sink', 'add', 'hook', '--type', 'webhook', '--url', 'http://soc.example.com/hook'],
      data,
    );
    assert.equal(remote.code, 0, remote.stderr);
    assert.match(remote.stdout, /added sink hook \(webhook, all alerts, secret none\)/);
    assert.match(
      remote.stderr,
      /warning: sink hook sends over plain http to soc\.example\.com: the alerts cross the network unencrypted/,
    );
    const local = await runCli(['sink', 'add', 'local', '--type', 'webhook', '--url', 'http://127.0.0.1:9/hook'], data);
    assert.equal(local.code, 0, local.stderr);
    assert.doesNotMatch(local.stderr, /warning/);
  } finally {
    cleanup();
  }
});
