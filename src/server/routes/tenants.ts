import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import { CONTENT_TYPES } from '../../core/record.js';
import type { Checkpoint, CoverageWindow, PostureSnapshot, Store, TenantRow } from '../../store/contract.js';
import { summarizeCoverage, type StreamCoverage } from '../coverage.js';
import type { ServerDeps } from '../deps.js';
import type { RawQuery } from '../params.js';

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
  /**
   * Management API webhook health (serve --webhook-url), null when webhooks are off: status, the last
   * notification, and lastDelayMs = a blob's contentCreated → its records searchable.
   */
  webhook: unknown;
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
  webhook: unknown,
): TenantOverview {
  const mine = cov.filter((c) => c.tenant === t.tenantId);
  // History older than Microsoft keeps (lastError UNAVAILABLE…) is not an error of collection.
  const failed = windows.filter(
    (w) =>
      w.tenant === t.tenantId &&
      (w.state === 'failed' || w.state === 'expired') &&
      !w.lastError?.startsWith('UNAVAILABLE'),
  );
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
    webhook,
  };
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

  app.get('/api/tenants', async () => {
    const tenants = await store.tenants.list();
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
          deps.webhooks?.status(t.tenantId) ?? null,
        ),
      ),
    };
  });

  app.get('/api/posture', async () => ({ snapshots: await store.posture.latest() }));

  app.get('/api/coverage', async (request) => {
    const raw = request.query as RawQuery;
    const wanted = typeof raw.tenant === 'string' && raw.tenant ? raw.tenant : undefined;
    let tenants = await store.tenants.list();
    if (wanted) {
      const row = await store.tenants.get(wanted);
      if (!row)
        throw new AppError('UNKNOWN_TENANT', `No tenant is named "${wanted.slice(0, 100)}"`, {
          hint: 'GET /api/tenants lists the registered tenants',
        });
      tenants = [row];
    }
    const windows = wanted
      ? await store.ledger.listWindows({ tenant: tenants[0]!.tenantId })
      : await store.ledger.listWindows();
    return { streams: summarizeCoverage(windows, await checkpointsOf(store, tenants)) };
  });

  app.get('/api/status', async () => ({ now: deps.clock.now(), collector: deps.collector?.status() ?? null }));
}
