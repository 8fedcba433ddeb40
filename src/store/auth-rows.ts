import { AppError } from '../core/errors.js';
import type {
  ConsoleAuditEntry,
  ConsoleAuditFilter,
  Role,
  SessionRow,
  TokenRow,
  UserChange,
  UserRow,
} from './auth-contract.js';

/**
 * Rows of the auth tables ↔ columns, shared by both adapters. Lists (tenants, groups) are JSON text,
 * so both databases store them the same way.
 */
export const USER_COLUMNS = [
  'name',
  'role',
  'tenants',
  'groups',
  'password_hash',
  'external_id',
  'failed_attempts',
  'locked_until',
  'created_at',
  'updated_at',
] as const;

export interface UserSelect {
  name: string;
  role: string;
  tenants: string;
  groups: string;
  password_hash: string | null;
  external_id: string | null;
  failed_attempts: number | string;
  locked_until: number | string | null;
  created_at: number | string;
  updated_at: number | string;
}

const num = (v: number | string): number => Number(v);
const numOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function userValues(u: UserRow): (string | number | null)[] {
  return [
    u.name,
    u.role,
    JSON.stringify(u.tenants),
    JSON.stringify(u.groups),
    u.passwordHash,
    u.externalId,
    u.failedAttempts,
    u.lockedUntil,
    u.createdAt,
    u.updatedAt,
  ];
}

