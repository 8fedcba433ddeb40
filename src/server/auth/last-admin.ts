import { AppError } from '../../core/errors.js';
import type { UserRow } from '../../store/auth-contract.js';
import type { Store } from '../../store/contract.js';
import { expandGroups, TenantScope } from './scope.js';

/**
 * The console must not leave itself without an administrator of every tenant: only such an account manages
 * accounts, tokens and groups (scope.ts requireEveryTenant), so removing, demoting or narrowing the last one —
 * one click on the Admin page, one's own row included — left nobody able to, and the fix was the server's CLI.
 * `after` is the account as the change would leave it (null: removed). The CLI on the server is not held to
 * this: it is how such a console is put right.
 */
export async function keepAnAdministrator(store: Store, user: UserRow, after: UserRow | null): Promise<void> {
  const [users, groups, tenants] = await Promise.all([
    store.auth.listUsers(),
    store.auth.listGroups(),
    store.tenants.list(),
  ]);
  const ofEveryTenant = (u: UserRow): boolean =>
    u.role === 'admin' && TenantScope.of(expandGroups(u.tenants, u.groups, groups), tenants).all;
  if (!ofEveryTenant(user) || (after && ofEveryTenant(after))) return;
  if (users.some((u) => u.name !== user.name && ofEveryTenant(u))) return;
  throw new AppError('CONFLICT', `"${user.name}" is the last administrator of every tenant`, {
    hint: 'Make another account an administrator of every tenant first (on the server, tenantwatch user reset/remove can still change it)',
  });
}
