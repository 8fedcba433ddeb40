import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import { AUTH_EVENTS } from './events.js';
import { accountFor, type KeptRole, type OidcAccount } from './oidc-account.js';
import type { OidcIdentity, OidcPending, OidcProvider } from './oidc.js';
import { secureCookies, SIGNIN_ERROR_COOKIE } from './cookies.js';
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

/**
 * The issuer's groups would have demoted or narrowed the last administrator of every tenant: the account kept its
 * role (oidc-account.ts). Said in the warn log and the console's trail (after the session started, so the entry
 * names the user), with what to do, so that it is not a silent difference between the issuer and the console.
 */
async function tellRoleKept(deps: SignInDeps, request: FastifyRequest, user: string, kept: KeptRole): Promise<void> {
  const reason = `The identity provider's groups make ${user} ${kept.role} of ${kept.tenants.join(', ') || 'no tenant'}, not applied: ${kept.refusal.message}`;
  const hint = 'Make another account an administrator of every tenant; the groups then apply at the next sign-in';
  deps.logger.warn({ event: AUTH_EVENTS.oidcRoleKept, user, role: kept.role, tenants: kept.tenants, hint }, reason);
  await deps.auditor.forRequest(request, 'signin.role-kept', 'denied', user, {
    via: 'oidc',
    role: kept.role,
    tenants: kept.tenants,
    reason,
    hint,
  });
}

/** Why an identity the issuer confirmed signs in no account: said on the sign-in page, and the trail's reason. */
function refusal(account: Exclude<OidcAccount, { kind: 'signed-in' }>, name: string): { why: string; reason: string } {
  switch (account.kind) {
    case 'none':
      return { why: `No account for ${name}: ask an administrator to add you`, reason: 'no account' };
    case 'linked-elsewhere':
      return {
        why: `The account ${account.name} is linked to another sign-in: ask an administrator to link or add yours`,
        reason: 'linked to another identity',
      };
    case 'kept-changing':
      return {
        why: `The account ${name} kept changing during the sign-in: sign in again; if it goes on, ask an administrator why it is changing`,
        reason: 'account kept changing',
      };
  }
}

export function registerOidcRoutes(app: FastifyInstance, deps: SignInDeps, provider: OidcProvider): void {
  const cookie = (reply: FastifyReply) => ({
    path: '/api/auth/oidc',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: secureCookies(reply, deps.options),
  });

  const startRate = deps.options.oidcStartRate;
  app.get(
    '/api/auth/oidc/start',
    { config: { role: 'public', rateLimit: { max: startRate.max, timeWindow: startRate.windowMs } } },
    async (request, reply) => {
      const { url, pending: state } = await provider.start(new URL(CALLBACK, callbackBase(request, deps)).toString());
      const key = randomBytes(24).toString('base64url');
      const now = deps.clock.now();
      await deps.store.auth.putPending(sessionKey(key), JSON.stringify(state), now + PENDING_TTL_MS, now);
      void reply.setCookie(PENDING_COOKIE, key, { ...cookie(reply), maxAge: PENDING_TTL_MS / 1000 });
      return reply.redirect(url);
    },
  );

  app.get(CALLBACK, { config: { role: 'public' } }, async (request, reply) => {
    const key = request.cookies[PENDING_COOKIE];
    const stored = key ? await deps.store.auth.takePending(sessionKey(key), deps.clock.now()) : null;
    void reply.clearCookie(PENDING_COOKIE, cookie(reply));
    if (!stored)
      return backToSignIn(
        reply,
        'The sign-in took too long or was already used; try again',
        secureCookies(reply, deps.options),
      );
    const state = JSON.parse(stored) as OidcPending;
    let identity: OidcIdentity;
    try {
      identity = await provider.finish(new URL(request.url, state.redirectUri), state);
    } catch (e) {
      const message = e instanceof AppError ? e.message : 'The identity provider did not confirm the sign-in';
      deps.logger.warn({ event: AUTH_EVENTS.oidcFailed, err: e }, 'an OpenID Connect sign-in failed');
      await deps.auditor.forRequest(request, 'signin', 'failed', null, { via: 'oidc', reason: message });
      return backToSignIn(reply, message, secureCookies(reply, deps.options));
    }
    const account = await accountFor(deps, provider, identity);
    if (account.kind !== 'signed-in') {
      const { why, reason } = refusal(account, identity.name);
      await deps.auditor.forRequest(request, 'signin', 'failed', identity.name, { via: 'oidc', reason });
      return backToSignIn(reply, why, secureCookies(reply, deps.options));
    }
    await startSession(deps, request, reply, account.user, 'oidc');
    if (account.kept) await tellRoleKept(deps, request, account.user.name, account.kept);
    return reply.redirect('/');
  });
}
