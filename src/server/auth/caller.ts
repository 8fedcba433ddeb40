import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { ROLES, type Role, type UserRow } from '../../store/auth-contract.js';
import type { Store } from '../../store/contract.js';
import { expandGroups, TenantScope } from './scope.js';
import { parseApiToken, sameSecret, sessionKey } from './secrets.js';
import type { AuthOptions, Caller } from './types.js';
import { clearSessionCookies, SESSION_COOKIE } from './cookies.js';

/** Seen-time updates of a session or token are written at most this often (not on every request). */
const TOUCH_EVERY_MS = 60_000;

export interface Resolved {
  caller: Caller;
  scope: TenantScope;
}

const NOBODY: Resolved = { caller: { user: '-', role: null, via: 'anonymous' }, scope: TenantScope.of([], []) };

export function rank(role: Role): number {
  return ROLES.indexOf(role);
}

/** The lesser of two roles (a token caps its user's role). */
function lesser(a: Role, b: Role | null): Role {
  return b !== null && rank(b) < rank(a) ? b : a;
}

export async function userScope(store: Store, user: UserRow): Promise<TenantScope> {
  const [groups, tenants] = await Promise.all([store.auth.listGroups(), store.tenants.list()]);
  return TenantScope.of(expandGroups(user.tenants, user.groups, groups), tenants);
}

function expired(message: string): AppError {
  return new AppError('SIGNIN_REQUIRED', message, { hint: 'Sign in again' });
}

/** A token that stopped working is replaced, not signed in again: say how a new one is made. */
function tokenRefused(message: string): AppError {
  return new AppError('SIGNIN_REQUIRED', message, {
    hint: 'Make a new one with tenantwatch token add NAME --user USER (or on the Admin page) and send it as Authorization: Bearer TOKEN',
  });
}

async function fromToken(store: Store, clock: Clock, header: string): Promise<Resolved> {
  const parsed = parseApiToken(header.slice('bearer '.length).trim());
  const row = parsed ? await store.auth.getToken(parsed.id) : null;
  const now = clock.now();
  if (!parsed || !row || !sameSecret(row.hash, parsed.hash) || row.revokedAt !== null) {
    throw tokenRefused('The API token is not valid (unknown, mistyped or revoked)');
  }
  if (row.expiresAt !== null && now >= row.expiresAt) {
    throw tokenRefused(`The API token "${row.name}" expired on ${new Date(row.expiresAt).toISOString()}`);
  }
  const user = await store.auth.getUser(row.user);
  if (!user) throw tokenRefused(`The API token's user "${row.user}" no longer exists`);
  if (row.lastUsedAt === null || now - row.lastUsedAt > TOUCH_EVERY_MS) await store.auth.touchToken(row.id, now);
  const [scope, tenants] = await Promise.all([userScope(store, user), store.tenants.list()]);
  return {
    caller: { user: user.name, role: lesser(user.role, row.role), via: 'token', token: row.name },
    scope: scope.narrow(TenantScope.of(row.tenants, tenants)),
  };
}

/** The session of the cookie, or why there is none (null: no session, the request goes on as anonymous). */
async function fromSession(
  store: Store,
  clock: Clock,
  options: AuthOptions,
  sessionId: string,
): Promise<Resolved | string> {
  const key = sessionKey(sessionId);
  const session = await store.auth.getSession(key);
  const now = clock.now();
  if (!session) return 'Your session has ended';
  if (now >= session.expiresAt || now - session.lastSeenAt >= options.idleMs) {
    await store.auth.removeSession(key);
    return now >= session.expiresAt ? 'Your session has reached its time limit' : 'Your session ended after inactivity';
  }
  const user = await store.auth.getUser(session.user);
  if (!user) {
    await store.auth.removeSession(key);
    return 'Your account no longer exists';
  }
  if (now - session.lastSeenAt > TOUCH_EVERY_MS) await store.auth.touchSession(key, now);
  return {
    caller: { user: user.name, role: user.role, via: 'session', sessionId },
    scope: await userScope(store, user),
  };
}

/**
 * A request a reverse proxy forwarded: the open mode (no accounts, loopback) is for the person at this
 * machine, and a proxy on it would hand that to everyone who reaches the proxy.
 */
function viaProxy(request: FastifyRequest): boolean {
  const h = request.headers;
  return h['x-forwarded-for'] !== undefined || h.forwarded !== undefined || h['x-real-ip'] !== undefined;
}

/**
 * Who is calling: an API token (Authorization: Bearer), else the session cookie, else — when the
 * console serves without accounts on loopback — the local user with every right, else nobody. A bad
 * token fails at once; an ended session clears its cookie and, on a route that needs a role, says why.
 */
export async function resolveCaller(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: { store: Store; clock: Clock; options: AuthOptions },
  needsRole: boolean,
): Promise<Resolved> {
  const auth = request.headers.authorization;
  if (auth && /^bearer /i.test(auth)) return fromToken(deps.store, deps.clock, auth);
  const sessionId = request.cookies[SESSION_COOKIE];
  if (sessionId) {
    const resolved = await fromSession(deps.store, deps.clock, deps.options, sessionId);
    if (typeof resolved !== 'string') return resolved;
    clearSessionCookies(reply, deps.options);
    if (needsRole) throw expired(resolved);
  }
  if (deps.options.openWhenNoAccounts && (await deps.store.auth.countUsers()) === 0) {
    if (viaProxy(request)) {
      if (!needsRole) return NOBODY;
      throw new AppError('FORBIDDEN', 'This console has no accounts, so it serves only this machine, not a proxy', {
        hint: 'Add an administrator (tenantwatch user add NAME --role admin --password-env VAR) and restart serve with --trust-proxy',
      });
    }
    return { caller: { user: 'local', role: 'admin', via: 'local' }, scope: TenantScope.everything() };
  }
  return NOBODY;
}
