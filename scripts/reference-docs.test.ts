import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { referenceDocs } from './reference-docs.js';

test('generated reference docs are current (run `npm run docs:reference` when this fails)', async () => {
  const root = resolve(import.meta.dirname, '..');
  for (const [path, content] of Object.entries(await referenceDocs())) {
    const file = resolve(root, path);
    assert.ok(existsSync(file), `${path} is missing`);
    assert.equal(readFileSync(file, 'utf8'), content, `${path} is stale`);
  }
});
