import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import {
  ALL_TENANTS,
  ROLES,
  type ConsoleAuditEntry,
  type Role,
  type TenantGroupRow,
  type TokenRow,
  type UserChange,
  type UserRow,
} from '../../store/auth-contract.js';
import type { Store } from '../../store/contract.js';
import { resolveTenantKeys } from '../../search/tenants.js';
import type { ConsoleAuditor } from './audit.js';
import { changingGroup, changingUser, keepAnAdministrator, removingUser } from './last-admin.js';
import { hashPassword } from './password.js';
import { expandGroups, TenantScope } from './scope.js';
import { newApiToken } from './secrets.js';
import { quoted } from '../../core/quote.js';

/**
 * Managing accounts, API tokens and tenant groups — one implementation for `tenantwatch user|token`
 * and the console's admin pages, each change written to the console's audit trail with who made it.
 * Views returned here never carry a password hash or a token hash.
 */
export interface Actor {
  user: string;
  via: ConsoleAuditEntry['via'];
  address: string | null;
}

export type UserView = Omit<UserRow, 'passwordHash'> & { hasPassword: boolean };
export type TokenView = Omit<TokenRow, 'hash'>;

export interface NewUser {
  name: string;
  role: string;
  tenants?: readonly string[];
  groups?: readonly string[];
  password?: string;
  externalId?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$/;

export function checkName(kind: string, name: string): string {
  if (!NAME.test(name)) {
    throw new AppError('BAD_INPUT', `${quoted(name, 100)} is not a usable ${kind} name`, {
      hint: 'Use up to 100 letters, digits and . _ @ + -, starting with a letter or digit',
    });
  }
  return name;
}

export function parseRole(text: string): Role {
  if ((ROLES as readonly string[]).includes(text)) return text as Role;
  throw new AppError('BAD_INPUT', `${quoted(text, 40)} is not a role`, { hint: `Use one of ${ROLES.join(', ')}` });
}

export function userView({ passwordHash, ...rest }: UserRow): UserView {
  return { ...rest, hasPassword: passwordHash !== null };
}

export function tokenView({ hash: _hash, ...rest }: TokenRow): TokenView {
  return rest;
}

/**
 * The tenants an account lists: those named; with none named, only its groups' when it has groups (a
 * group narrows, it never adds to "every tenant"); with neither, every tenant.
 */
function listedTenants(tenants: readonly string[] | undefined, groups: readonly string[] | undefined): string[] {
  if (tenants?.length) return [...tenants];
  return groups?.length ? [] : [ALL_TENANTS];
}

/** Each entry once, compared without regard to case or surrounding blanks, in the order first given. */
export function onceEach(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const key = e.trim().toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function unknownUser(name: string): AppError {
  return new AppError('NOT_FOUND', `No user is named ${quoted(name, 100)}`, {
    hint: 'tenantwatch user list shows the users',
  });
}

export class Accounts {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly auditor: ConsoleAuditor,
    /**
     * true for the console: it refuses to remove, demote or narrow its last administrator of every tenant, by a
     * change of the account or of a group that gives it every tenant.
     */
    private readonly keepAdministrator = false,
    /** Whose words a hint uses: the CLI's flags, or the API's fields (an API caller cannot send --password-env). */
    private readonly surface: 'cli' | 'api' = 'cli',
  ) {}

  private audit(actor: Actor, action: string, target: string, details: Record<string, unknown> = {}): Promise<void> {
    return this.auditor.record({
      actor: actor.user,
      via: actor.via,
      address: actor.address,
      action,
      outcome: 'ok',
      target,
      details,
    });
  }

  /**
   * Refuses a scope naming a tenant that is neither registered nor on any record (as search resolves tenants:
   * search/tenants.ts) or a group not defined: a typo would otherwise give the account nothing to see, with
   * nothing saying why. Both are names of stored state, so both are "not found" (exit 1, HTTP 404).
   */
  private async checkScope(tenants: readonly string[] = [], groups: readonly string[] = []): Promise<void> {
    const named = tenants.filter((t) => t !== ALL_TENANTS);
    if (named.length) await resolveTenantKeys(this.store, named);
    if (groups.length === 0) return;
    const defined = await this.store.auth.listGroups();
    const missing = groups.find((g) => !defined.some((d) => d.name.toLowerCase() === g.toLowerCase()));
    if (missing !== undefined)
      throw new AppError('NOT_FOUND', `No tenant group is named ${quoted(missing, 100)}`, {
        hint: defined.length
          ? `Groups: ${defined.map((d) => d.name).join(', ')}; define another on the console's Admin page`
          : "No group is defined yet: define one on the console's Admin page",
      });
  }

  /** Refuses a token naming a tenant its user may not see (a token only narrows its user's scope). */
  private async checkWithinUser(user: UserRow, tenants: readonly string[]): Promise<void> {
    const named = tenants.filter((t) => t !== ALL_TENANTS);
    if (named.length === 0) return;
    const [groups, rows] = await Promise.all([this.store.auth.listGroups(), this.store.tenants.list()]);
    const scope = TenantScope.of(expandGroups(user.tenants, user.groups, groups), rows);
    const outside = named.find((t) => !scope.allows(t));
    if (outside !== undefined) {
      throw new AppError('BAD_INPUT', `The user "${user.name}" may not see tenant ${quoted(outside, 100)}`, {
        hint: "A token narrows its user's tenants: name only tenants the user may see (tenantwatch user list)",
      });
    }
  }

  async addUser(actor: Actor, given: NewUser): Promise<UserView> {
    // A tenant or group named twice is listed once (as a group's tenants are).
    const input: NewUser = {
      ...given,
      ...(given.tenants ? { tenants: onceEach(given.tenants) } : {}),
      ...(given.groups ? { groups: onceEach(given.groups) } : {}),
    };
    const name = checkName('user', input.name);
    const role = parseRole(input.role);
    if (await this.store.auth.getUser(name)) {
      throw new AppError('CONFLICT', `A user named "${name}" already exists`, {
        hint:
          this.surface === 'api'
            ? 'Pick another name, or change that user with its Reset (POST /api/admin/users/NAME/reset)'
            : 'Pick another name, or change that user with tenantwatch user reset',
      });
    }
    if (!input.password && !input.externalId) {
      throw new AppError('BAD_INPUT', `The user "${name}" needs a password or an OpenID Connect link`, {
        hint:
          this.surface === 'api'
            ? 'Send a password (12 characters or more), or an externalId (ISSUER|CLAIM-VALUE) for OpenID Connect'
            : 'Give --password-env VAR (the variable holding the password), or --oidc ISSUER|CLAIM-VALUE',
      });
    }
    if (input.externalId !== undefined) checkExternalId(input.externalId);
    await this.checkScope(input.tenants, input.groups);
    const now = this.clock.now();
    const row: UserRow = {
      name,
      role,
      tenants: listedTenants(input.tenants, input.groups),
      groups: [...(input.groups ?? [])],
      passwordHash: input.password ? await hashPassword(input.password) : null,
      externalId: input.externalId ?? null,
      failedAttempts: 0,
      lockedUntil: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.auth.putUser(row);
    await this.audit(actor, 'user.add', name, { role, tenants: row.tenants, groups: row.groups });
    return userView(row);
  }

  /**
   * Changes what is given (password, role, tenants, groups), always unlocks, and ends the user's
   * sessions so the change applies at once. Only those fields are written (auth.updateUser): a reset used to
   * write back the whole account as read before the password was hashed, undoing a change of another field
   * (the role, the tenants) that another admin made in between.
   */
  async resetUser(
    actor: Actor,
    name: string,
    asked: { password?: string; role?: string; tenants?: readonly string[]; groups?: readonly string[] },
  ): Promise<UserView> {
    const change = {
      ...asked,
      ...(asked.tenants ? { tenants: onceEach(asked.tenants) } : {}),
      ...(asked.groups ? { groups: onceEach(asked.groups) } : {}),
    };
    // Asked first, so that an unknown name costs no password hash.
    if (!(await this.store.auth.getUser(name))) throw unknownUser(name);
    const role = change.role ? parseRole(change.role) : undefined;
    await this.checkScope(change.tenants, change.groups);
    const update: UserChange = {
      ...(role ? { role } : {}),
      ...(change.tenants?.length ? { tenants: [...change.tenants] } : {}),
      ...(change.groups ? { groups: [...change.groups] } : {}),
      // Groups given to an account of every tenant narrow it to them (as for a new account).
      ...(!change.tenants?.length && change.groups?.length ? { narrowToGroups: true } : {}),
      ...(change.password ? { passwordHash: await hashPassword(change.password) } : {}),
      failedAttempts: 0,
      lockedUntil: null,
      updatedAt: this.clock.now(),
    };
    const row = await this.store.auth.updateUser(
      name,
      update,
      this.keepAdministrator ? keepAnAdministrator(changingUser(name, update)) : undefined,
    );
    if (!row) throw unknownUser(name);
    const ended = await this.store.auth.removeSessions(row.name);
    await this.audit(actor, 'user.reset', row.name, {
      role: row.role,
      tenants: row.tenants,
      groups: row.groups,
      passwordChanged: Boolean(change.password),
      sessionsEnded: ended,
    });
    return userView(row);
  }

  async removeUser(actor: Actor, name: string): Promise<void> {
    const removed = this.keepAdministrator
      ? await this.store.auth.changeUserChecked(name, null, keepAnAdministrator(removingUser(name)))
      : await this.store.auth.removeUser(name);
    if (!removed) throw unknownUser(name);
    await this.audit(actor, 'user.remove', name);
  }

  async listUsers(): Promise<UserView[]> {
    return (await this.store.auth.listUsers()).map(userView);
  }

  /** Creates a token; the returned `token` is the only time its secret exists outside the caller. */
  async addToken(
    actor: Actor,
    asked: { name: string; user: string; role?: string; tenants?: readonly string[]; expiresInDays?: number },
  ): Promise<{ token: string; view: TokenView }> {
    const input = { ...asked, ...(asked.tenants ? { tenants: onceEach(asked.tenants) } : {}) };
    const name = checkName('token', input.name);
    const user = await this.store.auth.getUser(input.user);
    if (!user) throw unknownUser(input.user);
    const days = input.expiresInDays ?? 90;
    if (!Number.isFinite(days) || days < 1 || days > 3650) {
      throw new AppError('BAD_INPUT', `A token lives 1 to 3650 days, not ${days}`, {
        hint: this.surface === 'api' ? 'Send e.g. "expiresInDays": 90' : 'Use --expires-days 90',
      });
    }
    const role = input.role ? parseRole(input.role) : null;
    if (role !== null && ROLES.indexOf(role) > ROLES.indexOf(user.role)) {
      throw new AppError('BAD_INPUT', `A token of "${user.name}" (${user.role}) cannot have the ${role} role`, {
        hint: `A token's role only lowers its user's: give ${ROLES.slice(0, ROLES.indexOf(user.role) + 1).join(' or ')}, or none`,
      });
    }
    await this.checkScope(input.tenants);
    await this.checkWithinUser(user, input.tenants ?? []);
    const now = this.clock.now();
    const secret = newApiToken();
    const row: TokenRow = {
      id: secret.id,
      name,
      user: user.name,
      hash: secret.hash,
      role,
      tenants: input.tenants?.length ? [...input.tenants] : [ALL_TENANTS],
      createdAt: now,
      expiresAt: now + days * 86_400_000,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.store.auth.putToken(row);
    await this.audit(actor, 'token.add', name, { user: user.name, role: row.role, tenants: row.tenants, days });
    return { token: secret.token, view: tokenView(row) };
  }

  async listTokens(user?: string): Promise<TokenView[]> {
    return (await this.store.auth.listTokens(user)).map(tokenView);
  }

  async revokeToken(actor: Actor, name: string): Promise<void> {
    if (!(await this.store.auth.revokeToken(name, this.clock.now()))) {
      throw new AppError('NOT_FOUND', `No live token is named ${quoted(name, 100)}`, {
        hint: 'tenantwatch token list shows the tokens and which are revoked',
      });
    }
    await this.audit(actor, 'token.revoke', name);
  }

  /**
   * A group's tenants are kept once each: the same tenant named twice, in another case, or by name and by GUID
   * is one entry (the first given). A list of 2,000 copies of one tenant was stored, expanded into every member's
   * scope on each request, and shown whole on the Admin page.
   */
  async putGroup(actor: Actor, name: string, tenants: readonly string[]): Promise<TenantGroupRow> {
    const checked = checkName('group', name);
    const given = onceEach(tenants);
    await this.checkScope(given);
    const row = { name: checked, tenants: await this.onePerTenant(given), updatedAt: this.clock.now() };
    if (this.keepAdministrator)
      await this.store.auth.changeGroupChecked(checked, row, keepAnAdministrator(changingGroup(checked, row)));
    else await this.store.auth.putGroup(row);
    await this.audit(actor, 'group.put', name, { tenants: row.tenants });
    return row;
  }

  /** The entries naming distinct tenants, the first of each (resolved as checkScope did: known to exist). */
  private async onePerTenant(entries: readonly string[]): Promise<string[]> {
    const keys = new Set<string>();
    const kept: string[] = [];
    for (const entry of entries) {
      const key = entry === ALL_TENANTS ? ALL_TENANTS : (await resolveTenantKeys(this.store, [entry]))[0]!;
      if (keys.has(key.toLowerCase())) continue;
      keys.add(key.toLowerCase());
      kept.push(entry);
    }
    return kept;
  }

  async removeGroup(actor: Actor, name: string): Promise<void> {
    const removed = this.keepAdministrator
      ? await this.store.auth.changeGroupChecked(name, null, keepAnAdministrator(changingGroup(name, null)))
      : await this.store.auth.removeGroup(name);
    if (!removed) {
      throw new AppError('NOT_FOUND', `No tenant group is named ${quoted(name, 100)}`, {
        hint: 'The admin page lists the groups',
      });
    }
    await this.audit(actor, 'group.remove', name);
  }
}

/**
 * A link to an OpenID Connect account is the key a sign-in is matched by: `ISSUER|CLAIM-VALUE`, as oidc-client.ts
 * builds it from the id token (`iss`, then the claim's value; the first sign-in moves it to `ISSUER|sub:SUBJECT`,
 * which an admin may also give when they know the subject). Anything else ("alice", "bad") was stored and could
 * never match a sign-in: an account with no password that nobody could use, and no word about it.
 */
function checkExternalId(externalId: string): void {
  const bar = externalId.indexOf('|');
  const issuer = bar < 0 ? '' : externalId.slice(0, bar);
  const value = bar < 0 ? '' : externalId.slice(bar + 1);
  if (/^https:\/\/[^\s|]+$/.test(issuer) && value.trim() !== '' && value === value.trim()) return;
  throw new AppError('BAD_INPUT', `The OpenID Connect link ${quoted(externalId, 100)} is not ISSUER|CLAIM-VALUE`, {
    hint: 'Give the issuer URL as the id token states it, a bar, then the value of the claim the console matches, e.g. --oidc "https://login.microsoftonline.com/TENANT-ID/v2.0|alice@contoso.com"',
  });
}
