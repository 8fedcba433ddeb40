import { resolve } from 'node:path';
import { AppError } from '../core/errors.js';
import type { StoreUpgrade } from './backfill.js';
import type { Store } from './contract.js';

/**
 * The URL that opens the same database again from another thread (reports/split.ts), or null where that
 * is not done: PostgreSQL (its reads already run in its server) and a private in-memory SQLite store.
 */
export function reopenableUrl(url: string): string | null {
  if (!url.startsWith('sqlite:') || url.startsWith('sqlite::memory:')) return null;
  return `sqlite:${resolve(url.slice('sqlite:'.length))}`;
}

/** Opens (and migrates) the store a URL names: `sqlite:PATH`, `sqlite::memory:` or `postgres://…`. */
export async function openStore(url: string, options: StoreUpgrade = {}): Promise<Store> {
  const notice = {
    ...(options.onNotice ? { onNotice: options.onNotice } : {}),
    ...(options.factsFromRaw ? { factsFromRaw: options.factsFromRaw } : {}),
  };
  if (url.startsWith('sqlite:')) {
    const { openSqliteStore } = await import('./sqlite/index.js');
    // Migrated as it opens: its statements are prepared against the current schema.
    return openSqliteStore(url.slice('sqlite:'.length), notice);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { openPostgresStore } = await import('./postgres/index.js');
    const store = await openPostgresStore(url, notice);
    await store.migrate();
    return store;
  }
  throw new AppError('CONFIG_INVALID', `The database URL "${url}" is neither sqlite: nor postgres://`, {
    hint: 'Use --db sqlite:/path/to/file.sqlite or --db postgres://user@host/dbname',
  });
}
