#!/usr/bin/env node
// Copies the shipped Sigma rule pack (src/detections/rules/**/*.yml) next to the compiled loader
// (dist/src/detections/rules), where loader.ts's builtinRulesDir() finds it: tsc copies no YAML.
//   node scripts/copy-rules.mjs [--out DIR]     DIR defaults to dist/src/detections/rules
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const from = join(root, 'src', 'detections', 'rules');
const at = process.argv.indexOf('--out');
const to = at > 0 ? resolve(process.argv[at + 1]) : join(root, 'dist', 'src', 'detections', 'rules');
if (!existsSync(from)) {
  console.error(`copy-rules: ${from} does not exist`);
  process.exit(1);
}
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true, filter: (src) => !/\.ts$/.test(src) });
console.log(`copy-rules: rule pack copied to ${to}`);
