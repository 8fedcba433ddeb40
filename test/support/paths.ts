import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root, whatever the depth of the test file. */
export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** The shared corpus beside the checkout (never copied into the project). */
export const corpusDir = resolve(repoRoot, '..', 'shared', 'corpus');
export const corpusAvailable = existsSync(corpusDir);
/** Reason to give `test(name, { skip })` when the corpus is absent. */
export const corpusSkip = corpusAvailable ? false : `../shared/corpus is not present beside ${repoRoot}`;

/** The PostgreSQL URL tests may use, or a skip reason. */
export const pgUrl = process.env.TENANTWATCH_TEST_PG ?? null;
export const pgSkip = pgUrl ? false : 'TENANTWATCH_TEST_PG is not set: PostgreSQL tests skipped';

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix = 'tw-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
