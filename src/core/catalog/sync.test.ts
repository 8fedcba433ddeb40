import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '../../../test/support/paths.js';

const specDir = resolve(repoRoot, '..', 'shared', 'spec', 'schema');

test(
  'generated catalogue data is current with ../shared/spec/schema',
  { skip: existsSync(specDir) ? false : `${specDir} is absent` },
  () => {
    const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'sync-schema.mjs'), '--check'], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, `${run.stderr}${run.stdout}`);
  },
);
