import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../../test/support/cli.js';
import { tempDir } from '../../../test/support/paths.js';
import { parseFlags } from './report.js';

test('report with its options before the id runs that report (it said "Unexpected argument" to the id)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const [csv, typo, stray] = await Promise.all(
      [
        ['report', '--format', 'csv', 'sign-ins', '--start', '7d'],
        ['report', '--start', '7d', 'sign-inz'],
        ['report', '--format', 'csv', 'sign-ins', 'extra'],
      ].map((args) => runCli(args, { dataDir: dir })),
    );
    assert.equal(csv!.code, 0, csv!.stderr);
    assert.match(csv!.stdout, /^\uFEFFtenant,tenantName,kind,user,clientIp,/);
    assert.equal(typo!.code, 2, typo!.stderr);
    assert.match(typo!.stderr, /There is no report "sign-inz"\. Reports: admin-activity, /);
    // One id: a second bare word is still not a parameter.
    assert.equal(stray!.code, 2, stray!.stderr);
    assert.match(stray!.stderr, /Unexpected argument "extra"\. Give report parameters as --name value/);
  } finally {
    cleanup();
  }
});

test('parseFlags takes the first bare word as the id only when asked: a value after a flag is the flag’s', () => {
  assert.deepEqual(parseFlags(['--user', 'sign-ins', 'inbox-rules', '--format', 'json'], true), {
    params: { user: 'sign-ins' },
    format: 'json',
    id: 'inbox-rules',
  });
  assert.deepEqual(parseFlags(['--format', 'csv'], true), { params: {}, format: 'csv' });
});
