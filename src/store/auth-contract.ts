/**
 * The state part of the store that serves the console's team side (issue 16): accounts, tenant
 * groups, sessions, API tokens, and the console's own append-only audit trail. Secrets never reach
 * the store in clear: passwords arrive as scrypt hashes, session ids and token secrets as SHA-256.
 */

/** Roles from least to most powerful; a role includes everything the roles before it may do. */
export const ROLES = ['viewer', 'investigator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** In a user's or token's tenant list: every tenant, present and future. */
export const ALL_TENANTS = '*';

export interface UserRow {
  /** Unique, compared without regard to case. */
  name: string;
  role: Role;
  /** Tenant names or keys this user may see; [ALL_TENANTS] for all of them. */
  tenants: string[];
  /** Tenant groups whose tenants this user may see as well. */
  groups: string[];
  /** `scrypt$N$r$p$salt$hash` (server/auth/password.ts); null: sign-in through OpenID Connect only. */
  passwordHash: string | null;
  /** `issuer|claim value` of the OpenID Connect account this user is; null when none is linked. */
  externalId: string | null;
  failedAttempts: number;
  /** Sign-in refused until then (epoch ms), after too many failures; null when not locked. */
  lockedUntil: number | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * What a reset of an account changes (server/auth/accounts.ts resetUser). Only the fields given are written: a
 * change another request made meanwhile to any other field (the role, the tenants, a link) stays. The reset used
 * to read the whole account and write it back, undoing such a change made between its read and its write.
 */
export interface UserChange {
  role?: Role;
  tenants?: string[];
  groups?: string[];
  passwordHash?: string;
  /**
   * Links the account to this OpenID Connect identity (`issuer|claim value`): the first sign-in of an account an
   * admin made under the claim's name (server/auth/oidc-account.ts). The store's unique index still applies.
   */
  externalId?: string;
  /**
   * Groups given to an account of every tenant narrow it to them: its tenants become none when, as the change
   * is written, they include ALL_TENANTS (ignored when `tenants` is given). Decided on the stored row, not on
   * one read beforehand.
   */
  narrowToGroups?: boolean;
  failedAttempts?: number;
  lockedUntil?: number | null;
  updatedAt: number;
}

/** The account as `change` leaves it: the one meaning of a UserChange, for both adapters and for checks. */
export function applyUserChange(row: UserRow, change: UserChange): UserRow {
  const narrowed = change.narrowToGroups === true && row.tenants.includes(ALL_TENANTS);
  const tenants = change.tenants ?? (narrowed ? [] : undefined);
  return {
    ...row,
    ...(change.role !== undefined ? { role: change.role } : {}),
    ...(tenants !== undefined ? { tenants: [...tenants] } : {}),
    ...(change.groups !== undefined ? { groups: [...change.groups] } : {}),
    ...(change.passwordHash !== undefined ? { passwordHash: change.passwordHash } : {}),
    ...(change.externalId !== undefined ? { externalId: change.externalId } : {}),
    ...(change.failedAttempts !== undefined ? { failedAttempts: change.failedAttempts } : {}),
    ...(change.lockedUntil !== undefined ? { lockedUntil: change.lockedUntil } : {}),
    updatedAt: change.updatedAt,
  };
}

/**
 * A rule over every account, run by the store on the users and groups it read in the transaction that makes a
 * change, before writing it; it throws to refuse (then nothing changes). The console's last administrator of
 * every tenant (server/auth/last-admin.ts) is one.
 */
export type AccountsCheck = (users: readonly UserRow[], groups: readonly TenantGroupRow[]) => void;

export interface TenantGroupRow {
  /** Unique, compared without regard to case (an MSP's customer group). */
  name: string;
  tenants: string[];
  updatedAt: number;
}

export interface SessionRow {
  /** SHA-256 of the session id (the cookie holds the id; a database copy cannot be replayed). */
  idHash: string;
  user: string;
  createdAt: number;
  lastSeenAt: number;
  /** Absolute end, whatever the activity. */
  expiresAt: number;
  address: string | null;
  via: 'password' | 'oidc';
}

export interface TokenRow {
  /** Public part of the token (`tw_<id>_<secret>`), the lookup key. */
  id: string;
  /** Unique, compared without regard to case. */
  name: string;
  user: string;
  /** SHA-256 of the secret part. */
  hash: string;
  /** Caps the user's role (a read-only token of an admin); null: the user's role. */
  role: Role | null;
  /** Narrows the user's tenant scope; [ALL_TENANTS]: the user's whole scope. */
  tenants: string[];
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface AuthStore {
  /** Inserts or replaces the user named `row.name` (its created time is kept). */
  putUser(row: UserRow): Promise<void>;
  getUser(name: string): Promise<UserRow | null>;
  findUserByExternalId(externalId: string): Promise<UserRow | null>;
  listUsers(): Promise<UserRow[]>;
  countUsers(): Promise<number>;
  /** Removes the user with its sessions and tokens; true when it existed. */
  removeUser(name: string): Promise<boolean>;
  /**
   * Puts `row` (null: removes the user `name` with its sessions and tokens, as removeUser) in one transaction that
   * first reads every user and tenant group, with every other change of users held back until it ends, and hands
   * them to `check`, which throws to refuse (then nothing changes). For a rule over all accounts, such as the
   * console's last administrator of every tenant (server/auth/last-admin.ts): checked outside the transaction, two
   * admins removing each other at once both saw the other remain, and both went. False: `row` was null and no
   * such user existed.
   */
  changeUserChecked(name: string, row: UserRow | null, check: AccountsCheck): Promise<boolean>;
  /**
   * Writes only the fields `change` names on the user `name` (applyUserChange), in one transaction that holds
   * the user's row (and, with `check`, every user and group, as changeUserChecked does) from the read to the
   * write. Returns the user as written; null when no such user exists (nothing is written).
   */
  updateUser(name: string, change: UserChange, check?: AccountsCheck): Promise<UserRow | null>;
  /**
   * Counts one failed sign-in atomically; at `maxAttempts` the user is locked until `at + lockMs` and
   * the count starts again. Returns the user as it is now (null: no such user).
   */
  recordFailure(name: string, at: number, policy: { maxAttempts: number; lockMs: number }): Promise<UserRow | null>;
  clearFailures(name: string): Promise<void>;
  /**
   * The lockout of a sign-in name that is no account (server/auth/unknown-names.ts), kept under a hash of the
   * name, in the database so every serve process counts together and a restart forgets nothing. When that name
   * is locked at `now`, until when; else null.
   */
  nameLockedUntil(nameHash: string, now: number): Promise<number | null>;
  /**
   * Counts one failed sign-in with such a name atomically, as recordFailure counts an account's: at
   * `maxAttempts` it is locked until `at + lockMs` and the count starts again. Rows that no longer say anything
   * (no failures, lock over) are deleted; past `limit` rows, the ones whose last failure is oldest go first.
   */
  recordNameFailure(
    nameHash: string,
    at: number,
    policy: { maxAttempts: number; lockMs: number },
    limit: number,
  ): Promise<void>;

  putGroup(row: TenantGroupRow): Promise<void>;
  listGroups(): Promise<TenantGroupRow[]>;
  removeGroup(name: string): Promise<boolean>;
  /**
   * Puts `row` (null: removes the group `name`) under the lock of changeUserChecked, after `check` accepted the
   * users and groups read in that transaction: a group gives its tenants to every member, so narrowing one that
   * lists every tenant, or removing it, is a change of accounts too. False: `row` was null and no such group
   * existed.
   */
  changeGroupChecked(name: string, row: TenantGroupRow | null, check: AccountsCheck): Promise<boolean>;

  putSession(row: SessionRow): Promise<void>;
  getSession(idHash: string): Promise<SessionRow | null>;
  touchSession(idHash: string, at: number): Promise<void>;
  removeSession(idHash: string): Promise<void>;
  /** Ends every session of the user (password reset, removal, role change); returns how many. */
  removeSessions(user: string): Promise<number>;
  /** Drops sessions whose absolute end or idle end (lastSeenAt + idleMs) has passed. */
  pruneSessions(now: number, idleMs: number): Promise<number>;

  putToken(row: TokenRow): Promise<void>;
  getToken(id: string): Promise<TokenRow | null>;
  listTokens(user?: string): Promise<TokenRow[]>;
  /** Revokes by name; false when no live token has that name. */
  revokeToken(name: string, at: number): Promise<boolean>;
  touchToken(id: string, at: number): Promise<void>;

  /**
   * Keeps what an OpenID Connect sign-in needs between the redirect to the issuer and its return (PKCE
   * verifier, state, nonce: `body`, opaque JSON) under the hash of its cookie key, until `expiresAt`. In
   * the database, not one process's memory, so the return may reach another `serve` process. Drops the ones expired
   * at `now` (starts never returned from would otherwise stay for ever).
   */
  putPending(keyHash: string, body: string, expiresAt: number, now: number): Promise<void>;
  /** Takes a pending sign-in (read and deleted: single use); null when unknown or expired at `now`. Drops expired ones. */
  takePending(keyHash: string, now: number): Promise<string | null>;
  /**
   * Counts one attempt under `key` in a fixed window of `windowMs` that starts at the first attempt,
   * atomically, so every process sharing the database counts together (the sign-in rate limit).
   * Returns the attempts in the current window and when it started.
   */
  hitRate(key: string, now: number, windowMs: number): Promise<{ hits: number; windowStart: number }>;
}

export type AuditOutcome = 'ok' | 'denied' | 'failed';

/** One line of the console's own audit trail: who did what, when, from where, and how it ended. */
export interface ConsoleAuditEntry {
  /** Arrival order, assigned by the store; a consumer (a sink) reads on after the last seq it handled. */
  seq: number;
  at: number;
  /** User name; `local` for loopback use without accounts, `cli` for commands, `-` when unknown. */
  actor: string;
  via: 'session' | 'token' | 'local' | 'cli' | 'anonymous';
  address: string | null;
  /** Stable dotted name, e.g. `signin`, `search`, `export`, `report.run`, `user.add` (server/auth/audit.ts). */
  action: string;
  outcome: AuditOutcome;
  /** What it was done to: a tenant, user, token, report id; null when nothing in particular. */
  target: string | null;
  /** The request's filters and parameters (never a secret). */
  details: Record<string, unknown>;
}

export interface ConsoleAuditFilter {
  /** Only entries with a seq greater than this (a consumer's position). */
  after?: number;
  /** Only entries with a seq smaller than this (the next page, newest first). */
  before?: number;
  from?: number;
  to?: number;
  /** Without regard to case, as user names are compared. */
  actor?: string;
  action?: string;
  /**
   * Only entries that came this way, from this address, with this outcome: with actor, one caller's entries, as the
   * console looks them up before recording a call that may only repeat one (server/auth/repeats.ts).
   */
  via?: ConsoleAuditEntry['via'];
  address?: string;
  outcome?: AuditOutcome;
  limit?: number;
  /** Default: oldest first (arrival order), as a consumer reads it. */
  newestFirst?: boolean;
}

/** Append-only: there is deliberately no update or delete, and the databases refuse them too (triggers). */
export interface ConsoleAuditStore {
  append(entry: Omit<ConsoleAuditEntry, 'seq'>): Promise<number>;
  list(filter?: ConsoleAuditFilter): Promise<ConsoleAuditEntry[]>;
}
