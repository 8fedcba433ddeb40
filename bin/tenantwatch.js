#!/usr/bin/env node
// The installed entry point runs the compiled CLI (npm install builds it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(compiled)) {
  process.stderr.write(
    'tenantwatch: the compiled CLI is missing (dist/). Run `npm install` (or `npm run build`) in the project folder first.\n',
  );
  process.exit(1);
}
const { main } = await import(compiled);
process.exitCode = await main(process.argv);
