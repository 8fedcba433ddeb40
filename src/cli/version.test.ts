import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../test/support/cli.js';
import { repoRoot, tempDir } from '../../test/support/paths.js';

const ours = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

test("--version prints tenantwatch's own version, not the npm_package_version of the script that runs it", async () => {
  const { dir, cleanup } = tempDir();
  try {
    // As under `npm run` in another project: npm sets npm_package_version to that project's version.
    const res = await runCli(['--version'], { dataDir: dir, env: { npm_package_version: '9.9.9-other-project' } });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), ours);
  } finally {
    cleanup();
  }
});
