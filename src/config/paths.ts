import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppError } from '../core/errors.js';

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
  /** True when the person chose the folder or database (--data, --db or their variables), not the default. */
  explicit?: boolean;
}

export function resolveLocations(
  opts: { data?: string; db?: string },
  env: NodeJS.ProcessEnv = process.env,
): Locations {
  const data = opts.data ?? env.TENANTWATCH_HOME;
  // resolve('') is the current folder: `TENANTWATCH_HOME=$UNSET tenantwatch …` wrote the database and the secret
  // key wherever the command ran.
  if (data !== undefined && !data.trim())
    throw new AppError('USAGE', '--data (or TENANTWATCH_HOME) is empty', {
      hint: 'Give the folder to keep tenantwatch state in, or unset TENANTWATCH_HOME to use ~/.tenantwatch',
    });
  const dataDir = resolve(data ?? join(homedir(), '.tenantwatch'));
  const dbUrl = normaliseDbUrl(opts.db || env.TENANTWATCH_DB || `sqlite:${join(dataDir, 'tenantwatch.sqlite')}`);
  const secretKeyFile = env.TENANTWATCH_KEY_FILE ?? join(dataDir, 'secret.key');
  const explicit = Boolean(opts.data || env.TENANTWATCH_HOME || opts.db || env.TENANTWATCH_DB);
  return { dataDir, dbUrl, secretKeyFile, explicit };
}

function normaliseDbUrl(url: string): string {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return url;
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url)?.[1];
  if (scheme && scheme.toLowerCase() !== 'sqlite') {
    throw new AppError('USAGE', `--db ${scheme}: is not a database tenantwatch can use`, {
      hint: 'Give sqlite:PATH (one file) or postgres://user@host/db (several processes, one database)',
    });
  }
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (path === ':memory:') return 'sqlite::memory:';
  return `sqlite:${resolve(path)}`;
}
