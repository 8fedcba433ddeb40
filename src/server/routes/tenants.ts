import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import { readCoverage } from '../../coverage/read.js';
import type { AuditingFact, CoverageSummary } from '../../coverage/types.js';
import type { Finding, RequestedChange } from '../../posture/types.js';
import { readAuditingFacts } from '../../coverage/auditing.js';
import type { CoverageWindow, PostureSnapshot, Store, TenantRow } from '../../store/contract.js';
import type { ApiParams, ApiResponse, PostureCheck, PostureDetail, TenantOverview } from '../api-types.js';
import type { ServerDeps } from '../deps.js';
import { onlyParams, values, type RawQuery } from '../params.js';
import { forbiddenTenant, type TenantScope } from '../auth/scope.js';
import { quoted } from '../../core/quote.js';

function postureOf(s: PostureSnapshot | undefined, auditing: AuditingFact): TenantOverview['posture'] {
  if (!s) return null;
  // The posture check's stored result (posture/types.ts PostureResult); older snapshots may lack fields.
  const body = (s.body ?? {}) as { findings?: Partial<Finding>[] };
  return {
    verdict: s.verdict,
    takenAt: s.takenAt,
    auditingOff: auditing.recordsNothing,
    findings: Array.isArray(body.findings) ? body.findings : [],
    requested: auditing.requested,
  };
}

/**
 * A stored check as the overview answers it. Checks before 2026-12-06 stored each subscription as Microsoft listed
 * it, webhook authId and all (posture/read.ts): the one secret that authenticates webhook notifications, of every
 * tenant, answered to viewers of one. Only what posture reads of a subscription is shown.
 */
function shownSnapshot(s: PostureSnapshot): PostureSnapshot {
  const body = s.body as { subscriptions?: unknown } | null;
  if (!body || !Array.isArray(body.subscriptions)) return s;
  const subscriptions = (body.subscriptions as { contentType?: unknown; status?: unknown }[]).map((x) => ({
    contentType: x?.contentType,
    status: x?.status,
  }));
  return { ...s, body: { ...body, subscriptions } };
}

/** Checks shown on a tenant's posture page: a year of daily checks. */
const POSTURE_HISTORY = 400;

/** A tenant's posture page: its auditing fact and every stored check (snapshots may be filed under its name). */
async function postureDetail(store: Store, t: TenantRow, now: number): Promise<PostureDetail> {
  const [byId, byName, facts] = await Promise.all([
    store.posture.list(t.tenantId, POSTURE_HISTORY),
    t.name === t.tenantId ? Promise.resolve([]) : store.posture.list(t.name, POSTURE_HISTORY),
    readAuditingFacts(store, [t], now),
  ]);
  const checks = [...byId, ...byName]
    .sort((a, b) => b.takenAt - a.takenAt)
    .slice(0, POSTURE_HISTORY)
    .map((s): PostureCheck => {
      const body = (s.body ?? {}) as { findings?: unknown; requests?: unknown };
      return {
        takenAt: s.takenAt,
        verdict: s.verdict,
        findings: Array.isArray(body.findings) ? (body.findings as Partial<Finding>[]) : [],
        requests: Array.isArray(body.requests) ? (body.requests as Partial<RequestedChange>[]) : [],
      };
    });
  return { name: t.name, tenantId: t.tenantId, domain: t.domain, auditing: facts.get(t.tenantId)!, checks };
}

/** Up to date = every stream's checkpoint within two hours (the API's own delivery delay is up to 90 min). */
function collectionState(
  collected: boolean,
  hasRecords: boolean,
  failedWindows: number,
  lagMs: number | null,
): TenantOverview['state'] {
  if (!collected) return hasRecords ? 'imported only' : 'never collected';
  if (failedWindows > 0) return 'errors';
  return lagMs !== null && lagMs < 2 * 3_600_000 ? 'up to date' : 'collecting';
}

