import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from './support/cli.js';
import { tempDir } from './support/paths.js';

/**
 * Coverage proves completeness only for what `collect` fetched (windows, blobs, checkpoints). With only
 * imported records and no registered tenant the ledger is empty, and "no gaps" over it read as complete.
 */
test('coverage over imported records only says there is nothing collected to judge, not "no gaps"', async () => {
  const data = tempDir('tw-cov-empty-');
  try {
    const file = join(data.dir, 'records.jsonl');
    const record = {
      Id: '5f1c7a52-0f7b-4d55-9c1e-1a2b3c4d5e6f',
      CreationTime: '2026-11-30T09:00:00',
      Operation: 'FileAccessed',
      OrganizationId: '3509e8a3-4d87-4795-8f58-150ac9ed451b',
      RecordType: 6,
      UserId: 'adele@contoso.onmicrosoft.com',
      Workload: 'SharePoint',
    };
    writeFileSync(file, `${JSON.stringify(record)}\n`);
    const imported = await runCli(['import', file], { dataDir: data.dir });
    assert.equal(imported.code, 0, imported.stderr);
    for (const args of [[], ['--gaps']]) {
      const r = await runCli(['coverage', ...args], { dataDir: data.dir });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /no gaps/, `coverage ${args.join(' ')}`);
      assert.match(r.stdout, /nothing collected to judge: no registered tenant/);
      assert.match(r.stdout, /imported records carry no proof of completeness/);
    }
  } finally {
    data.cleanup();
  }
});
