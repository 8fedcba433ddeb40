#!/usr/bin/env node
// Checks the dependency rules of DESIGN.md (.dependency-cruiser.cjs) over the folders that exist.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dirs = ['src', 'emulator', 'web/src', 'test', 'bench'].filter((d) => existsSync(resolve(root, d)));
const bin = resolve(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const res = spawnSync(process.execPath, [bin, ...dirs, '--config', '.dependency-cruiser.cjs'], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(res.status ?? 1);
