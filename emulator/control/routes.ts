import { json, jsonBody, type EmuRequest, type Reply, type Route } from '../http.js';
import type { BlobCatalog } from '../management/blobs.js';
import { groundTruth } from './ground-truth.js';
import { mailboxViews } from '../mailboxes.js';
import { DEFAULT_FAULTS, type EmulatorTenantView, type Faults } from '../types.js';
import type { World } from '../world.js';

/**
 * Control and ground truth under /_emulator/ (never a Microsoft path), in the shapes issue 3 fixes:
 * tenants with credentials, every record (or only those already in listable blobs) as NDJSON once
 * each, role holders over time, mailbox audit state, faults, and the clock.
 */
export interface ControlHooks {
  tenants(): EmulatorTenantView[];
  setFaults(f: Partial<Faults>): void;
  setClock(change: { advanceMs?: number; now?: number }): Promise<void>;
  /** Emulator ms per real ms of a scaled virtual clock (0: moved only by the control API). */
  timeScale: number;
}

const bad = (message: string): Reply => json(400, { error: { code: 'BadRequest', message } });

function tenantParam(world: World, req: EmuRequest): string | Reply {
  const key = req.url.searchParams.get('tenantId');
  if (!key) return bad('tenantId is required, e.g. ?tenantId=<GUID from /_emulator/tenants>');
  const t = world.tenant(key);
  return t ? t.tenantId : json(404, { error: { code: 'NotFound', message: `No simulated tenant "${key}"` } });
}

function parseFaults(body: unknown): Partial<Faults> | string {
  if (!body || typeof body !== 'object') return 'the body must be a JSON object of fault settings';
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (!(k in DEFAULT_FAULTS)) return `unknown fault "${k}"; known: ${Object.keys(DEFAULT_FAULTS).join(', ')}`;
    const d = (DEFAULT_FAULTS as unknown as Record<string, unknown>)[k];
    const ok = Array.isArray(d)
      ? Array.isArray(v)
      : k === 'throttleBudgetPerMinute' || k === 'searchResultCap'
        ? v === null || typeof v === 'number'
        : typeof v === typeof d;
    if (!ok) return `fault "${k}" has the wrong type`;
    out[k] = v;
  }
  return out;
}

export function controlRoutes(world: World, blobs: BlobCatalog, hooks: ControlHooks): Route[] {
  const C = (method: string, path: string, handler: Route['handler']): Route => ({
    method,
    pattern: new RegExp(`^/_emulator/${path}/?$`),
    service: 'control',
    handler,
  });
  return [
    C('GET', 'tenants', () => json(200, hooks.tenants())),
    C('GET', 'records', (req) => {
      const tid = tenantParam(world, req);
      if (typeof tid !== 'string') return tid;
      return {
        status: 200,
        stream: groundTruth(world, blobs, tid, req.url.searchParams.get('available') === 'true'),
        contentType: 'application/x-ndjson',
      };
    }),
    C('GET', 'roles', (req) => {
      const tid = tenantParam(world, req);
      if (typeof tid !== 'string') return tid;
      const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
      return json(
        200,
        world.sim
          .roles(tid)
          .map((r) => ({ role: r.role, userPrincipalName: r.userPrincipalName, from: iso(r.from), to: iso(r.to) })),
      );
    }),
    C('GET', 'mailboxes', (req) => {
      const tid = tenantParam(world, req);
      if (typeof tid !== 'string') return tid;
      return json(200, mailboxViews(world, tid));
    }),
    C('GET', 'faults', () => json(200, world.faults)),
    C('POST', 'faults', (req) => {
      const parsed = parseFaults(jsonBody(req));
      if (typeof parsed === 'string') return bad(parsed);
      hooks.setFaults(parsed);
      return json(200, world.faults);
    }),
    C('GET', 'clock', () =>
      json(200, {
        now: new Date(world.now()).toISOString(),
        virtual: world.virtualClock !== null,
        timeScale: hooks.timeScale,
      }),
    ),
    C('POST', 'clock', async (req) => {
      const b = jsonBody(req) as { advanceMs?: unknown; now?: unknown } | null | undefined;
      if (!world.virtualClock)
        return json(409, {
          error: {
            code: 'Conflict',
            message: 'The emulator runs on the real clock; start it with a virtual clock to move time',
          },
        });
      if (b && typeof b.advanceMs === 'number' && b.advanceMs >= 0) await hooks.setClock({ advanceMs: b.advanceMs });
      else if (b && typeof b.now === 'string' && !Number.isNaN(Date.parse(b.now)))
        await hooks.setClock({ now: Date.parse(b.now) });
      else return bad('send {"advanceMs": n} (n ≥ 0) or {"now": "ISO time"}');
      return json(200, { now: new Date(world.now()).toISOString() });
    }),
    C('POST', 'permissions', (req) => {
      const b = jsonBody(req) as { tenantId?: unknown; roles?: unknown } | null | undefined;
      if (!b || typeof b.tenantId !== 'string' || !Array.isArray(b.roles))
        return bad('send {"tenantId": "…", "roles": ["ActivityFeed.Read", …]}');
      const t = world.tenant(b.tenantId);
      if (!t) return json(404, { error: { code: 'NotFound', message: `No simulated tenant "${b.tenantId}"` } });
      world.state.update(t.tenantId, (s) => (s.roles = (b.roles as unknown[]).map(String)));
      return json(200, { tenantId: t.tenantId, roles: world.grantedRoles(t.tenantId) });
    }),
  ];
}
