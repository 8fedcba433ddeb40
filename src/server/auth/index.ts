import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Store } from '../../store/contract.js';
import { actionFor, ConsoleAuditor, outcomeOf, targetOf } from './audit.js';
import { rank, resolveCaller } from './caller.js';
import { AUTH_EVENTS } from './events.js';
import { checkCsrf, checkFetchSite, checkHost, checkOrigin, isSafeMethod, neededRole } from './guard.js';
import { registerOidcRoutes } from './oidc-routes.js';
import { databaseRateStore } from './rate-store.js';
import { registerSignInRoutes } from './routes.js';
import { TenantScope } from './scope.js';
import type { AuthOptions } from './types.js';

export { TenantScope } from './scope.js';
export type { AuthOptions, Caller, RouteRole } from './types.js';
export { DEFAULT_AUTH } from './types.js';
export { ConsoleAuditor } from './audit.js';

export interface AuthDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  options: AuthOptions;
}

/**
 * The ONE place every request goes through before its route (DESIGN.md: tenant scope is applied in one
 * place): Host, Origin and CSRF checks, who the caller is, whether the route's declared role allows
 * them, and their tenant scope on `request.scope` for the route to filter by. After the response, what the
 * trail covers (audit.ts actionFor: reads of records, every refusal of a signed-in caller, declared actions)
 * is written to the console's audit trail with how it ended.
 * Must be installed before any route is registered.
 */
export async function installAuth(app: FastifyInstance, deps: AuthDeps): Promise<ConsoleAuditor> {
  const { options } = deps;
  const auditor = new ConsoleAuditor(deps.store, deps.clock, deps.logger);
  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, helmetOptions(options));
  if (!options.secure) {
    // A request that came over HTTPS through a trusted proxy (--trust-proxy without --behind-tls-proxy) is told
    // to keep to HTTPS, as the console's own TLS tells every one: helmet's header is fixed when the server starts.
    app.addHook('onRequest', async (request, reply) => {
      if (request.protocol === 'https') void reply.header('strict-transport-security', HSTS);
    });
  }
  await app.register(fastifyRateLimit, {
    global: false,
    // Counted in the database, so every serve process on it shares one limit per address.
    store: databaseRateStore(deps.store, deps.clock),
    // Sign-in is the only rate-limited route. context.after is the time left in this address's window, not the window.
    errorResponseBuilder: (request, context) => {
      rateRefused.add(request);
      return new AppError(
        'RATE_LIMITED',
        `Too many sign-in attempts from this address: ${context.max} are allowed per ${per(options.loginRate.windowMs)}`,
        { hint: `Try again in ${context.after}` },
      );
    },
  });
  app.decorateRequest('caller', null as never);
  app.decorateRequest('scope', null as never);
  app.decorateRequest('auditNote', null);
  app.addHook('onRequest', async (request, reply) => {
    // fastify runs onResponse only for a response sent to its end: a client that left before the last byte (an
    // export read up to its last rows, a search page read for its records) had read records and left no entry.
    reply.raw.once('close', () => {
      if (reply.raw.writableFinished || !reply.raw.headersSent) return;
      recordResponse(request, reply, auditor, true).catch((e: unknown) =>
        deps.logger.error({ event: AUTH_EVENTS.auditFailed, err: e }, 'console audit not written'),
      );
    });
    return guard(request, reply, deps);
  });
  app.addHook('onResponse', async (request, reply) => {
    if (rateRefused.has(request)) return recordRateRefusal(request, deps, auditor);
    return recordResponse(request, reply, auditor, false);
  });
  registerSignInRoutes(app, { ...deps, auditor });
  if (options.oidc) registerOidcRoutes(app, { ...deps, auditor }, options.oidc);
  return auditor;
}

/** Requests whose response has an entry (or was found to need none): a cut response may end in onResponse too. */
const responded = new WeakSet<FastifyRequest>();

/**
 * The entry of a response, by the one rule (audit.ts actionFor), once per request. `cut`: the client closed the
 * connection before the response's last byte, which the entry says (what it had read is not known).
 */
async function recordResponse(
  request: FastifyRequest,
  reply: FastifyReply,
  auditor: ConsoleAuditor,
  cut: boolean,
): Promise<void> {
  if (responded.has(request)) return;
  responded.add(request);
  const action = actionFor(request, reply.statusCode);
  const outcome = outcomeOf(reply.statusCode);
  if (!action || (await auditor.repeats(request, action, outcome))) return;
  const route = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
  const details = {
    method: request.method,
    ...(action === 'access' ? { route } : {}),
    query: request.query,
    body: request.body,
    status: reply.statusCode,
    ...(cut ? { cut: true } : {}),
    ...(request.auditNote ?? {}),
  };
  const target = targetOf(request) ?? (action === 'access' ? route : null);
  await auditor.forRequest(request, action, outcome, target, details);
}

