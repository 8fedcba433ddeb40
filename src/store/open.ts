import { AppError } from '../core/errors.js';
import type { StoreNotice } from './backfill.js';
import type { Store } from './contract.js';

/** Opens (and migrates) the store a URL names: `sqlite:PATH`, `sqlite::memory:` or `postgres://…`. */
export async function openStore(url: string, options: { onNotice?: StoreNotice } = {}): Promise<Store> {
  let store: Store;
  const notice = options.onNotice ? { onNotice: options.onNotice } : {};
  if (url.startsWith('sqlite:')) {
    const { openSqliteStore } = await import('./sqlite/index.js');
    store = openSqliteStore(url.slice('sqlite:'.length), notice);
  } else if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { openPostgresStore } = await import('./postgres/index.js');
    store = await openPostgresStore(url, notice);
  } else {
    throw new AppError('CONFIG_INVALID', `The database URL "${url}" is neither sqlite: nor postgres://`, {
      hint: 'Use --db sqlite:/path/to/file.sqlite or --db postgres://user@host/dbname',
    });
  }
  await store.migrate();
  return store;
}