export function toUserRow(r: UserSelect): UserRow {
  return {
    name: r.name,
    role: r.role as Role,
    tenants: JSON.parse(r.tenants) as string[],
    groups: JSON.parse(r.groups) as string[],
    passwordHash: r.password_hash,
    externalId: r.external_id,
    failedAttempts: num(r.failed_attempts),
    lockedUntil: numOrNull(r.locked_until),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

/**
 * The columns a UserChange writes, with their values from `after` (the row as applyUserChange leaves `before`):
 * the ones it names, and the tenants when narrowing changed them. Every other column keeps what it holds.
 */
export function userChangeSets(
  before: UserRow,
  after: UserRow,
  change: UserChange,
): { columns: string[]; values: (string | number | null)[] } {
  const sets: [string, string | number | null][] = [];
  if (change.role !== undefined) sets.push(['role', after.role]);
  if (after.tenants !== before.tenants) sets.push(['tenants', JSON.stringify(after.tenants)]);
  if (change.groups !== undefined) sets.push(['groups', JSON.stringify(after.groups)]);
  if (change.passwordHash !== undefined) sets.push(['password_hash', after.passwordHash]);
  if (change.externalId !== undefined) sets.push(['external_id', after.externalId]);
  if (change.failedAttempts !== undefined) sets.push(['failed_attempts', after.failedAttempts]);
  if (change.lockedUntil !== undefined) sets.push(['locked_until', after.lockedUntil]);
  sets.push(['updated_at', after.updatedAt]);
  return { columns: sets.map(([c]) => c), values: sets.map(([, v]) => v) };
}

export const SESSION_COLUMNS = ['id_hash', 'user_name', 'created_at', 'last_seen_at', 'expires_at', 'address', 'via'];

export interface SessionSelect {
  id_hash: string;
  user_name: string;
  created_at: number | string;
  last_seen_at: number | string;
  expires_at: number | string;
  address: string | null;
  via: string;
}

export function sessionValues(s: SessionRow): (string | number | null)[] {
  return [s.idHash, s.user, s.createdAt, s.lastSeenAt, s.expiresAt, s.address, s.via];
}

export function toSessionRow(r: SessionSelect): SessionRow {
  return {
    idHash: r.id_hash,
    user: r.user_name,
    createdAt: num(r.created_at),
    lastSeenAt: num(r.last_seen_at),
    expiresAt: num(r.expires_at),
    address: r.address,
    via: r.via as SessionRow['via'],
  };
}

export const TOKEN_COLUMNS = [
  'id',
  'name',
  'user_name',
  'hash',
  'role',
  'tenants',
  'created_at',
  'expires_at',
  'revoked_at',
  'last_used_at',
];

export interface TokenSelect {
  id: string;
  name: string;
  user_name: string;
  hash: string;
  role: string | null;
  tenants: string;
  created_at: number | string;
  expires_at: number | string | null;
  revoked_at: number | string | null;
  last_used_at: number | string | null;
}

export function tokenValues(t: TokenRow): (string | number | null)[] {
  return [
    t.id,
    t.name,
    t.user,
    t.hash,
    t.role,
    JSON.stringify(t.tenants),
    t.createdAt,
    t.expiresAt,
    t.revokedAt,
    t.lastUsedAt,
  ];
}

export function toTokenRow(r: TokenSelect): TokenRow {
  return {
    id: r.id,
    name: r.name,
    user: r.user_name,
    hash: r.hash,
    role: r.role as Role | null,
    tenants: JSON.parse(r.tenants) as string[],
    createdAt: num(r.created_at),
    expiresAt: numOrNull(r.expires_at),
    revokedAt: numOrNull(r.revoked_at),
    lastUsedAt: numOrNull(r.last_used_at),
  };
}

export const AUDIT_COLUMNS = ['at', 'actor', 'via', 'address', 'action', 'outcome', 'target', 'details'];

export interface AuditSelect {
  seq: number | string;
  at: number | string;
  actor: string;
  via: string;
  address: string | null;
  action: string;
  outcome: string;
  target: string | null;
  details: string;
}

export function auditValues(e: Omit<ConsoleAuditEntry, 'seq'>): (string | number | null)[] {
  return [e.at, e.actor, e.via, e.address, e.action, e.outcome, e.target, JSON.stringify(e.details)];
}

export function toAuditEntry(r: AuditSelect): ConsoleAuditEntry {
  return {
    seq: num(r.seq),
    at: num(r.at),
    actor: r.actor,
    via: r.via as ConsoleAuditEntry['via'],
    address: r.address,
    action: r.action,
    outcome: r.outcome as ConsoleAuditEntry['outcome'],
    target: r.target,
    details: JSON.parse(r.details) as Record<string, unknown>,
  };
}

/** The WHERE and ORDER of an audit listing; `mark(i)` writes the i-th bind marker of the dialect. */
export function auditQuery(
  filter: ConsoleAuditFilter,
  mark: (i: number) => string,
): { sql: string; values: (string | number)[] } {
  const parts: string[] = [];
  const values: (string | number)[] = [];
  const add = (condition: (m: string) => string, value: string | number | undefined): void => {
    if (value === undefined) return;
    values.push(value);
    parts.push(condition(mark(values.length)));
  };
  add((m) => `seq > ${m}`, filter.after);
  add((m) => `seq < ${m}`, filter.before);
  add((m) => `at >= ${m}`, filter.from);
  add((m) => `at < ${m}`, filter.to);
  add((m) => `lower(actor) = lower(${m})`, filter.actor);
  add((m) => `action = ${m}`, filter.action);
  add((m) => `via = ${m}`, filter.via);
  add((m) => `address = ${m}`, filter.address);
  add((m) => `outcome = ${m}`, filter.outcome);
  const limit = Math.min(Math.max(filter.limit ?? 1000, 1), 10_000);
  values.push(limit);
  const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
  const order = filter.newestFirst ? 'DESC' : 'ASC';
  return { sql: `SELECT * FROM console_audit ${where} ORDER BY seq ${order} LIMIT ${mark(values.length)}`, values };
}

export function nameTakenError(kind: 'user' | 'token', name: string, cause: unknown): AppError {
  return new AppError('CONFLICT', `A ${kind} named "${name.slice(0, 100)}" already exists`, {
    // Not "or revoke that one": a revoked token stays listed under its name, so revoking never frees it.
    hint:
      kind === 'user'
        ? 'Pick another name, or reset that user'
        : 'Pick another token name: a revoked or expired token keeps its name',
    cause,
  });
}
