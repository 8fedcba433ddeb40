import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AppError } from '../core/errors.js';

export interface FolderOptions {
  /** Mode of the folders created (the umask still applies); default 0700, tenantwatch's own state. */
  mode?: number;
  /** What to do when the folder cannot be made: names the flag or setting that chose the path. */
  hint?: string;
}

const DATA_HINT = 'Choose a folder you can write to with --data (or TENANTWATCH_HOME)';

/**
 * Creates a folder and its missing parents, one level at a time, with a message that names the cause when it
 * cannot. The one way tenantwatch makes a folder for a path a person gave (--data, --rejects, --log-file, a
 * file sink): Node's own recursive mkdir (and pino's `mkdir: true`, which uses it) never returns for a path
 * under /proc — it retries the parent forever at 100% CPU, deaf to SIGINT and SIGTERM — so a typo must fail at
 * once instead.
 */
export function ensureFolder(dir: string, options: FolderOptions = {}): void {
  const { mode = 0o700, hint = DATA_HINT } = options;
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    const kind = statKind(at);
    if (kind === 'dir') break;
    if (kind === 'other') {
      throw new AppError('FILE_UNWRITABLE', `${at} exists and is not a folder, so ${dir} cannot be created`, {
        hint,
        details: { path: dir },
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
      throw new AppError('FILE_UNWRITABLE', `Cannot create the folder ${folder}: ${why}`, {
        hint,
        details: { path: dir },
        cause: e,
      });
    }
  }
}

/** Makes sure the folder that will hold `file` exists (see ensureFolder). */
export function ensureParentFolder(file: string, options: FolderOptions = {}): void {
  ensureFolder(dirname(resolve(file)), options);
}

function statKind(path: string): 'dir' | 'other' | 'none' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'other';
  } catch {
    return 'none';
  }
}
