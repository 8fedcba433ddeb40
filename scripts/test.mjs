#!/usr/bin/env node
// Runs the project's tests with node's own test runner (through tsx, so no build is needed).
//   npm test                     unit, module and end-to-end tests (no corpus, no browser)
//   npm test -- --only corpus    tests over ../shared/corpus   (*.corpus.test.ts)
//   npm test -- --only browser   tests in headless Chromium    (*.browser.test.ts)
//   npm test -- --only fast      the fast tier (npm run test:unit): tests beside the code in src/,
//                                emulator/, web/src and scripts/, except files marked `// test-tier: slow`
//   npm test -- src/ingest       only the test files under the given paths
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { availableParallelism } from 'node:os';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
let only = 'unit';
const paths = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--only') only = args[++i];
  else paths.push(args[i]);
}
const kinds = {
  unit: (f) => !f.endsWith('.corpus.test.ts') && !f.endsWith('.browser.test.ts'),
  corpus: (f) => f.endsWith('.corpus.test.ts'),
  browser: (f) => f.endsWith('.browser.test.ts'),
  fast: (f) =>
    !f.endsWith('.corpus.test.ts') &&
    !f.endsWith('.browser.test.ts') &&
    !/^(test|bench)\//.test(relative(root, f)) &&
    !/^\/\/ test-tier: slow/m.test(readFileSync(f, 'utf8').slice(0, 2000)),
};
if (!kinds[only]) {
  console.error(`test.mjs: --only takes unit, fast, corpus or browser, not "${only}"`);
  process.exit(2);
}

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const roots = paths.length
  ? paths.map((p) => resolve(p))
  : ['src', 'emulator', 'test', 'web/src', 'bench', 'scripts'].map((d) => join(root, d));
const files = roots
  .filter((r) => existsSync(r))
  .flatMap((r) => (statSync(r).isDirectory() ? walk(r, []) : [r]))
  .filter(kinds[only])
  .map((f) => relative(root, f))
  .sort();

if (only === 'corpus' && !existsSync(join(root, '..', 'shared', 'corpus'))) {
  console.log('SKIPPED: corpus tests need ../shared/corpus, which is not present beside this checkout.');
  console.log('0 passed, 0 failed, ' + files.length + ' skipped');
  process.exit(0);
}
if (files.length === 0) {
  console.error(`test.mjs: no ${only} test files found`);
  process.exit(1);
}
if (process.env.TENANTWATCH_TEST_PG && only !== 'corpus') {
  // Schemas a killed test run left behind (scripts/stale-schemas.mjs); a failure here never stops the run.
  try {
    const { dropStaleSchemas } = await import('./stale-schemas.mjs');
    const dropped = await dropStaleSchemas(process.env.TENANTWATCH_TEST_PG);
    if (dropped.length) console.log(`test.mjs: dropped ${dropped.length} schemas that stopped test runs left behind`);
  } catch (error) {
    console.warn(`test.mjs: could not look for schemas stopped test runs left behind: ${error.message}`);
  }
}
const concurrency = Math.max(2, availableParallelism());
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TENANTWATCH_TEST: '1' } },
);
process.exit(res.status ?? 1);
