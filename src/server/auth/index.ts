import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Store } from '../../store/contract.js';
import { ConsoleAuditor, outcomeOf, targetOf } from './audit.js';
import { rank, resolveCaller } from './caller.js';
import { AUTH_EVENTS } from './events.js';
import { checkCsrf, checkHost, checkOrigin, isSafeMethod, neededRole } from './guard.js';
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
 * them, and their tenant scope on `request.scope` for the route to filter by. After the response, a
 * route that declares `config.audit` is written to the console's audit trail with how it ended.
 * Must be installed before any route is registered.
 */
export async function installAuth(app: FastifyInstance, deps: AuthDeps): Promise<ConsoleAuditor> {
  const { options } = deps;
  const auditor = new ConsoleAuditor(deps.store, deps.clock, deps.logger);
  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, helmetOptions(options));
  await app.register(fastifyRateLimit, {
    global: false,
    // Counted in the database, so every serve process on it shares one limit per address.
    store: databaseRateStore(deps.store, deps.clock),
    // Sign-in is the only rate-limited route. context.after is the time left in this address's window, not the window.
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'RATE_LIMITED',
        `Too many sign-in attempts from this address: ${context.max} are allowed per ${per(options.loginRate.windowMs)}`,
        { hint: `Try again in ${context.after}` },
      ),
  });
  app.decorateRequest('caller', null as never);
  app.decorateRequest('scope', null as never);
  app.decorateRequest('auditNote', null);
  app.addHook('onRequest', async (request, reply) => guard(request, reply, deps, auditor));
  app.addHook('onResponse', async (request, reply) => {
    const action = request.routeOptions.config?.audit;
    if (!action || (action === 'search' && hasCursor(request))) return;
    const details = {
      method: request.method,
      query: request.query,
      body: request.body,
      status: reply.statusCode,
      ...(request.auditNote ?? {}),
    };
    await auditor.forRequest(request, action, outcomeOf(reply.statusCode), targetOf(request), details);
  });
  registerSignInRoutes(app, { ...deps, auditor });
  if (options.oidc) registerOidcRoutes(app, { ...deps, auditor }, options.oidc);
  return auditor;
}

/** The next pages of one search are one search: only its first page is recorded. */
function hasCursor(request: FastifyRequest): boolean {
  return typeof (request.query as Record<string, unknown> | undefined)?.cursor === 'string';
}

async function guard(request: FastifyRequest, reply: FastifyReply, deps: AuthDeps, auditor: ConsoleAuditor) {
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
  if (!isSafeMethod(request.method) && request.routeOptions.config?.csrf !== false) checkCsrf(request, caller);
  if (need === 'public') return;
  if (caller.role === null) {
    throw new AppError('SIGNIN_REQUIRED', 'Sign in to use the console', {
      hint: 'Sign in on the console page, or send an API token as Authorization: Bearer TOKEN',
    });
  }
  if (rank(caller.role) < rank(need)) {
    deps.logger.info({ event: AUTH_EVENTS.denied, user: caller.user, need, url: request.routeOptions.url });
    if (!request.routeOptions.config?.audit)
      await auditor.forRequest(request, 'access', 'denied', request.routeOptions.url ?? null, { need });
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
    hsts: options.secure ? { maxAge: 15_552_000, includeSubDomains: false } : false,
    frameguard: { action: 'deny' as const },
    referrerPolicy: { policy: 'same-origin' as const },
  };
}
