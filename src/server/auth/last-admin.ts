import { AppError } from '../../core/errors.js';
import {
  ALL_TENANTS,
  applyUserChange,
  type AccountsCheck,
  type TenantGroupRow,
  type UserChange,
  type UserRow,
} from '../../store/auth-contract.js';
import { expandGroups } from './scope.js';

/**
 * The console must not leave itself without an administrator of every tenant: only such an account manages
 * accounts, tokens and groups (scope.ts requireEveryTenant), so removing, demoting or narrowing the last one —
 * one click on the Admin page, one's own row included — left nobody able to, and the fix was the server's CLI.
 * A group is one way in: an admin whose every tenant comes from a group that lists `*` lost it when the group was
 * narrowed or removed, unchecked. The CLI on the server is not held to this: it is how such a console is put right.
 *
 * The answer is a check for the store's checked changes (`auth.changeUserChecked`, `updateUser`,
 * `changeGroupChecked`), which run it on the users and groups read in the transaction that makes the change: read
 * beforehand, two admins of every tenant removing each other at once each saw the other remain, and both were
 * removed. It compares the accounts before and after the change: one that leaves none where there was one is
 * refused.
 */
export interface AccountsChange {
  /** The users and groups as the change would leave them. */
  apply(users: readonly UserRow[], groups: readonly TenantGroupRow[]): { users: UserRow[]; groups: TenantGroupRow[] };
  /** The refusal, given the administrators of every tenant before the change. */
  refusal(admins: readonly UserRow[]): AppError;
}

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function adminsOfEveryTenant(users: readonly UserRow[], groups: readonly TenantGroupRow[]): UserRow[] {
  return users.filter((u) => u.role === 'admin' && expandGroups(u.tenants, u.groups, groups).includes(ALL_TENANTS));
}

export function keepAnAdministrator(change: AccountsChange): AccountsCheck {
  return (users, groups) => {
    const before = adminsOfEveryTenant(users, groups);
    if (before.length === 0) return;
    const after = change.apply(users, groups);
    if (adminsOfEveryTenant(after.users, after.groups).length === 0) throw change.refusal(before);
  };
}

const USER_HINT =
  'Make another account an administrator of every tenant first (on the server, tenantwatch user reset/remove can still change it)';

function lastUser(name: string, admins: readonly UserRow[]): AppError {
  const user = admins.find((u) => sameName(u.name, name))?.name ?? name;
  return new AppError('CONFLICT', `"${user}" is the last administrator of every tenant`, { hint: USER_HINT });
}

/** Removing the user `name`. */
export function removingUser(name: string): AccountsChange {
  return {
    apply: (users, groups) => ({ users: users.filter((u) => !sameName(u.name, name)), groups: [...groups] }),
    refusal: (admins) => lastUser(name, admins),
  };
}

/** Writing `change` on the user `name` (auth.updateUser), as the store will: applyUserChange. */
export function changingUser(name: string, change: UserChange): AccountsChange {
  return {
    apply: (users, groups) => ({
      users: users.map((u) => (sameName(u.name, name) ? applyUserChange(u, change) : u)),
      groups: [...groups],
    }),
    refusal: (admins) => lastUser(name, admins),
  };
}

/** Putting the group `row` (null: removing the group `name`). */
export function changingGroup(name: string, row: TenantGroupRow | null): AccountsChange {
  return {
    apply: (users, groups) => ({
      users: [...users],
      groups: [...groups.filter((g) => !sameName(g.name, name)), ...(row ? [row] : [])],
    }),
    refusal: (admins) => {
      const names = admins.map((u) => `"${u.name}"`).join(', ');
      const doing = row ? `Changing the tenants of the group "${name}"` : `Removing the group "${name}"`;
      return new AppError(
        'CONFLICT',
        `${doing} would leave no administrator of every tenant: ${names} ${admins.length === 1 ? 'has' : 'have'} every tenant only through it`,
        {
          hint: `First give ${names} every tenant of their own (reset with tenants *), or make another account an administrator of every tenant (on the server, tenantwatch user reset can still change accounts)`,
        },
      );
    },
  };
}
