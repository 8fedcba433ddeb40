import { AppError } from '../../core/errors.js';
import type { Store } from '../contract.js';

export function openSqliteStore(path: string): Store {
  throw new AppError('NOT_IMPLEMENTED', `The SQLite store (${path}) is not built yet`);
}
