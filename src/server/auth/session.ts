import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { UserRow } from '../../store/auth-contract.js';
import type { Store } from '../../store/contract.js';
import type { ConsoleAuditor } from './audit.js';
import { setSessionCookies } from './cookies.js';
import { userScope } from './caller.js';
import { AUTH_EVENTS } from './events.js';
import { newSessionId, sessionKey } from './secrets.js';
import type { AuthOptions } from './types.js';

/** Starting a session, shared by the password sign-in (routes.ts) and OpenID Connect (oidc-routes.ts). */
export interface SignInDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  options: AuthOptions;
  auditor: ConsoleAuditor;
}

/** Starts a session for `user`: stored by its hash, the id only in the HttpOnly cookie. */
export async function startSession(
  deps: SignInDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  user: UserRow,
  via: 'password' | 'oidc',
): Promise<void> {
  const now = deps.clock.now();
  const id = newSessionId();
  await deps.store.auth.putSession({
    idHash: sessionKey(id),
    user: user.name,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + deps.options.absoluteMs,
    address: request.ip ?? null,
    via,
  });
  await deps.store.auth.pruneSessions(now, deps.options.idleMs);
  setSessionCookies(reply, deps.options, id);
  request.caller = { user: user.name, role: user.role, via: 'session', sessionId: id };
  // The answer to the sign-in (whoAmI) names the tenants of this user, as /api/auth/me will.
  request.scope = await userScope(deps.store, user);
  deps.logger.info({ event: AUTH_EVENTS.signedIn, user: user.name, via });
  await deps.auditor.forRequest(request, 'signin', 'ok', user.name, { via });
}
