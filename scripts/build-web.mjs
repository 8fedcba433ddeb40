#!/usr/bin/env node
// Builds the web console with Vite when it exists; `npm install` runs this through `prepare`.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
if (!existsSync(resolve(root, 'web', 'index.html'))) {
  console.log('build-web: no web/index.html yet, nothing to build');
  process.exit(0);
}
const vite = resolve(root, 'node_modules', 'vite', 'bin', 'vite.js');
const res = spawnSync(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(res.status ?? 1);
