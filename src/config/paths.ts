import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where tenantwatch keeps its state: `--data DIR`, else $TENANTWATCH_HOME, else ~/.tenantwatch.
 * The database defaults to `sqlite:<data>/tenantwatch.sqlite`; `--db` (or $TENANTWATCH_DB) takes
 * `sqlite:PATH` or `postgres://…`. A relative PATH is read from the current directory, as every other
 * path a person types (`import FILE`, `--out`); `--data` only says where the default database lives.
 */
export interface Locations {
  dataDir: string;
  dbUrl: string;
  /** The key that encrypts tenant secrets at rest; kept apart from the database (0600 file). */
  secretKeyFile: string;
}

export function resolveLocations(
  opts: { data?: string; db?: string },
  env: NodeJS.ProcessEnv = process.env,
): Locations {
  const dataDir = resolve(opts.data ?? env.TENANTWATCH_HOME ?? join(homedir(), '.tenantwatch'));
  const dbUrl = normaliseDbUrl(opts.db || env.TENANTWATCH_DB || `sqlite:${join(dataDir, 'tenantwatch.sqlite')}`);
  const secretKeyFile = env.TENANTWATCH_KEY_FILE ?? join(dataDir, 'secret.key');
  return { dataDir, dbUrl, secretKeyFile };
}

function normaliseDbUrl(url: string): string {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return url;
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (path === ':memory:') return 'sqlite::memory:';
  return `sqlite:${resolve(path)}`;
}
