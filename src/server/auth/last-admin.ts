import { AppError } from '../../core/errors.js';
import { ALL_TENANTS, type TenantGroupRow, type UserRow } from '../../store/auth-contract.js';
import { expandGroups } from './scope.js';

/**
 * The console must not leave itself without an administrator of every tenant: only such an account manages
 * accounts, tokens and groups (scope.ts requireEveryTenant), so removing, demoting or narrowing the last one —
 * one click on the Admin page, one's own row included — left nobody able to, and the fix was the server's CLI.
 * `after` is the account named `name` as the change would leave it (null: removed). The CLI on the server is not
 * held to this: it is how such a console is put right.
 *
 * The answer is a check for `auth.changeUserChecked`, which runs it on the users and groups read in the
 * transaction that makes the change: read beforehand, two admins of every tenant removing each other at once
 * each saw the other remain, and both were removed.
 */
export function keepAnAdministrator(
  name: string,
  after: UserRow | null,
): (users: readonly UserRow[], groups: readonly TenantGroupRow[]) => void {
  return (users, groups) => {
    const ofEveryTenant = (u: UserRow): boolean =>
      u.role === 'admin' && expandGroups(u.tenants, u.groups, groups).includes(ALL_TENANTS);
    const same = (u: UserRow): boolean => u.name.toLowerCase() === name.toLowerCase();
    const user = users.find(same);
    if (!user || !ofEveryTenant(user) || (after && ofEveryTenant(after))) return;
    if (users.some((u) => !same(u) && ofEveryTenant(u))) return;
    throw new AppError('CONFLICT', `"${user.name}" is the last administrator of every tenant`, {
      hint: 'Make another account an administrator of every tenant first (on the server, tenantwatch user reset/remove can still change it)',
    });
  };
}
