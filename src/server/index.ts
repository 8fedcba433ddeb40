import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.js';
import type { ApiResponse, ApiRoute } from './api-types.js';
import type { ServerDeps } from './deps.js';
import { registerAdminRoutes } from './auth/admin-routes.js';
import { installAuth } from './auth/index.js';
import { DEFAULT_AUTH, type RouteRole } from './auth/types.js';
import { BODY_LIMIT, clientError, frameworkError, installErrorHandling, MAX_PARAM_LENGTH } from './errors.js';
import { SERVER_EVENTS } from './events.js';
import { refuseNul } from './nul.js';
import { registerAuditConfigRoutes } from './routes/audit-config.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerCatalogRoutes } from './routes/catalog.js';
import { registerExportRoutes } from './routes/export.js';
import { heavyLaneFor } from './heavy-lane.js';
import { registerRecordRoutes } from './routes/records.js';
import { registerReportRoutes } from './routes/reports.js';
import { registerSearchRoutes } from './routes/search.js';
import { registerTenantAdminRoutes } from './routes/tenant-admin.js';
import { registerSinkRoutes } from './routes/sinks.js';
import { registerTenantRoutes } from './routes/tenants.js';
import { registerWebhookRoutes } from './routes/webhooks.js';

export type { ServerDeps, ReportsApi, CollectorStatusSource, PostureApi, TenantAdminApi } from './deps.js';

/** The query parameters of the routes that take some, for GET /api (a person exploring with curl finds them). */
const QUERY_HINTS: Partial<Record<ApiRoute, string>> = {
  'GET /api/search': '?start&end&user&operation&recordType&workload&ip&object&freeText&tenant&limit&cursor',
  'GET /api/search/count': '?<filters>',
  'GET /api/search/timeline': '?<filters>&bucket=auto|day|hour',
  'GET /api/search/counts': '?<filters>&by=operation|user|workload|recordType|tenant|day|hour|clientIp|outcome',
  'GET /api/search/user-suggestions': '?start&end&tenant',
  'GET /api/export': '?<filters>&format=csv|json|ndjson',
  'POST /api/reports/:id/export': '?format=csv|json',
  'GET /api/coverage': '?tenant',
};

/** Collects the /api routes as they are registered, so GET /api lists exactly what is served. */
function routeList(app: FastifyInstance): () => ApiResponse<'GET /api'> {
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api')) return;
    for (const method of [route.method].flat()) {
      const key = `${method} ${route.url}`;
      if (method !== 'HEAD') routes.push(key + (QUERY_HINTS[key as ApiRoute] ?? ''));
    }
  });
  return () => ({ routes });
}

/** A registered route, the role it declared (none: admin under /api, auth/guard.ts neededRole) and its audit. */
export interface RegisteredRoute {
  method: string;
  url: string;
  role: RouteRole | undefined;
  audit: string | undefined;
}

const ROUTE_LISTS = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/**
 * Every route the server registered (from fastify's onRoute hook), so a test can call each of them —
 * a route added later cannot be forgotten by the tenant-scope acceptance test — and hold the console's
 * role table (web/src/auth/roles.ts) to what each declared.
 */
export function routesOf(app: FastifyInstance): readonly RegisteredRoute[] {
  return ROUTE_LISTS.get(app) ?? [];
}

/**
 * The HTTP API over search, records, reports, posture, coverage and tenants, plus the built web
 * console. Returns the fastify instance unstarted: tests call `inject()`, the CLI calls `listen()`.
 */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.https ? { https: deps.https } : {}),
    logger: false,
    trustProxy: deps.trustProxy?.length ? [...deps.trustProxy] : false,
    bodyLimit: BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
  });
  // Bodies are JSON only: a text/plain body reached the routes as a string ("" is not an alert status), and it is
  // the one body type another site's form can send without asking first.
  app.removeContentTypeParser('text/plain');
  const routes: RegisteredRoute[] = [];
  ROUTE_LISTS.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD')
        routes.push({ method, url: route.url, role: route.config?.role, audit: route.config?.audit });
  });
  const web = deps.webRoot && existsSync(join(deps.webRoot, 'index.html')) ? deps.webRoot : undefined;
  if (deps.webRoot && !web)
    deps.logger.warn(
      { event: SERVER_EVENTS.webMissing, webRoot: deps.webRoot },
      'web console not built: run npm run build:web',
    );
  installErrorHandling(app, deps.logger, web);
  // Before installAuth, whose sign-in routes are API routes too.
  const listing = routeList(app);
  refuseApiHead(app);
  // Before every route: the one place callers are resolved, roles checked and tenant scope computed.
  const accountsClock = deps.accountsClock ?? deps.clock;
  const auditor = await installAuth(app, {
    store: deps.store,
    clock: accountsClock,
    logger: deps.logger,
    options: { ...DEFAULT_AUTH, ...deps.auth },
  });
  refuseNul(app);
  app.get('/api', { config: { role: 'viewer' } }, async () => listing());
  const lane = deps.heavyLane ?? heavyLaneFor(deps.store);
  registerSearchRoutes(app, deps, lane);
  registerRecordRoutes(app, deps);
  registerExportRoutes(app, deps, lane);
  registerCatalogRoutes(app);
  registerReportRoutes(app, deps, lane);
  registerTenantRoutes(app, deps);
  registerTenantAdminRoutes(app, deps);
  registerAuditConfigRoutes(app, deps);
  registerAdminRoutes(app, { store: deps.store, clock: accountsClock, auditor });
  registerAlertRoutes(app, deps);
  registerWebhookRoutes(app, deps);
  registerSinkRoutes(app, deps);
  await serveWeb(app, web);
  return app;
}

/**
 * HEAD on an API route is answered 405. Fastify answers HEAD for every GET route by running its handler and
 * dropping the body, so HEAD /api/search ran the search and was recorded in the trail as one, and the caller's
 * real pages over the same filters were then taken as its next pages (auth/repeats.ts) and left out: records
 * read with no entry. Neither the console nor the CLI sends HEAD to the API, and no answer there is worth its
 * headers alone. Runs before the auth hook, so nothing is resolved, read or recorded; the console's files keep
 * HEAD (@fastify/static registers its own).
 */
function refuseApiHead(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (request.method !== 'HEAD' || route === undefined || !(route === '/api' || route.startsWith('/api/'))) return;
    void reply.header('allow', 'GET');
    throw new AppError('METHOD_NOT_ALLOWED', `HEAD is not answered on ${route}: the API answers GET`, {
      hint: `Send GET ${route} (curl without -I)`,
    });
  });
}

/** Serves web/dist; unknown page paths fall back to index.html (errors.ts), the console routes itself. */
async function serveWeb(app: FastifyInstance, root: string | undefined): Promise<void> {
  if (!root) {
    app.get('/', async () => ({
      message: 'tenantwatch API; the web console is not built (npm run build:web)',
      api: '/api',
    }));
    return;
  }
  // wildcard: files are looked up per request, so a rebuilt console is served without a restart.
  await app.register(fastifyStatic, { root, index: 'index.html' });
}
