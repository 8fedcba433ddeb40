import type { FastifyReply } from 'fastify';
import { csrfFor } from './secrets.js';
import type { AuthOptions } from './types.js';

/** The session id: HttpOnly (scripts never see it), SameSite=Strict (never sent by another site's page). */
export const SESSION_COOKIE = 'tw_session';
/**
 * The CSRF token, readable by the console's own script, which echoes it in the x-csrf-token header of
 * every state-changing request. Another site can neither read it nor make the browser send the header.
 */
export const CSRF_COOKIE = 'tw_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/**
 * Why a single sign-on failed, for the sign-in form to say (readable, a minute long). In a cookie, not the
 * URL: the form showed whatever a link's #/signin?error=… said, in its red error box, on the real console —
 * a phishing text anyone could send ("Your password expired: call …"). Another site cannot set this cookie.
 */
export const SIGNIN_ERROR_COOKIE = 'tw_signin_error';

/**
 * Whether this response's cookies get Secure: the console is served over HTTPS (its own TLS, or
 * --behind-tls-proxy), or this request came over HTTPS as a trusted proxy says (X-Forwarded-Proto, read by fastify
 * only from a --trust-proxy address). Behind a TLS proxy given only --trust-proxy, the session cookie went without
 * Secure, so a browser sent it along any plain http:// request to the same host (a link, an image), in clear.
 */
export function secureCookies(reply: FastifyReply, options: AuthOptions): boolean {
  return options.secure || reply.request.protocol === 'https';
}

function base(reply: FastifyReply, options: AuthOptions) {
  return { path: '/', sameSite: 'strict' as const, secure: secureCookies(reply, options) };
}

export function setSessionCookies(reply: FastifyReply, options: AuthOptions, sessionId: string): void {
  const maxAge = Math.floor(options.absoluteMs / 1000);
  void reply.setCookie(SESSION_COOKIE, sessionId, { ...base(reply, options), httpOnly: true, maxAge });
  void reply.setCookie(CSRF_COOKIE, csrfFor(sessionId), { ...base(reply, options), httpOnly: false, maxAge });
}

export function clearSessionCookies(reply: FastifyReply, options: AuthOptions): void {
  void reply.clearCookie(SESSION_COOKIE, { ...base(reply, options), httpOnly: true });
  void reply.clearCookie(CSRF_COOKIE, { ...base(reply, options), httpOnly: false });
}
