import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import { ROLES, type Role, type UserRow } from '../../store/auth-contract.js';
import { AUTH_EVENTS } from './events.js';
import type { OidcIdentity, OidcPending, OidcProvider } from './oidc.js';
import { SIGNIN_ERROR_COOKIE } from './cookies.js';
import { sessionKey } from './secrets.js';
import { startSession, type SignInDeps } from './session.js';

/**
 * The browser side of OpenID Connect sign-in: /api/auth/oidc/start sends the browser to the issuer
 * with PKCE, state and nonce kept in the database (store.auth.putPending, under the hash of a random
 * key in an HttpOnly, SameSite=Lax cookie — Lax because the issuer's redirect back is a cross-site
 * navigation), so the return may reach any `serve` process on the database; /api/auth/oidc/callback
 * takes it once, checks the answer (openid-client), finds the user and starts a session.
 */
const PENDING_COOKIE = 'tw_oidc';
const PENDING_TTL_MS = 10 * 60_000;
const CALLBACK = '/api/auth/oidc/callback';

/**
 * The account of an identity: the one linked to it; else a user of the same name not yet linked
 * (an admin created it for this person: it is linked now); else one made from the group rules.
 * Group rules that match set the role and tenants on every sign-in: the groups are the source of truth.
 */
async function accountFor(deps: SignInDeps, provider: OidcProvider, id: OidcIdentity): Promise<UserRow | null> {
  const now = deps.clock.now();
  const matched = provider.groupRules.filter((r) => id.groups.includes(r.group));
  const fromGroups = matched.length
    ? {
        role: ROLES[Math.max(...matched.map((r) => ROLES.indexOf(r.role)))] as Role,
        tenants: [...new Set(matched.flatMap((r) => r.tenants))],
      }
    : null;
  let user = await deps.store.auth.findUserByExternalId(id.externalId);
  if (!user) {
    const byName = await deps.store.auth.getUser(id.name);
    if (byName && byName.externalId === null) user = { ...byName, externalId: id.externalId };
  }
  if (!user && !fromGroups) return null;
  const row: UserRow = user ?? {
    name: id.name,
    role: 'viewer',
    tenants: [],
    groups: [],
    passwordHash: null,
    externalId: id.externalId,
    failedAttempts: 0,
    lockedUntil: null,
    createdAt: now,
    updatedAt: now,
  };
  const updated = fromGroups ? { ...row, ...fromGroups, updatedAt: now } : row;
  await deps.store.auth.putUser(updated);
  return updated;
}

/** The console's own URL as the browser sees it (request.host/protocol: the proxy's, when it is trusted). */
function callbackBase(request: FastifyRequest, deps: SignInDeps): string {
  return `${deps.options.secure || request.protocol === 'https' ? 'https' : 'http'}://${request.host}`;
}

function backToSignIn(reply: FastifyReply, message: string, secure: boolean): FastifyReply {
  void reply.setCookie(SIGNIN_ERROR_COOKIE, message.slice(0, 200), {
    path: '/',
    // Set on the issuer's redirect back (a cross-site navigation); read by script, never sent anywhere that matters.
    sameSite: 'lax',
    secure,
    httpOnly: false,
    maxAge: 60,
  });
  return reply.redirect('/#/signin');
}

export function registerOidcRoutes(app: FastifyInstance, deps: SignInDeps, provider: OidcProvider): void {
  const cookie = { path: '/api/auth/oidc', httpOnly: true, sameSite: 'lax' as const, secure: deps.options.secure };

  app.get('/api/auth/oidc/start', { config: { role: 'public' } }, async (request, reply) => {
    const { url, pending: state } = await provider.start(new URL(CALLBACK, callbackBase(request, deps)).toString());
    const key = randomBytes(24).toString('base64url');
    await deps.store.auth.putPending(sessionKey(key), JSON.stringify(state), deps.clock.now() + PENDING_TTL_MS);
    void reply.setCookie(PENDING_COOKIE, key, { ...cookie, maxAge: PENDING_TTL_MS / 1000 });
    return reply.redirect(url);
  });

  app.get(CALLBACK, { config: { role: 'public' } }, async (request, reply) => {
    const key = request.cookies[PENDING_COOKIE];
    const stored = key ? await deps.store.auth.takePending(sessionKey(key), deps.clock.now()) : null;
    void reply.clearCookie(PENDING_COOKIE, cookie);
    if (!stored)
      return backToSignIn(reply, 'The sign-in took too long or was already used; try again', deps.options.secure);
    const state = JSON.parse(stored) as OidcPending;
    let identity: OidcIdentity;
    try {
      identity = await provider.finish(new URL(request.url, state.redirectUri), state);
    } catch (e) {
      const message = e instanceof AppError ? e.message : 'The identity provider did not confirm the sign-in';
      deps.logger.warn({ event: AUTH_EVENTS.oidcFailed, err: e }, 'an OpenID Connect sign-in failed');
      await deps.auditor.forRequest(request, 'signin', 'failed', null, { via: 'oidc', reason: message });
      return backToSignIn(reply, message, deps.options.secure);
    }
    const user = await accountFor(deps, provider, identity);
    if (!user) {
      await deps.auditor.forRequest(request, 'signin', 'failed', identity.name, { via: 'oidc', reason: 'no account' });
      return backToSignIn(
        reply,
        `No account for ${identity.name}: ask an administrator to add you`,
        deps.options.secure,
      );
    }
    await startSession(deps, request, reply, user, 'oidc');
    return reply.redirect('/');
  });
}
