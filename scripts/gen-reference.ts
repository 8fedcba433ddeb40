/**
 * Writes the reference docs that are produced from code (docs/reference/*). `npm run docs:reference`
 * regenerates them; a test fails when a committed file is not what the code produces.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { referenceDocs } from './reference-docs.js';

const root = resolve(import.meta.dirname, '..');
for (const [path, content] of Object.entries(await referenceDocs())) {
  writeFileSync(resolve(root, path), content);
  console.log(`wrote ${path}`);
}
