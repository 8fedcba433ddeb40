import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import { CONTENT_TYPES } from '../../core/record.js';
import type { Checkpoint, CoverageWindow, PostureSnapshot, Store, TenantRow } from '../../store/contract.js';
import { summarizeCoverage, type StreamCoverage } from '../coverage.js';
import type { ServerDeps } from '../deps.js';
import type { RawQuery } from '../params.js';
import { forbiddenTenant, type TenantScope } from '../auth/scope.js';

/** A tenant as the console's first page shows it; never any credential. */
export interface TenantOverview {
  name: string;
  tenantId: string;
  domain: string | null;
  cloud: string;
  authKind: string;
  posture: { verdict: PostureSnapshot['verdict']; takenAt: number; auditingOff: boolean; findings: unknown[] } | null;
  newestRecord: number | null;
  /** now − the oldest checkpoint of the tenant's streams: how far behind collection is. */
  lagMs: number | null;
  state: 'never collected' | 'imported only' | 'collecting' | 'up to date' | 'errors';
  errors: { windows: number; last: string | null };
  gaps: number;
}

async function checkpointsOf(store: Store, tenants: readonly TenantRow[]): Promise<Checkpoint[]> {
  const out: Checkpoint[] = [];
  for (const t of tenants) {
    for (const stream of CONTENT_TYPES) {
      const cp = await store.ledger.getCheckpoint(t.tenantId, stream);
      if (cp) out.push(cp);
    }
  }
  return out;
}

function postureOf(s: PostureSnapshot | undefined): TenantOverview['posture'] {
  if (!s) return null;
  const body = (s.body ?? {}) as { ualEnabled?: boolean | null; findings?: unknown[] };
  return {
    verdict: s.verdict,
    takenAt: s.takenAt,
    auditingOff: body.ualEnabled === false,
    findings: Array.isArray(body.findings) ? body.findings : [],
  };
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

function overview(
  t: TenantRow,
  now: number,
  cov: StreamCoverage[],
  newest: number | undefined,
  snap: PostureSnapshot | undefined,
  windows: CoverageWindow[],
  runError: string | null,
): TenantOverview {
  const mine = cov.filter((c) => c.tenant === t.tenantId);
  const failed = windows.filter((w) => w.tenant === t.tenantId && (w.state === 'failed' || w.state === 'expired'));
  const last = runError ?? failed.sort((a, b) => b.updatedAt - a.updatedAt)[0]?.lastError ?? null;
  const checkpoints = mine.map((c) => c.checkpoint).filter((c): c is number => c !== null);
  const lagMs = checkpoints.length ? now - Math.min(...checkpoints) : null;
  const state = runError ? 'errors' : collectionState(mine.length > 0, newest !== undefined, failed.length, lagMs);
  return {
    name: t.name,
    tenantId: t.tenantId,
    domain: t.domain,
    cloud: t.cloud,
    authKind: t.authKind,
    posture: postureOf(snap),
    newestRecord: newest ?? null,
    lagMs,
    state,
    errors: { windows: failed.length, last },
    gaps: mine.reduce((n, c) => n + c.gaps.length, 0),
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

/** Tenants at a glance, posture snapshots, and the coverage ledger with its gaps. */
export function registerTenantRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { store } = deps;
  const newestRecords = newestCache(store, deps.clock);

  const viewer = { config: { role: 'viewer' } } as const;
  app.get('/api/tenants', viewer, async (request) => {
    const tenants = (await store.tenants.list()).filter((t) => request.scope.allows(t.tenantId));
    const [windows, newest, snaps, cps] = await Promise.all([
      store.ledger.listWindows(),
      newestRecords(),
      store.posture.latest(),
      checkpointsOf(store, tenants),
    ]);
    const cov = summarizeCoverage(windows, cps);
    const now = deps.clock.now();
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
        ),
      ),
    };
  });

  app.get('/api/posture', viewer, async (request) => ({
    snapshots: (await store.posture.latest()).filter((s) => request.scope.allows(s.tenant)),
  }));

  app.get('/api/coverage', viewer, async (request) => {
    const raw = request.query as RawQuery;
    const wanted = typeof raw.tenant === 'string' && raw.tenant ? raw.tenant : undefined;
    if (wanted && !request.scope.allows(wanted)) throw forbiddenTenant(wanted);
    let tenants = (await store.tenants.list()).filter((t) => request.scope.allows(t.tenantId));
    if (wanted) {
      const row = await store.tenants.get(wanted);
      if (!row)
        throw new AppError('UNKNOWN_TENANT', `No tenant is named "${wanted.slice(0, 100)}"`, {
          hint: 'GET /api/tenants lists the registered tenants',
        });
      tenants = [row];
    }
    const windows = (
      wanted ? await store.ledger.listWindows({ tenant: tenants[0]!.tenantId }) : await store.ledger.listWindows()
    ).filter((w) => request.scope.allows(w.tenant));
    return { streams: summarizeCoverage(windows, await checkpointsOf(store, tenants)) };
  });

  app.get('/api/status', viewer, async (request) => ({
    now: deps.clock.now(),
    collector: scopedStatus(deps.collector?.status() ?? null, request.scope),
  }));
}
