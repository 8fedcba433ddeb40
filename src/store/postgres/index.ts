import { AppError } from '../../core/errors.js';
import type { Store } from '../contract.js';

export function openPostgresStore(url: string): Promise<Store> {
  return Promise.reject(new AppError('NOT_IMPLEMENTED', `The PostgreSQL store (${url.replace(/:[^:@/]*@/, ':***@')}) is not built yet`));
}
