import type { FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import { CSRF_HEADER } from './cookies.js';
import { csrfFor, sameSecret } from './secrets.js';
import type { AuthOptions, Caller, RouteRole } from './types.js';
import { quoted } from '../../core/quote.js';

/**
 * The request checks that come before any route: the Host (DNS rebinding), the Origin of a
 * state-changing request (cross-site requests), and the CSRF token of a signed-in browser.
 */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

/** The host name of a Host header without its port ("[::1]:8080" → "[::1]"). */
function hostName(host: string): string {
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(host.trim().toLowerCase());
  return m ? m[1]! : host.toLowerCase();
}

/**
 * A DNS-rebinding page reaches the console under the attacker's own name (its DNS answer switched to
 * 127.0.0.1), so its Host header carries that name: only loopback names and the hosts the console
 * was told it serves (--allow-host, the bound address) are answered.
 */
export function hostAllowed(host: string | undefined, options: AuthOptions): boolean {
  if (!host) return false;
  const name = hostName(host);
  if (LOOPBACK_NAMES.has(name)) return true;
  return options.allowedHosts.some((h) => {
    const allowed = h.toLowerCase();
    return allowed === host.toLowerCase() || (!/:\d+$/.test(allowed) && hostName(allowed) === name);
  });
}

/**
 * Behind a trusted reverse proxy (serve --trust-proxy) the host people use arrives as X-Forwarded-Host
 * (fastify's request.host) while Host may name the proxy's upstream: both must be hosts this console
 * answers to, so a rebinding page cannot pass one off through the other.
 */
export function checkHost(request: FastifyRequest, options: AuthOptions): void {
  const given = [request.headers.host, request.host];
  const wrong = given.find((h) => !hostAllowed(h, options));
  if (wrong === undefined) return;
  throw new AppError('BAD_HOST', `This console does not answer to the host ${quoted(String(wrong), 100)}`, {
    hint: 'Open it by the address it serves, or start it with --allow-host NAME for the name people use',
  });
}

/**
 * A browser sends Origin with every cross-site (and same-site) state-changing request: it must name
 * this console. A request without Origin is not from a browser page (curl, a script with a token).
 */
export function checkOrigin(request: FastifyRequest, options: AuthOptions): void {
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  if (origin === undefined) {
    if (site === 'cross-site') throw csrf('a cross-site request');
    return;
  }
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw csrf(`the origin ${quoted(origin, 100)}`);
  }
  // URL drops the scheme's default port; a Host header may carry it. request.host is the host people use
  // (X-Forwarded-Host from a trusted proxy, else Host); an --allow-host name is this console too.
  const defaultPort = url.protocol === 'https:' ? ':443' : ':80';
  const host = String(request.host).toLowerCase();
  const served = host.endsWith(defaultPort) ? host.slice(0, -defaultPort.length) : host;
  const named = options.allowedHosts.some((h) => h.toLowerCase() === url.host.toLowerCase());
  if (url.host.toLowerCase() !== served && !named) throw csrf(`the origin ${origin.slice(0, 100)}`);
}

/**
 * A browser says where a request comes from (Fetch metadata: Sec-Fetch-Site). A page of another site, or of another
 * port of this host (`same-site`: ports do not count), cannot read the API's answers, but it could still make a
 * signed-in browser (or the local user's, which needs no sign-in) call a read — an image or a link pointed at
 * /api/search?user=… — and the call was recorded in the console's audit trail as that person's search. Only a
 * navigation the person made (a click: Sec-Fetch-User) comes from elsewhere; curl and scripts send no such header.
 */
export function checkFetchSite(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  if (site !== 'cross-site' && site !== 'same-site') return;
  const h = request.headers;
  if (h['sec-fetch-mode'] === 'navigate' && h['sec-fetch-user'] === '?1') return;
  throw csrf(`a request another site's page made (Sec-Fetch-Site: ${site})`);
}

function csrf(what: string): AppError {
  return new AppError('CSRF_REJECTED', `Refused ${what}: state-changing requests must come from this console`, {
    hint: 'Use the console itself, or send an API token (Authorization: Bearer) from scripts',
  });
}

/**
 * A signed-in browser's state-changing request carries the session's CSRF token in a header. Why a
 * header token derived from the session rather than @fastify/csrf-protection: it needs no secret
 * cookie or server state of its own, is bound to the session, and a header is something another
 * site's form or image can never send. Token and local callers carry no ambient cookie to abuse.
 */
export function checkCsrf(request: FastifyRequest, caller: Caller): void {
  if (caller.via !== 'session' || !caller.sessionId) return;
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !sameSecret(sent, csrfFor(caller.sessionId))) {
    throw new AppError('CSRF_REJECTED', 'The request lacks the CSRF token of your session', {
      hint: 'Reload the console; scripts should use an API token instead of a browser session',
    });
  }
}

/**
 * What the route declared, or admin for an undeclared API route (fail closed) and public for the console's files.
 * A request no route matches (the not-found handler answers it) has no data behind it: under /api any signed-in
 * caller is told it does not exist (404) rather than that it needs the admin role; nobody else learns even that.
 * With the console built, such a request is matched by the files' wildcard route (`/*`, no API route), whose
 * not-found answers it the same way.
 */
export function neededRole(request: FastifyRequest): RouteRole {
  const api = request.url.startsWith('/api');
  const apiRoute = request.routeOptions.url?.startsWith('/api') === true;
  if (request.is404 || (api && !apiRoute)) return api ? 'viewer' : 'public';
  const declared = request.routeOptions.config?.role;
  if (declared) return declared;
  return api ? 'admin' : 'public';
}
