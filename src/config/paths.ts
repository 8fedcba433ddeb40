import { mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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
  const dataDir = resolve(opts.data ?? env.TENANTWATCH_HOME ?? join(homedir(), '.tenantwatch'));
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

/**
 * Creates a folder and its missing parents, one level at a time, with a message that names the cause when it
 * cannot. Node's own recursive mkdir never returns for a path under /proc (it retries the parent forever at
 * 100% CPU, deaf to SIGTERM): a `--data /proc/x` typo must fail at once instead.
 */
export function ensureFolder(dir: string, mode = 0o700): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    const kind = statKind(at);
    if (kind === 'dir') break;
    if (kind === 'other') {
      throw new AppError('FILE_UNREADABLE', `${at} exists and is not a folder, so ${dir} cannot be created`, {
        hint: 'Choose another folder with --data (or TENANTWATCH_HOME)',
      });
    }
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, { mode });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statKind(folder) === 'dir') continue;
      const why =
        code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EROFS'
            ? 'the file system is read-only'
            : code === 'ENOENT'
              ? 'its parent does not accept new folders'
              : (code ?? String(e));
      throw new AppError('FILE_UNREADABLE', `Cannot create the folder ${folder}: ${why}`, {
        hint: 'Choose a folder you can write to with --data (or TENANTWATCH_HOME)',
      });
    }
  }
}

function statKind(path: string): 'dir' | 'other' | 'none' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'other';
  } catch {
    return 'none';
  }
}