/** Sign-in requests the rate limit refused (its errorResponseBuilder marks them for the onResponse hook). */
const rateRefused = new WeakSet<FastifyRequest>();

/**
 * A sign-in the rate limit refused is recorded once per address per window: the first refusal says the limit
 * was reached; the ones after it, as many as anyone cares to send, would only fill the trail. Counted in the
 * database (store.auth.hitRate, the rate limit's own window) so several serve processes record it once.
 */
async function recordRateRefusal(request: FastifyRequest, deps: AuthDeps, auditor: ConsoleAuditor): Promise<void> {
  const { windowMs, max } = deps.options.loginRate;
  try {
    const { hits } = await deps.store.auth.hitRate(`audit:rate-refused:${request.ip}`, deps.clock.now(), windowMs);
    if (hits !== 1) return;
  } catch (e) {
    deps.logger.error({ event: AUTH_EVENTS.auditFailed, action: 'signin', err: e }, 'console audit not written');
    return;
  }
  await auditor.forRequest(request, 'signin', 'denied', null, {
    reason: 'rate limited',
    limit: `${max} per ${per(windowMs)}`,
    note: 'further refusals of this address in this window are not recorded',
  });
}

async function guard(request: FastifyRequest, reply: FastifyReply, deps: AuthDeps) {
  request.caller = { user: '-', role: null, via: 'anonymous' };
  request.scope = TenantScope.of([], []);
  try {
    checkHost(request, deps.options);
  } catch (e) {
    const host = String(request.headers.host).slice(0, 100);
    deps.logger.warn(
      {
        event: AUTH_EVENTS.hostRefused,
        host,
        hint: 'open the console by the address serve printed, or add --allow-host NAME',
      },
      `refused a request addressed to the host "${host}"`,
    );
    throw e;
  }
  const need = neededRole(request);
  if (!isSafeMethod(request.method)) checkOrigin(request, deps.options);
  const { caller, scope } = await resolveCaller(request, reply, deps, need !== 'public');
  request.caller = caller;
  request.scope = scope;
  // The local user (no accounts, loopback) has no session, so no CSRF token guards it: Origin alone does, and it must
  // be this console itself. An --allow-host name or the bound address is written without a port, and matched a page
  // of that host on any port: http://127.0.0.1 (port 80) acted as the console's administrator on 127.0.0.1:8080.
  if (!isSafeMethod(request.method) && caller.via === 'local')
    checkOrigin(request, { ...deps.options, allowedHosts: [] });
  if (need !== 'public' && (caller.via === 'local' || caller.via === 'session')) {
    try {
      checkFetchSite(request);
    } catch (e) {
      // Not recorded: the page of another site chose this call, not the person (refusals of anyone not signed in
      // are logged, not recorded, for the same reason).
      request.caller = { user: '-', role: null, via: 'anonymous' };
      throw e;
    }
  }
  if (!isSafeMethod(request.method) && request.routeOptions.config?.csrf !== false) checkCsrf(request, caller);
  if (need === 'public') return;
  if (caller.role === null) {
    throw new AppError('SIGNIN_REQUIRED', 'Sign in to use the console', {
      hint: 'Sign in on the console page, or send an API token as Authorization: Bearer TOKEN',
    });
  }
  if (rank(caller.role) < rank(need)) {
    deps.logger.info({ event: AUTH_EVENTS.denied, user: caller.user, need, url: request.routeOptions.url });
    // Recorded by the onResponse hook, as every refusal is (audit.ts actionFor).
    request.auditNote = { need };
    throw new AppError('FORBIDDEN', `This needs the ${need} role; your account is ${caller.role}`, {
      hint: 'Ask an administrator for the role',
    });
  }
}

/** A window as words: 60 000 → "minute", 120 000 → "2 minutes", 90 000 → "90 seconds". */
export function per(ms: number): string {
  const [size, unit] =
    ms % 3_600_000 === 0
      ? [ms / 3_600_000, 'hour']
      : ms % 60_000 === 0
        ? [ms / 60_000, 'minute']
        : [Math.ceil(ms / 1000), 'second'];
  return size === 1 ? unit : `${size} ${unit}s`;
}

/** How long a browser keeps to HTTPS once told (180 days), the header helmet writes for it. */
const HSTS_SECONDS = 15_552_000;
const HSTS = `max-age=${HSTS_SECONDS}`;

function helmetOptions(options: AuthOptions) {
  return {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        'form-action': ["'self'"],
        'upgrade-insecure-requests': options.secure ? [] : null,
      },
    },
    hsts: options.secure ? { maxAge: HSTS_SECONDS, includeSubDomains: false } : false,
    frameguard: { action: 'deny' as const },
    referrerPolicy: { policy: 'same-origin' as const },
  };
}
