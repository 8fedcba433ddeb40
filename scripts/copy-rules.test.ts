import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../test/support/paths.js';

test('the build copies the rule pack (YAML only) beside the compiled loader', () => {
  const { dir, cleanup } = tempDir();
  try {
    const out = join(dir, 'rules');
    const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'copy-rules.mjs'), '--out', out], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const files = readdirSync(out, { recursive: true }).map(String);
    assert.ok(files.includes(join('exchange', 'inbox-rule-forwards-outside.yml')));
    assert.ok(!files.some((f) => f.endsWith('.ts')));
  } finally {
    cleanup();
  }
});
