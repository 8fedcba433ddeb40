import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * tenantwatch's own version, from its package.json, found by walking up from this file so it works from source
 * (tsx) and from the compiled dist/ alike. Not npm_package_version: npm sets that to the version of whatever
 * package's script is running, so `--version` under another project's `npm run` printed that project's version
 * (and without npm, a fixed "0.1.0" whatever was installed).
 */
export function packageVersion(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (let i = 0; i < 8; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'tenantwatch' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // not ours, or unreadable: keep walking up
      }
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
