import { AppError } from '../../core/errors.js';
import { ROLES, type AccountsCheck, type Role, type UserChange, type UserRow } from '../../store/auth-contract.js';
import { changingUser, keepAnAdministrator } from './last-admin.js';
import type { OidcGroupRule, OidcIdentity, OidcProvider } from './oidc.js';
import type { SignInDeps } from './session.js';

/**
 * The account an OpenID Connect sign-in signs in: the one linked to the identity's issuer and subject; else the one
 * an admin linked to the claim's value (`user add --oidc ISSUER|VALUE`, or linked so by a version before 2026-12-07:
 * moved to the subject now); else a user of the same name not yet linked (an admin made it for this person: it is
 * linked now); else one made from the group rules. Group rules
 * that match set the role and tenants on every sign-in: the issuer's groups are the source of truth.
 *
 * Only what the sign-in changes is written (auth.updateUser: the link, the role and tenants of the rules), on the
 * row as it is when written. The whole account used to be read and written back, so a change an admin made in
 * between (role, tenants, groups, a password reset) was undone. Each write checks, on the users read in its
 * transaction, that the account is still the one looked up (linked to this identity, or to none); when it is not
 * (removed, linked, made meanwhile), the lookup starts again.
 *
 * The issuer is the source of truth for the role, except for the last administrator of every tenant: the rules'
 * role and tenants are checked by the console's rule (server/auth/last-admin.ts) in that same transaction, and
 * when they would leave nobody able to manage accounts, they are not applied (`kept`): the person is signed in with
 * the role they have. Refusing the sign-in would lock them out as well, and the console with them.
 */
export type OidcAccount =
  | { kind: 'signed-in'; user: UserRow; kept?: KeptRole }
  /** Neither an account nor a group rule for this identity. */
  | { kind: 'none' }
  /** An account of this name linked to another identity (another issuer, another claim value). */
  | { kind: 'linked-elsewhere'; name: string }
  /** The account changed between the lookup and the write, ATTEMPTS times over: nothing was written. */
  | { kind: 'kept-changing' };

/** What the group rules the identity's groups match give it. */
export interface Granted {
  role: Role;
  tenants: string[];
}

/**
 * The group rules would have demoted or narrowed the last administrator of every tenant (server/auth/last-admin.ts):
 * the account kept its role and tenants, since nobody could manage accounts otherwise.
 */
export interface KeptRole extends Granted {
  refusal: AppError;
}

/** Lookups a sign-in tries before giving up when the account changes under each of them. */
const ATTEMPTS = 3;

/** The account changed between the lookup and the write: look it up again. */
class AccountMoved extends Error {}

/** The last-admin rule refused the role and tenants of the group rules. */
class RoleRefused extends Error {
  constructor(readonly refusal: AppError) {
    super(refusal.message);
  }
}

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The highest role of the rules the identity's groups match, with all their tenants; null when none matches. */
export function grantedBy(rules: readonly OidcGroupRule[], groups: readonly string[]): Granted | null {
  const matched = rules.filter((r) => groups.includes(r.group));
  if (!matched.length) return null;
  return {
    role: ROLES[Math.max(...matched.map((r) => ROLES.indexOf(r.role)))] as Role,
    tenants: [...new Set(matched.flatMap((r) => r.tenants))],
  };
}

/**
 * The account this identity signs in, looked up again when it changed before the write. Giving up is an answer
 * (`kept-changing`), not an error: the callback is a browser's navigation back from the issuer, and a thrown
 * CONFLICT reached it as a JSON 409 instead of the sign-in page saying why, as every other refusal does.
 */
export async function accountFor(deps: SignInDeps, provider: OidcProvider, id: OidcIdentity): Promise<OidcAccount> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      return await lookUpAndWrite(deps, provider, id);
    } catch (e) {
      if (!(e instanceof AccountMoved)) throw e;
    }
  }
  return { kind: 'kept-changing' };
}

async function lookUpAndWrite(deps: SignInDeps, provider: OidcProvider, id: OidcIdentity): Promise<OidcAccount> {
  const granted = grantedBy(provider.groupRules, id.groups);
  const linked = await deps.store.auth.findUserByExternalId(id.externalId);
  // An admin's link by the claim's value (or one an older version wrote) is pinned to the subject now: should the
  // name later go to someone else at the issuer, it no longer leads to this account.
  const byClaim =
    linked || id.claimId === id.externalId ? null : await deps.store.auth.findUserByExternalId(id.claimId);
  const byName = linked || byClaim ? null : await deps.store.auth.getUser(id.name);
  if (byName && byName.externalId !== null) return { kind: 'linked-elsewhere', name: byName.name };
  const account = linked ?? byClaim ?? byName;
  if (!account) return granted ? { kind: 'signed-in', user: await create(deps, id, granted) } : { kind: 'none' };
  const link: Pick<UserChange, 'externalId'> = linked ? {} : { externalId: id.externalId };
  // Linked by subject and no rule: nothing to write.
  if (!granted && linked) return { kind: 'signed-in', user: linked };
  const updatedAt = deps.clock.now();
  const still = stillTheAccount(account.name, id);
  if (!granted) return { kind: 'signed-in', user: await update(deps, account.name, { ...link, updatedAt }, still) };
  const change: UserChange = { ...link, role: granted.role, tenants: granted.tenants, updatedAt };
  const keep = keepAnAdministrator(changingUser(account.name, change));
  try {
    const user = await update(deps, account.name, change, (users, groups) => {
      still(users, groups);
      try {
        keep(users, groups);
      } catch (e) {
        throw e instanceof AppError ? new RoleRefused(e) : e;
      }
    });
    return { kind: 'signed-in', user };
  } catch (e) {
    if (!(e instanceof RoleRefused)) throw e;
    // Nothing was written: the rest (the link) is, on the role and tenants as they are then.
    const user = await update(deps, account.name, { ...link, updatedAt }, still);
    return { kind: 'signed-in', user, kept: { ...granted, refusal: e.refusal } };
  }
}

async function update(deps: SignInDeps, name: string, change: UserChange, check: AccountsCheck): Promise<UserRow> {
  const user = await deps.store.auth.updateUser(name, change, check);
  if (!user) throw new AccountMoved();
  return user;
}

/** The account `name` still exists and is this identity's or nobody's, and no other account is this identity's. */
function stillTheAccount(name: string, id: OidcIdentity): AccountsCheck {
  return (users) => {
    const mine = users.find((u) => sameName(u.name, name));
    const other = users.find((u) => u.externalId === id.externalId && !sameName(u.name, name));
    const ours = mine?.externalId === null || mine?.externalId === id.externalId || mine?.externalId === id.claimId;
    if (!mine || !ours || other) throw new AccountMoved();
  };
}

/** A new account from the group rules, written only if no account of this name or identity appeared meanwhile. */
async function create(deps: SignInDeps, id: OidcIdentity, granted: Granted): Promise<UserRow> {
  const now = deps.clock.now();
  const row: UserRow = {
    name: id.name,
    role: granted.role,
    tenants: granted.tenants,
    groups: [],
    passwordHash: null,
    externalId: id.externalId,
    failedAttempts: 0,
    lockedUntil: null,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.auth.changeUserChecked(id.name, row, (users) => {
    const taken = (u: UserRow) =>
      sameName(u.name, id.name) || u.externalId === id.externalId || u.externalId === id.claimId;
    if (users.some(taken)) throw new AccountMoved();
  });
  return row;
}