/**
 * A tenant-level failure the running collector reported (audit log off, wrong secret): it leaves no
 * ledger window, so only the collector's own status knows. The status shape is the collector's
 * (`{ tenants: [{ tenant, error: { message } }] }`); anything else is ignored.
 */
function collectorError(status: unknown, tenantId: string): string | null {
  const tenants = (status as { tenants?: unknown } | null)?.tenants;
  if (!Array.isArray(tenants)) return null;
  const mine = tenants.find((x: unknown) => (x as { tenant?: unknown })?.tenant === tenantId) as
    { error?: { message?: unknown } | null } | undefined;
  return typeof mine?.error?.message === 'string' ? mine.error.message : null;
}

/**
 * One tenant's line. Its gap and error counts are the coverage summary's (the same as `tenantwatch
 * coverage`): open gaps only, so a window a later history fill covered is no longer an error.
 */
function overview(
  t: TenantRow,
  now: number,
  cov: CoverageSummary,
  newest: number | undefined,
  snap: PostureSnapshot | undefined,
  windows: CoverageWindow[],
  runError: string | null,
  webhook: TenantOverview['webhook'],
): TenantOverview {
  const mine = cov.streams.filter((c) => c.tenant === t.tenantId);
  const live = mine.filter((c) => c.kind === 'live');
  const failedGaps = live.reduce((n, c) => n + c.failed + c.expired, 0);
  // An expired row with a cause is no failure to name: time not collectable during a new subscription's wait
  // for first content, or history older than Microsoft keeps (store/contract.ts WindowCause).
  const failed = windows.filter(
    (w) => w.tenant === t.tenantId && (w.state === 'failed' || (w.state === 'expired' && w.cause === null)),
  );
  const last = runError ?? failed.sort((a, b) => b.updatedAt - a.updatedAt)[0]?.lastError ?? null;
  const checkpoints = live.map((c) => c.checkpoint).filter((c): c is number => c !== null);
  const lagMs = checkpoints.length ? now - Math.min(...checkpoints) : null;
  const auditing = cov.tenants.find((x) => x.tenant === t.tenantId)!.auditing;
  const state = runError ? 'errors' : collectionState(live.length > 0, newest !== undefined, failedGaps, lagMs);
  return {
    name: t.name,
    tenantId: t.tenantId,
    domain: t.domain,
    cloud: t.cloud,
    authKind: t.authKind,
    posture: postureOf(snap, auditing),
    auditing,
    newestRecord: newest ?? null,
    lagMs,
    state,
    errors: { windows: failedGaps, last: failedGaps || runError ? last : null },
    gaps: mine.reduce((n, c) => n + c.gaps.length, 0),
    webhook,
  };
}

/**
 * The collector's status with only the caller's tenants. Its shape is the collector's; a `tenants`
 * list of `{ tenant }` entries is filtered, and for a restricted caller anything else about other
 * tenants is not shown (only the top-level fields that are not lists).
 */
function scopedStatus(status: unknown, scope: TenantScope): unknown {
  if (scope.all || status === null || typeof status !== 'object') return status;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(status as Record<string, unknown>)) {
    if (key === 'tenants' && Array.isArray(value))
      out.tenants = value.filter((t: unknown) => {
        const tenant = (t as { tenant?: unknown } | null)?.tenant;
        return typeof tenant === 'string' && scope.allows(tenant);
      });
    else if (value === null || typeof value !== 'object') out[key] = value;
  }
  return out;
}

const NEWEST_TTL_MS = 15_000;

/**
 * The newest record per tenant, remembered for a few seconds: every console page asks for the tenant
 * list, and on a large store the per-tenant lookup holds the (synchronous) database long enough to
 * delay a search that starts at the same moment.
 */
function newestCache(store: Store, clock: ServerDeps['clock']): () => Promise<Map<string, number>> {
  let cached: { at: number; value: Promise<Map<string, number>> } | null = null;
  return () => {
    const now = clock.now();
    if (!cached || now - cached.at > NEWEST_TTL_MS || now < cached.at) {
      const value = store.records.newest();
      cached = { at: now, value };
      value.catch(() => (cached = null));
    }
    return cached.value;
  };
}

