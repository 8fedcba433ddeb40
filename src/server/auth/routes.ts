import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { ApiResponse, Me } from '../api-types.js';
import { clearSessionCookies } from './cookies.js';
import { AUTH_EVENTS } from './events.js';
import { verifyNothing, verifyPassword } from './password.js';
import { sessionKey } from './secrets.js';
import { startSession, type SignInDeps } from './session.js';
import { UnknownNameLockout } from './unknown-names.js';

function loginBody(body: unknown): { name: string; password: string } {
  const b = (body ?? {}) as { name?: unknown; password?: unknown };
  if (typeof b.name !== 'string' || typeof b.password !== 'string' || !b.name || b.name.length > 200) {
    throw new AppError('BAD_INPUT', 'Sign-in needs a name and a password', {
      hint: 'Send {"name":"…","password":"…"} as JSON',
    });
  }
  return { name: b.name, password: b.password };
}

async function failSignIn(deps: SignInDeps, request: FastifyRequest, name: string, reason: string): Promise<never> {
  deps.logger.info({ event: AUTH_EVENTS.signInFailed, user: name.slice(0, 200), reason });
  await deps.auditor.forRequest(request, 'signin', reason === 'locked' ? 'denied' : 'failed', name.slice(0, 200), {
    reason,
  });
  throw new AppError('SIGNIN_FAILED', 'The name or the password is wrong', {
    hint: 'Check both and try again; after several failures the account is locked for a while',
  });
}

/**
 * Sign-in with a local account. An unknown name costs the same time as a wrong password; failures
 * count towards the account's lockout (store.auth.recordFailure) and the address's rate limit.
 */
async function signIn(
  deps: SignInDeps,
  unknown: UnknownNameLockout,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Me> {
  const { name, password } = loginBody(request.body);
  const user = await deps.store.auth.getUser(name);
  const now = deps.clock.now();
  // An unknown name locks as an account does (unknown-names.ts), so the answer never tells which exist; its lock
  // is read for every name, so a known one takes the same trips to the database before the password is checked.
  const nameLockedUntil = await unknown.lockedUntil(name, now);
  const lockedUntil = user ? (user.lockedUntil && now < user.lockedUntil ? user.lockedUntil : null) : nameLockedUntil;
  if (lockedUntil !== null) {
    await deps.auditor.forRequest(request, 'signin', 'denied', user?.name ?? name.slice(0, 200), { reason: 'locked' });
    const minutes = Math.ceil((lockedUntil - now) / 60_000);
    throw new AppError('SIGNIN_LOCKED', `The account is locked after too many failed sign-ins`, {
      hint: `Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask an administrator (tenantwatch user reset)`,
    });
  }
  const ok = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : await verifyNothing(password);
  if (!user || !ok) {
    if (user) await deps.store.auth.recordFailure(user.name, now, deps.options.lockout);
    else await unknown.recordFailure(name, now);
    return failSignIn(deps, request, name, user ? 'wrong password' : 'unknown user');
  }
  if (user.failedAttempts > 0 || user.lockedUntil !== null) await deps.store.auth.clearFailures(user.name);
  await startSession(deps, request, reply, user, 'password');
  return whoAmI(request, deps);
}

/** What the console shows of the caller; the CSRF token travels in its own cookie, not here. */
function whoAmI(request: FastifyRequest, deps: SignInDeps): Me {
  const { caller, scope } = request;
  return {
    mode: caller.via === 'local' ? 'open' : 'accounts',
    signedIn: caller.role !== null,
    user: caller.role !== null ? caller.user : null,
    role: caller.role,
    via: caller.via,
    tenants: scope.all ? '*' : [...scope.keys],
    oidc: deps.options.oidc ? { name: deps.options.oidc.name } : null,
  };
}

export function registerSignInRoutes(app: FastifyInstance, deps: SignInDeps): void {
  const unknown = new UnknownNameLockout(deps.store, deps.options.lockout);
  app.get('/api/auth/me', { config: { role: 'public' } }, async (request) => whoAmI(request, deps));

  app.post(
    '/api/auth/login',
    {
      config: {
        role: 'public',
        csrf: false,
        rateLimit: { max: deps.options.loginRate.max, timeWindow: deps.options.loginRate.windowMs },
      },
    },
    async (request, reply) => signIn(deps, unknown, request, reply),
  );

  app.post(
    '/api/auth/logout',
    { config: { role: 'public' } },
    async (request, reply): Promise<ApiResponse<'POST /api/auth/logout'>> => {
      const { caller } = request;
      if (caller.via === 'session' && caller.sessionId) {
        await deps.store.auth.removeSession(sessionKey(caller.sessionId));
        deps.logger.info({ event: AUTH_EVENTS.signedOut, user: caller.user });
        await deps.auditor.forRequest(request, 'signout', 'ok', caller.user, {});
      }
      clearSessionCookies(reply, deps.options);
      return { signedIn: false };
    },
  );
}