/** Tenants at a glance, posture snapshots, and the coverage ledger with its gaps (src/coverage, rendered as is). */
export function registerTenantRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { store } = deps;
  const newestRecords = newestCache(store, deps.clock);

  const viewer = { config: { role: 'viewer' } } as const;
  // These routes answer for every tenant the caller may see and take no parameter: `?tenant=contoso` was dropped
  // and every tenant's answer came back, the first of them another tenant's, to a script that read it as contoso's.
  const noQuery = (request: FastifyRequest): void => onlyParams(request.query as RawQuery, []);
  app.get('/api/tenants', viewer, async (request): Promise<ApiResponse<'GET /api/tenants'>> => {
    noQuery(request);
    const tenants = (await store.tenants.list()).filter((t) => request.scope.allows(t.tenantId));
    const now = deps.clock.now();
    const [windows, newest, snaps, cov] = await Promise.all([
      store.ledger.listWindows(),
      newestRecords(),
      store.posture.latest(),
      readCoverage(store, tenants, now),
    ]);
    const status = deps.collector?.status() ?? null;
    return {
      now,
      tenants: tenants.map((t) =>
        overview(
          t,
          now,
          cov,
          newest.get(t.tenantId),
          snaps.find((s) => s.tenant === t.tenantId || s.tenant === t.name),
          windows,
          collectorError(status, t.tenantId),
          deps.webhooks?.status(t.tenantId) ?? null,
        ),
      ),
    };
  });

  app.get('/api/posture', viewer, async (request): Promise<ApiResponse<'GET /api/posture'>> => {
    noQuery(request);
    return {
      snapshots: (await store.posture.latest()).filter((s) => request.scope.allows(s.tenant)).map(shownSnapshot),
    };
  });

  type Posture = 'GET /api/posture/:tenant';
  app.get<{ Params: ApiParams<Posture> }>(
    '/api/posture/:tenant',
    viewer,
    async (request): Promise<ApiResponse<Posture>> => {
      noQuery(request);
      const wanted = request.params.tenant;
      if (!request.scope.allows(wanted)) throw forbiddenTenant(wanted);
      const row = await store.tenants.get(wanted);
      if (!row)
        throw new AppError('UNKNOWN_TENANT', `No tenant is named ${quoted(wanted, 100)}`, {
          hint: 'GET /api/tenants lists the registered tenants',
        });
      return postureDetail(store, row, deps.clock.now());
    },
  );

  app.get('/api/coverage', viewer, async (request): Promise<ApiResponse<'GET /api/coverage'>> => {
    // tenant= may repeat: each named tenant must be one the caller may see (never a silent narrowing) and exist.
    const raw = request.query as RawQuery;
    onlyParams(raw, ['tenant']);
    const wanted = values(raw.tenant).filter((t) => t.trim());
    const refused = wanted.find((t) => !request.scope.allows(t));
    if (refused !== undefined) throw forbiddenTenant(refused);
    let tenants = (await store.tenants.list()).filter((t) => request.scope.allows(t.tenantId));
    if (wanted.length) {
      const rows = new Map<string, TenantRow>();
      for (const name of wanted) {
        const row = await store.tenants.get(name);
        if (!row)
          throw new AppError('UNKNOWN_TENANT', `No tenant is named ${quoted(name, 100)}`, {
            hint: 'GET /api/tenants lists the registered tenants',
          });
        rows.set(row.tenantId, row);
      }
      tenants = [...rows.values()];
    }
    return readCoverage(store, tenants, deps.clock.now());
  });

  app.get('/api/status', viewer, async (request): Promise<ApiResponse<'GET /api/status'>> => {
    noQuery(request);
    return { now: deps.clock.now(), collector: scopedStatus(deps.collector?.status() ?? null, request.scope) };
  });
}
